"""The Evaluate view: a flow's evaluation report, and a recommended act band applied as an
undoable edit."""

from designer.evaluate.view import EvaluateView

__all__ = ["EvaluateView"]
