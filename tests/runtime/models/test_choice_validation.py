"""Every provider's classify answer is checked the same way, and a confidence accounts for
the share of the answer that went to no option at all.

The scripted model is held to the real providers' standard ("never trusted"): junk in a
scripted file is invalid model output — retried or handed to a person — never an action
and never a crash. Generated answers (hypothesis) check the rule, not just the examples.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from model_support import OPTIONS, FakeOllama, Reply, chat_body, choose_request, token

from runtime.api import RunStatus, Workspace, load_flow
from runtime.models import answers, registry
from runtime.models.base import ExtractRequest, ModelUnavailable, OutputInvalid
from runtime.models.scripted import ScriptedProvider

NAMES = [o.name for o in OPTIONS]


def scripted(answer: Any) -> ScriptedProvider:
    return ScriptedProvider("scripted:test", {"nodes": {"intake": answer}})


# -- option mass ---------------------------------------------------------------------------


def test_one_percent_on_an_option_is_not_a_certain_answer(fake_ollama: FakeOllama) -> None:
    """99% of the first token on a word that is no option, 1% on `refund`."""
    top = [("The", math.log(0.99)), ("refund", math.log(0.01))]
    fake_ollama.answer(chat_body("The", logprobs=[token("The", math.log(0.99), top)]))

    result = fake_ollama.provider().choose(choose_request())

    assert result.label == "refund"
    assert result.probabilities["refund"] == pytest.approx(1.0)  # which option it leaned to
    assert result.confidence == pytest.approx(0.01)  # how sure it was of anything
    assert "only 1% of the model's answer went to the options" in result.note


def test_a_full_answer_on_the_options_keeps_its_confidence_and_says_nothing(
        fake_ollama: FakeOllama) -> None:
    top = [("refund", math.log(0.9)), ("billing", math.log(0.1))]
    fake_ollama.answer(chat_body("refund", logprobs=[token("refund", math.log(0.9), top)]))

    result = fake_ollama.provider().choose(choose_request())

    assert result.confidence == pytest.approx(0.9) and result.note == ""


def test_scripted_probabilities_that_leave_mass_elsewhere_lower_the_confidence() -> None:
    result = scripted({"probabilities": {"refund": 0.3, "billing": 0.1}}).choose(
        choose_request())

    assert result.label == "refund"
    assert result.probabilities["refund"] == pytest.approx(0.75)
    assert result.confidence == pytest.approx(0.3)
    assert "40% of the model's answer" in result.note


FLOW = """\
format_version: 1
name: Mass
autonomy: operate
default_model: ollama:llama3.2:3b
case_fields:
- {name: message, required: true}
nodes:
- {id: start, kind: start}
- id: intake
  kind: ai
  role: classify
  method: llm
  options:
  - {name: spam, description: unsolicited advertising}
  - {name: billing, description: invoices and payments}
  guardrails:
    bands: {act: 0.8, suggest: 0.5}
- {id: done, kind: end, outcome: closed}
edges:
- {from: start, to: intake}
- {from: intake, to: done}
"""


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    monkeypatch.setenv("JUNCTION_OLLAMA_RETRIES", "0")
    registry.clear_cache()
    ws = Workspace.open(tmp_path / "home")
    yield ws
    ws.close()
    registry.clear_cache()


def test_a_run_does_not_close_a_ticket_on_one_percent_and_the_packet_says_why(
        tmp_path: Path, workspace: Workspace, fake_ollama: FakeOllama,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OLLAMA_HOST", fake_ollama.host)
    flow_file = tmp_path / "flow.yaml"
    flow_file.write_text(FLOW)
    top = [("I", math.log(0.99)), ("spam", math.log(0.01))]
    fake_ollama.answer(chat_body("I", logprobs=[token("I", math.log(0.99), top)]))

    run = workspace.engine().start(load_flow(flow_file), {"id": "m-1", "message": "hi"})

    assert run.status is RunStatus.blocked
    [task] = workspace.store.tasks(run_id=run.id)
    assert "below the suggest band" in task.reason
    assert "only 1% of the model's answer went to the options" in task.reason
    assert "only 1%" in task.packet["ai"]["confidence_note"]
    step = workspace.store.steps(run.id)[1]
    assert step.output["confidence"] == pytest.approx(0.01)
    assert "1%" in step.output["confidence_note"]


# -- the scripted model is checked like a real one ------------------------------------------

JUNK = [
    {"label": "refund", "confidence": "0.99"},
    {"label": "refund", "confidence": 1.5},
    {"label": "refund", "confidence": "high"},
    {"label": "refund", "confidence": True},
    {"label": "refund", "confidence": float("nan")},
    {"label": "refund", "confidence": -0.1},
    {"label": "nonsense", "confidence": 0.9},
    {"label": ["refund"], "confidence": 0.9},
    {"probabilities": {"refund": 50, "billing": 1}},
    {"probabilities": {"refund": "0.9"}},
    {"probabilities": {"elsewhere": 0.9}},
    {"probabilities": {"refund": 0.7, "billing": 0.7}},
    {"probabilities": {"refund": 0, "billing": 0}},
    {"probabilities": ["refund"]},
    {"probabilities": None},
]


@pytest.mark.parametrize("answer", JUNK, ids=[json.dumps(j)[:40] for j in JUNK])
def test_junk_from_a_scripted_model_is_invalid_output(answer: dict[str, Any]) -> None:
    with pytest.raises(OutputInvalid, match="scripted model: invalid answer") as caught:
        scripted(answer).choose(choose_request())
    assert caught.value.call is not None  # what it said is kept for the audit trail


def test_every_problem_of_an_answer_is_named_at_once() -> None:
    with pytest.raises(OutputInvalid) as caught:
        scripted({"probabilities": {"refund": "0.9", "nope": 0.1, "billing": 2}}).choose(
            choose_request())
    message = str(caught.value)
    assert "'refund'" in message and "'nope' is not an option" in message
    assert "'billing'" in message


@pytest.mark.parametrize("confidence", ["0.99", 1.5, "high", []])
def test_a_scripted_extract_confidence_is_checked_too(confidence: Any) -> None:
    provider = ScriptedProvider("scripted:test", {"nodes": {"update": {
        "values": {"priority": "high"}, "confidence": confidence,
        "field_confidence": {"priority": 0.9}}}})
    request = ExtractRequest(node_id="update", case_id="c", messages=[], fields=["priority"],
                             json_schema={"type": "object"})
    with pytest.raises(OutputInvalid, match="the confidence"):
        provider.extract(request)


SCRIPTED_FLOW = FLOW.replace("default_model: ollama:llama3.2:3b",
                             "default_model: scripted:answers.yaml")


@pytest.mark.parametrize("answer", [
    {"label": "spam", "confidence": "0.99"}, {"label": "spam", "confidence": "high"},
    {"probabilities": {"spam": 50, "billing": 1}}, {"label": "spam", "confidence": 1.5}])
def test_a_run_on_junk_scripted_answers_goes_to_a_person_and_closes_nothing(
        tmp_path: Path, workspace: Workspace, answer: dict[str, Any]) -> None:
    (tmp_path / "flow.yaml").write_text(SCRIPTED_FLOW)
    (tmp_path / "answers.yaml").write_text(json.dumps({"nodes": {"intake": answer}}))

    run = workspace.engine().start(load_flow(tmp_path / "flow.yaml"),
                                   {"id": "s-1", "message": "buy now"})

    assert run.status is RunStatus.blocked
    [task] = workspace.store.tasks(run_id=run.id)
    assert task.node_id == "intake" and "invalid answer" in task.reason


# -- generated answers ------------------------------------------------------------------------

_scalars = (st.none() | st.booleans() | st.integers(-10**30, 10**30)
            | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=8)
            | st.sampled_from(NAMES) | st.sampled_from(["0.5", "1", "high", "1e9"]))
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3)
                       | st.dictionaries(st.text(max_size=6) | st.sampled_from(NAMES), inner,
                                         max_size=3), max_leaves=6)
_answers = (_values
            | st.fixed_dictionaries({"label": _values}, optional={"confidence": _values})
            | st.fixed_dictionaries({"probabilities": _values
                                     | st.dictionaries(st.sampled_from(NAMES), _scalars,
                                                       max_size=3)}))


def _is_probability(value: Any) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value) and 0 <= value <= 1)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answer=_answers)
def test_a_generated_answer_is_either_a_sound_choice_or_invalid_output(answer: Any) -> None:
    try:
        result = scripted(answer).choose(choose_request())
    except OutputInvalid:
        return
    assert result.label in NAMES
    assert 0.0 <= result.confidence <= 1.0
    assert all(0.0 <= p <= 1.0 for p in result.probabilities.values())
    # The label is never contradicted by the distribution shown with it.
    assert result.probabilities[result.label] == max(result.probabilities.values())
    if isinstance(answer, dict) and "probabilities" in answer:
        given_ = answer["probabilities"]
        assert all(_is_probability(v) and k in NAMES for k, v in given_.items())
        assert sum(given_.values()) <= 1 + answers.SUM_TOLERANCE
    elif isinstance(answer, dict) and "confidence" in answer:
        assert _is_probability(answer["confidence"])
        assert result.confidence == pytest.approx(float(answer["confidence"]))


@settings(max_examples=200, deadline=None)
@given(confidence=st.floats(0, 1), label=st.sampled_from(NAMES))
def test_a_self_reported_confidence_never_makes_another_option_look_likelier(
        confidence: float, label: str) -> None:
    probabilities = answers.label_confidence(label, confidence, NAMES)

    assert probabilities[label] == pytest.approx(confidence)
    assert all(p <= probabilities[label] for p in probabilities.values())
    assert sum(probabilities.values()) <= 1 + 1e-9


def test_a_self_reported_zero_from_ollama_keeps_its_label(fake_ollama: FakeOllama) -> None:
    fake_ollama.answer(chat_body("billing"),
                       chat_body(json.dumps({"label": "billing", "confidence": 0})))

    result = fake_ollama.provider().choose(choose_request())

    assert result.call.confidence_kind == "self_reported"
    assert result.label == "billing" and result.confidence == 0.0
    assert max(result.probabilities.values()) == result.probabilities["billing"]


# -- a garbled body is a transient error -------------------------------------------------------

GOOD = chat_body("refund", logprobs=[token("refund", math.log(0.9),
                                           [("refund", math.log(0.9)),
                                            ("billing", math.log(0.1))])])


@pytest.mark.parametrize("garbled", ['{"model": "llama3', "<html>502 Bad Gateway</html>",
                                     "[1, 2, 3]", '{"message": 7}'])
def test_a_garbled_body_is_retried_and_then_succeeds(fake_ollama: FakeOllama,
                                                     garbled: str) -> None:
    fake_ollama.answer(Reply(garbled=garbled), GOOD)

    result = fake_ollama.provider(retries=2).choose(choose_request())

    assert result.label == "refund" and result.call.attempts == 2


def test_a_body_garbled_every_time_blocks_after_the_retries(fake_ollama: FakeOllama) -> None:
    fake_ollama.answer(Reply(garbled='{"model": "llama3'))

    with pytest.raises(ModelUnavailable, match=r"cannot read.*after 3 tries"):
        fake_ollama.provider(retries=2).choose(choose_request())
    assert len(fake_ollama.chats) == 3


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=3),
    max_leaves=8)


def _mutated_chat_body(key: str, value: Any) -> str:
    body = dict(GOOD)
    body[key] = value
    return json.dumps(body)


_bodies = (st.text(max_size=60)
           | _json_values.map(json.dumps)
           | st.builds(_mutated_chat_body,
                       st.sampled_from(["message", "logprobs", "done_reason", "eval_count",
                                        "prompt_eval_count", "model"]), _json_values))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=_bodies)
def test_any_http_reply_from_ollama_is_an_answer_or_a_model_error(
        fake_ollama: FakeOllama, body: str) -> None:
    """Whatever the server sends, classify ends in a checked answer, invalid output or an
    unavailable model — never another exception (which would crash the step)."""
    fake_ollama.answer(Reply(garbled=body))
    try:
        result = fake_ollama.provider(retries=0).choose(choose_request())
    except (OutputInvalid, ModelUnavailable):
        return
    assert result.label in NAMES and 0.0 <= result.confidence <= 1.0
