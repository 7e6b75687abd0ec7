"""Node kinds as data: one module per kind (`start`, `end`, `decision`, `human`, `action`,
and the AI roles `classify`, `assist`, `enforce`, keyed `ai.<role>`), each declaring a
`NodeSpec`, and the one list of them in `registry`.

Layering: this package is the bottom of the runtime. It imports nothing from
`runtime.flow` or above; the flow document builds its node union from here, and the
engine registers each kind's executor under the same key.
"""
