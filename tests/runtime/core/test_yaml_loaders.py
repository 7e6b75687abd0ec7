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


@pytest.mark.parametrize("text", [
    "a: &x {b: 1}\nc: *x\n",                   # an alias: read again by the careful path
    "on: yes\nno: 2\nwhen: 2024-01-02\nt: !!str 3\nf: 1.5e3\nn: ~\nb: !!binary aGk=\n",
    "- [1, [2, [3, {d: e}]]]\n- ''\n- 'quoted: yes'\n",
    "k: !!set {a, b}\n",                       # an unusual tag: refused alike
    "<<: {a: 1}\n",                            # a merge key: refused alike
    "? [a, b]\n: c\n",                         # a list as a key
    "a: 1\n---\nb: 2\n",                       # two documents
    "# only a comment\n",
    "---\n",
])
def test_one_pass_reader_matches_the_careful_path(text, pure_python):
    """Values, line marks and errors are the same whichever path reads the file."""
    def outcome(read):
        try:
            document = read()
        except FlowError as exc:
            return [str(p) for p in exc.problems]
        return document.data, document.lines
    assert outcome(lambda: yamlio.parse(text, "flow.yaml")) == outcome(lambda: pure_python(text))


def test_a_big_generated_flow_reads_the_same_in_one_pass(pure_python):
    nodes = [{"id": f"n{i}", "kind": "ai", "role": "classify", "title": f"Step {i}",
              "options": [{"name": "yes"}, {"name": "no"}], "position": [i * 10, 20]}
             for i in range(300)]
    text = yaml.safe_dump({"format_version": 1, "nodes": nodes}, sort_keys=False)
    fast, slow = yamlio.parse(text, "flow.yaml"), pure_python(text)
    assert fast.data == slow.data
    assert fast.lines == slow.lines
