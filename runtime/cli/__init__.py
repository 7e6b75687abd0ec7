"""The `junction` command."""
