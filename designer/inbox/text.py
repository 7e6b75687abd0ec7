"""Model and case text shown where Qt would guess at rich text (tooltips)."""

from __future__ import annotations

import html
from typing import Any


def plain_tooltip(text: Any) -> str:
    """A tooltip that shows `text` as typed. Qt guesses whether a tooltip is rich text, so
    model text such as "<b>x</b>" would render bold: escaped inside <qt> it cannot."""
    return "<qt>" + html.escape(str(text)).replace("\n", "<br>") + "</qt>"
