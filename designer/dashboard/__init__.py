"""The Metrics dashboard: a flow's outcome metrics per autonomy stage, with charts."""

from designer.dashboard.view import DashboardView

__all__ = ["DashboardView"]
