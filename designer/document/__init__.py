"""The document model the designer edits: a flow plus undoable verbs on it.

`FlowDocument` owns the state and its invariants; `FlowEditor` turns user intentions into
undo commands. Views (canvas, panels) only read the document and listen to its signals.
"""
