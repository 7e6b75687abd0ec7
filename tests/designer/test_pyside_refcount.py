"""Regression for the trap in DESIGN.md §5: PySide6 6.12.0 on Python 3.11 drops a
reference to None on every Qt call that returns nothing, until the interpreter aborts
("deallocating None"). The designer makes thousands of such calls per drag, so 20,000 of
them must leave None's reference count where it was and the process alive."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import sys
    from PySide6.QtCore import QObject, QPointF
    from PySide6.QtWidgets import QApplication, QGraphicsRectItem, QGraphicsScene, QWidget

    app = QApplication([])
    widget, scene, thing = QWidget(), QGraphicsScene(), QObject()
    item = QGraphicsRectItem(0, 0, 10, 10)
    scene.addItem(item)
    before = sys.getrefcount(None)
    for index in range(5_000):           # 4 void calls each: 20,000
        thing.setObjectName("x")
        widget.setToolTip("y")
        item.setPos(QPointF(index, 0))
        widget.update()
    after = sys.getrefcount(None)
    print(before, after)
""")


def test_twenty_thousand_void_qt_calls_leave_none_alone():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    before, after = map(int, done.stdout.split())
    assert before - after < 100, f"None lost {before - after} references in 20,000 calls"
