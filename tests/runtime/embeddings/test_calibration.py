"""`junction calibrate`: a temperature that lowers log-loss, ECE before/after, one line
written into a canonical flow file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from fake_ollama_embed import FakeOllama

from runtime.api import HumanDecision, Workspace, dump_flow, load_flow
from runtime.cli.main import main
from runtime.evaluation.calibration import (
    LabelledScores,
    calibrate,
    expected_calibration_error,
    fit_temperature,
    log_loss,
)
from runtime.flow.schema import ClassifyNode
from runtime.models.embedding_scoring import softmax_rows

LABELLED = [("refund my money", "refund"), ("I want a refund", "refund"),
            ("refund for the broken parcel", "refund"), ("money back please", "refund"),
            ("forgot my password", "login"), ("login rejects my password", "login"),
            ("cannot sign in", "login"), ("password reset", "login"),
            ("the app crashes", "crash"), ("crash when opening settings", "crash"),
            ("error on start", "crash"), ("the app fails", "crash")]


def synthetic(true_t: float, cases: int = 600, seed: int = 7) -> LabelledScores:
    """Scores like cosine similarities, with labels drawn from softmax(scores / true_t):
    a model for which `true_t` is, by construction, the calibrated temperature."""
    rng = np.random.default_rng(seed)
    scores = rng.uniform(0.1, 0.7, size=(cases, 4))
    probs = softmax_rows(scores, true_t)
    labels = np.array([rng.choice(4, p=p) for p in probs], dtype=np.int64)
    return LabelledScores(["a", "b", "c", "d"], scores, labels)


@pytest.mark.parametrize("start", [0.5, 0.004])
def test_the_fit_moves_the_temperature_toward_lower_log_loss(start: float) -> None:
    data = synthetic(true_t=0.05)
    report = calibrate(data, node="n", model="m", source="synthetic", current=start)
    assert report.temperature_after == pytest.approx(0.05, rel=0.25)
    assert report.log_loss_after < report.log_loss_before
    assert report.ece_after < report.ece_before
    assert report.ece_after < 0.06


def test_the_fitted_temperature_is_the_minimum_of_log_loss() -> None:
    data = synthetic(true_t=0.03, seed=3)
    fitted = fit_temperature(data)
    assert log_loss(data, fitted) <= min(log_loss(data, fitted * f) for f in (0.8, 1.25))


def test_ece_is_zero_when_confidence_matches_the_hit_rate_and_one_when_it_never_does() -> None:
    probs = np.array([[0.75, 0.25]] * 4)
    assert expected_calibration_error(probs, np.array([0, 0, 0, 1])) == pytest.approx(0.0)
    sure_and_wrong = np.array([[1.0, 0.0]] * 3)
    assert expected_calibration_error(sure_and_wrong, np.array([1, 1, 1])) == pytest.approx(1.0)


def write_dataset(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.write_text("".join(json.dumps({"id": f"L-{i}", "message": message,
                                        "expected": {"intake": label}}) + "\n"
                            for i, (message, label) in enumerate(rows)))
    return path


def test_calibrate_reports_and_with_write_rewrites_the_flow_canonically(
        fake_ollama: FakeOllama, tickets_dir: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    flow = tickets_dir / "flow.yaml"
    data = write_dataset(tmp_path / "labelled.jsonl", LABELLED)
    original = flow.read_text()

    assert main(["calibrate", str(flow), "--dataset", str(data)]) == 0
    shown = capsys.readouterr().out
    assert "12 labelled cases" in shown and "ECE" in shown and "log-loss" in shown
    assert "nothing written" in shown and flow.read_text() == original

    assert main(["calibrate", str(flow), "--dataset", str(data), "--write", "--json"]) == 0
    [report] = json.loads(capsys.readouterr().out)["nodes"]
    assert report["node"] == "intake" and report["cases"] == 12
    assert {"ece_before", "ece_after", "log_loss_before", "log_loss_after"} <= set(report)
    assert report["log_loss_after"] <= report["log_loss_before"]
    text = flow.read_text()
    assert dump_flow(load_flow(flow).flow) == text, "the flow file stays canonical"
    added = set(text.splitlines()) - set(original.splitlines())
    assert added == {f"  temperature: {report['temperature_after']}"}
    node = load_flow(flow).flow.node("intake")
    assert isinstance(node, ClassifyNode) and node.temperature == report["temperature_after"]


def test_calibrate_learns_from_peoples_decisions_in_observe_mode(
        fake_ollama: FakeOllama, tickets_dir: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "home"
    ws = Workspace.open(home)
    try:
        loaded = load_flow(tickets_dir / "flow.yaml")
        for index, (message, label) in enumerate(LABELLED[:8]):
            run = ws.engine().start(loaded, {"id": f"o-{index}", "message": message},
                                    autonomy="observe")
            [task] = ws.store.tasks(run_id=run.id)
            ws.engine().decide(task.id, HumanDecision(action="choose", choice=label))
    finally:
        ws.close()
    flow = str(tickets_dir / "flow.yaml")
    assert main(["calibrate", flow, "--from-decisions", "--home", str(home), "--json"]) == 0
    [report] = json.loads(capsys.readouterr().out)["nodes"]
    assert report["cases"] == 8
    assert report["source"] == "people's decisions in the workspace"


def test_a_label_that_is_not_an_option_is_reported_with_its_line(
        fake_ollama: FakeOllama, tickets_dir: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    data = write_dataset(tmp_path / "bad.jsonl", [*LABELLED[:2], ("hello", "greeting")])
    assert main(["calibrate", str(tickets_dir / "flow.yaml"), "--dataset", str(data)]) == 2
    error = capsys.readouterr().err
    assert "bad.jsonl:3" in error and "'greeting'" in error


def test_a_generative_node_without_measured_probabilities_has_nothing_to_calibrate(
        tickets_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    flow = tickets_dir / "flow.yaml"
    flow.write_text(flow.read_text().replace("method: embeddings", "method: llm"))
    data = write_dataset(tmp_path / "labelled.jsonl", LABELLED)
    assert main(["calibrate", str(flow), "--dataset", str(data), "--node", "intake"]) == 2
    error = capsys.readouterr().err
    assert "node 'intake'" in error and "scripted confidence" in error
