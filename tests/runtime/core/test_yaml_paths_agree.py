"""The one-pass reader over libyaml's events and the careful path (compose, then build)
agree on any document: same values, same line marks, same errors — generated YAML and
junk text, not just examples. (libyaml and PyYAML's pure-Python parser themselves differ
on a few corner cases, e.g. a tab after a plain scalar, so the careful path with the same
libyaml composer is the oracle.)"""

from __future__ import annotations

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtime.errors import FlowError
from runtime.flow import yamlio

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["yes", "no", "on", "off", "~", "2024-01-02", "1e3", "0x1f", ".inf", "<<"]),
)
KEYS = st.one_of(st.text(min_size=1, max_size=8),
                 st.sampled_from(["id", "kind", "on", "yes", "1", "null"]))
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=20)
STYLES = st.sampled_from([None, True, False])  # block, flow, default


def _outcome(read):
    try:
        document = read()
    except FlowError as exc:
        return ("error", [str(p) for p in exc.problems])
    return ("ok", document.data, document.lines)


def _always_unusual(events):
    raise yamlio._Unusual("test: take the careful path")


def _both(text: str, monkeypatch: pytest.MonkeyPatch):
    fast = _outcome(lambda: yamlio.parse(text, "flow.yaml"))
    with monkeypatch.context() as patch:
        patch.setattr(yamlio, "_read_events", _always_unusual)
        slow = _outcome(lambda: yamlio.parse(text, "flow.yaml"))
    return fast, slow


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=VALUES, style=STYLES)
def test_generated_documents_read_the_same_either_way(value, style, monkeypatch):
    text = yaml.safe_dump(value, default_flow_style=style, allow_unicode=True)
    fast, slow = _both(text, monkeypatch)
    assert fast == slow


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.sampled_from(list("ab:-[]{}&*!#'\"\n\t ,?|>1.%@`")), max_size=60))
def test_junk_text_reads_the_same_either_way(text, monkeypatch):
    fast, slow = _both(text, monkeypatch)
    assert fast == slow
