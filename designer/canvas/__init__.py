"""The canvas: a scene mirroring the document, its items, view and mouse interactions."""
