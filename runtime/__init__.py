"""Junction runtime: the headless engine behind the designer and the `junction` command.

Nothing in this package imports Qt or the designer; an import-linter contract enforces it.
"""

__version__ = "0.1.0"
