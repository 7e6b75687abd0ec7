"""Small files the style sheet refers to (icons Qt style sheets can only take as files)."""
