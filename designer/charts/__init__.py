"""Small charts painted with QPainter for the Evaluate view and the Metrics dashboard.

Why painted by hand: the charts are few and simple (a curve, bars, a diagonal), QtCharts
is in PySide6-Addons (not installed; hundreds of MB) and pyqtgraph would bring numpy and
a plotting framework for four pictures. Every chart draws its title, axes with ticks and
labelled values, and says so in plain words when it has nothing to show.
"""

from designer.charts.empty import EmptyState
from designer.charts.plots import BarChart, CurveChart, Series

__all__ = ["BarChart", "CurveChart", "EmptyState", "Series"]
