"""The property panel: forms generated from the flow's pydantic models."""
