"""Readable reports over what the store recorded (a run's step facts, run exports)."""
