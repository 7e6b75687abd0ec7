"""The engine: compile a flow into a plan, walk it durably, emit typed events."""
