"""The inbox view: open human tasks across runs, their handoff packets, and deciding them."""
