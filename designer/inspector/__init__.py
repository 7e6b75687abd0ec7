"""The Runs view: every run of the workspace, each run's steps, and what each step did.

`InspectorView` is the view the window registers; `RunsTableModel` pages the store's runs
lazily; `RunPanel` shows one run's timeline and a step's details; `ProbabilityBars` paints
a classify step's probabilities. Everything shown comes from the store through
`runtime.api` — the view never keeps a copy of its own that could go stale.
"""

from designer.inspector.view import InspectorView

__all__ = ["InspectorView"]
