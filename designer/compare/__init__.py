"""The trainer's replay and the compare view: the same cases at another stage or model,
side by side."""
