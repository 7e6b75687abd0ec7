"""Where things are, for tests in any folder (`from paths import REPO, TEMPLATES`)."""

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TEMPLATES = REPO / "templates"
