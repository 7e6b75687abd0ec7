"""Guardrails: what an AI or action step may do, enforced in code (never by the prompt)."""
