"""Junction designer: the PySide6 flow editor. Talks to the runtime through runtime.api."""
