"""Measuring flows against labelled cases: calibration now, batch evaluation later."""
