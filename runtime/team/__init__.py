"""Team mode: runs distributed to workers on several machines through a PostgreSQL job
queue (Procrastinate), with runs, steps and tasks in the shared team store."""
