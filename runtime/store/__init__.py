"""The workspace store: one SQLite file holding runs, steps, tasks and records."""
