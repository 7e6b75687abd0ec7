"""The flow document: its file model, loading and saving, migrations, conditions, the
field catalogue and whole-flow validation. Built on runtime.nodes (the node kinds)."""
