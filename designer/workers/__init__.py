"""Threads that drive the runtime for the GUI and re-emit what it reports as Qt signals.

The runtime never knows Qt (napari's `_qt/qthreading.py` pattern): a `Worker` runs a
runtime call or generator in a `QThread`, an `EventRelay` is the runtime `Observer`
whose events arrive in the GUI thread as signals.
"""
