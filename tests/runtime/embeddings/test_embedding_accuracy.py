"""The support-triage template's intake node with the real bundled MiniLM, on the 60+
labelled messages written for it (templates/support-triage/dataset.jsonl)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from runtime.api import load_flow
from runtime.cli.main import main
from runtime.evaluation.calibration import expected_calibration_error
from runtime.flow.schema import ClassifyNode
from runtime.models import prompts, registry
from runtime.models.base import ChooseRequest, OptionSpec

pytestmark = pytest.mark.realmodel


def dataset(folder: Path) -> list[dict[str, Any]]:
    lines = (folder / "dataset.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_the_dataset_is_big_and_covers_every_option(support_triage: Path) -> None:
    rows = dataset(support_triage)
    node = load_flow(support_triage / "flow.yaml").flow.node("intake")
    assert isinstance(node, ClassifyNode)
    labels = [row["expected"]["intake"] for row in rows]
    assert len(rows) >= 60 and len({row["id"] for row in rows}) == len(rows)
    assert set(labels) == {o.name for o in node.options}
    assert all(len(o.examples) >= 3 for o in node.options)


def test_bundled_minilm_sorts_the_template_dataset_accurately_and_honestly(
        minilm: Any, support_triage: Path) -> None:
    loaded = load_flow(support_triage / "flow.yaml")
    node = loaded.flow.node("intake")
    assert isinstance(node, ClassifyNode) and node.method == "embeddings"
    provider = registry.resolve_embedding(loaded.flow.embedding_model or "",
                                          loaded.base_dir)
    names = [o.name for o in node.options]
    options = [OptionSpec(name=o.name, description=o.description, examples=o.examples)
               for o in node.options]
    probs, labels, millis = [], [], []
    for row in dataset(support_triage):
        text = prompts.case_text(node, loaded.flow, row)
        result = provider.choose(ChooseRequest(node_id="intake", case_id=row["id"], text=text,
                                               messages=[], options=options,
                                               method="embeddings",
                                               temperature=node.temperature))
        assert result.call.confidence_kind == "measured"
        probs.append([result.probabilities[n] for n in names])
        labels.append(names.index(row["expected"]["intake"]))
        millis.append(result.call.latency_ms)
    p, y = np.array(probs), np.array(labels)
    accuracy = float((p.argmax(axis=1) == y).mean())
    ece = expected_calibration_error(p, y)
    print(f"\nsupport-triage intake, bundled MiniLM: accuracy {accuracy:.1%} on {len(y)} "
          f"cases (chance {1 / len(names):.0%}), ECE {ece:.3f}, "
          f"median {float(np.median(millis)):.1f} ms per decision")
    assert accuracy >= 0.8
    assert ece < 0.15
    assert np.allclose(p.sum(axis=1), 1.0)


def test_calibrating_the_template_reports_ece_and_writes_one_line(
        minilm: Any, support_triage: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "support-triage"
    shutil.copytree(support_triage, folder)
    before = (folder / "flow.yaml").read_text()
    code = main(["calibrate", str(folder / "flow.yaml"), "--dataset",
                 str(folder / "dataset.jsonl"), "--write", "--json"])
    assert code == 0
    [report] = json.loads(capsys.readouterr().out)["nodes"]
    print(f"\ncalibrate intake: T {report['temperature_before']} → "
          f"{report['temperature_after']}, ECE {report['ece_before']} → {report['ece_after']}, "
          f"log-loss {report['log_loss_before']} → {report['log_loss_after']}")
    assert report["cases"] >= 60
    assert report["log_loss_after"] <= report["log_loss_before"]
    assert 0.005 < report["temperature_after"] < 0.2
    added = set((folder / "flow.yaml").read_text().splitlines()) - set(before.splitlines())
    assert added == {f"  temperature: {report['temperature_after']}"}


def test_the_step_log_shows_similarities_next_to_probabilities(
        minilm: Any, support_triage: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = json.dumps({"id": "S-1", "subject": "Crash", "customer_tier": "free",
                       "message": "The app crashes whenever I open my invoices."})
    assert main(["run", str(support_triage / "flow.yaml"), "--case", case, "--json"]) == 0
    run = json.loads(capsys.readouterr().out)
    assert main(["show", run["id"]]) == 0
    shown = capsys.readouterr().out
    assert "confidence (measured): technical" in shown
    assert "similarity (temperature 0.03): technical" in shown


def test_the_template_batch_classifies_every_sample_case_by_embeddings(
        minilm: Any, support_triage: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The README's first command: every case runs; scripted answers cover the other nodes."""
    code = main(["batch", str(support_triage / "flow.yaml"), "--cases",
                 str(support_triage / "cases.jsonl"), "--json"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 0 and "failed" not in summary["counts"]
    assert main(["runs", "--json"]) == 0
    runs = json.loads(capsys.readouterr().out)
    assert len(runs) == summary["cases"] == 24
    for run in runs[:5]:
        assert main(["show", run["id"], "--json"]) == 0
        steps = json.loads(capsys.readouterr().out)["steps"]
        intake = next(s for s in steps if s["node"] == "intake")
        assert intake["output"]["confidence_kind"] == "measured"
        assert intake["model_call"]["model"] == "all-minilm-l6-v2"


def test_threads_share_one_loaded_model_and_get_the_same_answers(
        minilm: Any, support_triage: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    loaded = load_flow(support_triage / "flow.yaml")
    node = loaded.flow.node("intake")
    assert isinstance(node, ClassifyNode)
    options = [OptionSpec(name=o.name, description=o.description, examples=o.examples)
               for o in node.options]
    rows = dataset(support_triage)[:16]
    refs = ["sentence-transformers:all-minilm-l6-v2", "sentence-transformers:bundled"]

    def label(index: int) -> str:
        provider = registry.resolve_embedding(refs[index % 2], loaded.base_dir)
        row = rows[index]
        request = ChooseRequest(node_id="intake", case_id=row["id"], messages=[],
                                options=options, text=prompts.case_text(node, loaded.flow, row))
        return provider.choose(request).label

    sequential = [label(i) for i in range(len(rows))]
    with ThreadPoolExecutor(max_workers=8) as pool:
        concurrent = list(pool.map(label, range(len(rows))))
    assert concurrent == sequential
    one, other = (registry.resolve_embedding(ref, loaded.base_dir) for ref in refs)
    assert one.embedder.load() is other.embedder.load() is minilm.load()  # type: ignore[attr-defined]
