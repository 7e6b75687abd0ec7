"""libyaml parses flow files (fast) with exactly the values, line marks and error
messages of the pure-Python loader."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from runtime.errors import FlowError
from runtime.flow import yamlio

REPO = Path(__file__).parents[3]
FLOWS = sorted((REPO / "templates").glob("*/flow.yaml"))


@pytest.fixture
def pure_python(monkeypatch):
    def parse(text: str):
        monkeypatch.setattr(yamlio, "FAST_LOADER", yaml.SafeLoader)
        try:
            return yamlio.parse(text, "flow.yaml")
        finally:
            monkeypatch.undo()
    return parse


def test_libyaml_is_used_where_installed():
    assert yamlio.FAST_LOADER is getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@pytest.mark.parametrize("path", FLOWS, ids=lambda p: p.parent.name)
def test_every_template_parses_to_the_same_values_and_lines(path, pure_python):
    text = path.read_text(encoding="utf-8")
    fast, slow = yamlio.parse(text, "flow.yaml"), pure_python(text)
    assert fast.data == slow.data
    assert fast.lines == slow.lines


@pytest.mark.parametrize("text", [
    "a: 1\n\tb: 2\n",                 # a tab where indentation is expected
    "a: [1, 2\nb: 3\n",               # an unclosed list
    "a: 1\na: 2\n",                   # a duplicate key (our check, on the composed tree)
    "nodes:\n  - id: x\n    id: y\n",
    "a: *nowhere\n",                  # an undefined alias
])
def test_errors_read_the_same_with_either_loader(text, pure_python):
    with pytest.raises(FlowError) as fast:
        yamlio.parse(text, "flow.yaml")
    with pytest.raises(FlowError) as slow:
        pure_python(text)
    assert [str(p) for p in fast.value.problems] == [str(p) for p in slow.value.problems]
    assert fast.value.problems[0].line is not None
