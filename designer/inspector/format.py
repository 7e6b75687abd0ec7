"""Small text helpers shared by the inspector's widgets (times, durations, values)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from runtime.api import visible_controls

NOT_RECORDED = "not recorded"


def parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def local_time(text: str | None) -> str:
    """An ISO timestamp as local "YYYY-MM-DD HH:MM:SS" (empty when there is none)."""
    moment = parse_time(text)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def duration(start: str | None, end: str | None) -> str:
    """How long between two timestamps, readable ("340 ms", "2.4 s", "3 min 05 s")."""
    a, b = parse_time(start), parse_time(end)
    if a is None or b is None:
        return ""
    return milliseconds((b - a).total_seconds() * 1000)


def milliseconds(value: float | None) -> str:
    if value is None:
        return NOT_RECORDED
    if value < 1000:
        return f"{value:.0f} ms" if value >= 10 else f"{value:.1f} ms"
    seconds = value / 1000
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} min {rest:02d} s"


def plain(value: Any) -> str:
    """Any recorded value as plain, readable text (JSON for structures); bidi controls
    made visible so a case cannot reorder what a person reads."""
    if value is None:
        return NOT_RECORDED
    if not isinstance(value, str):
        value = json.dumps(value, indent=2, ensure_ascii=False, default=str)
    return visible_controls(value)


def inline(value: Any, width: int = 80) -> str:
    """A value on one line, clipped."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False,
                                                            default=str)
    text = visible_controls(" ".join(text.split()))
    return text if len(text) <= width else text[: width - 1] + "…"
