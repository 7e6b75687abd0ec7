"""`junction calibrate` on a generative classify node: a temperature on its measured option
probabilities, fitted on labelled cases and applied by the run."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from runtime.api import Workspace, load_flow
from runtime.cli.main import main
from runtime.flow.schema import ClassifyNode
from runtime.models import registry
from runtime.models.base import CallInfo, ChooseRequest, ChooseResult
from runtime.models.option_temperature import temper

NAMES = ["refund", "login", "crash"]


class Overconfident:
    """Answers the option named in the text with 0.96, except that a text saying 'tricky'
    gets the next option — equally sure. Right 2 times in 3 and always 96% sure."""

    ref = "overconfident:"

    def choose(self, request: ChooseRequest) -> ChooseResult:
        names = [o.name for o in request.options]
        said = next((n for n in names if n in request.text), names[0])
        if "tricky" in request.text:
            said = names[(names.index(said) + 1) % len(names)]
        probs = {n: 0.96 if n == said else 0.04 / (len(names) - 1) for n in names}
        call = CallInfo(provider="test", model="overconfident", confidence_kind="measured")
        return ChooseResult(label=said, probabilities=probs, call=call)

    def extract(self, request: Any) -> Any:
        raise NotImplementedError

    def draft(self, request: Any) -> Any:
        raise NotImplementedError


@pytest.fixture
def llm_flow(tickets_dir: Path) -> Iterator[Path]:
    registry.register("overconfident", lambda ref, rest, base: Overconfident())
    flow = tickets_dir / "flow.yaml"
    flow.write_text(flow.read_text().replace("method: embeddings", "method: llm")
                    .replace("default_model: scripted:scripted.yaml",
                             "default_model: 'overconfident:'"))
    yield flow
    registry.clear_cache()


def dataset(path: Path) -> Path:
    rows = []
    for i in range(30):
        label = NAMES[i % 3]
        message = f"about {label}" + (" tricky" if i % 3 == (i // 3) % 3 else "")
        rows.append(json.dumps({"id": f"C-{i}", "message": message,
                                "expected": {"intake": label}}))
    path.write_text("\n".join(rows) + "\n")
    return path


def test_temper_keeps_the_winner_and_softens_above_one() -> None:
    probs = {"a": 0.9, "b": 0.08, "c": 0.02}
    soft = temper(probs, 2.0)
    assert max(soft, key=soft.__getitem__) == "a" and soft["a"] < 0.9
    assert sum(soft.values()) == pytest.approx(1.0)
    # by hand: 0.9^0.5 / (0.9^0.5 + 0.08^0.5 + 0.02^0.5)
    assert soft["a"] == pytest.approx(0.9 ** 0.5 / (0.9 ** 0.5 + 0.08 ** 0.5 + 0.02 ** 0.5))
    assert temper(probs, 1.0) == pytest.approx(probs)


def test_calibrate_fits_a_generative_node_and_the_run_applies_the_temperature(
        llm_flow: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = dataset(tmp_path / "labelled.jsonl")
    assert main(["calibrate", str(llm_flow), "--dataset", str(data), "--write",
                 "--json"]) == 0
    [report] = json.loads(capsys.readouterr().out)["nodes"]
    assert report["model"] == "overconfident:" and report["cases"] == 30
    assert report["accuracy"] == pytest.approx(2 / 3, abs=0.01)
    assert report["temperature_before"] == 1.0 and report["temperature_after"] > 1.5
    assert report["ece_after"] < report["ece_before"]
    assert report["ece_after_held_out"] is not None and report["held_out_folds"] == 5
    node = load_flow(llm_flow).flow.node("intake")
    assert isinstance(node, ClassifyNode) and node.temperature == report["temperature_after"]

    ws = Workspace.open(tmp_path / "home")
    try:
        run = ws.engine().start(load_flow(llm_flow), {"id": "x", "message": "about login"})
        [step] = [s for s in ws.store.steps(run.id) if s.node_id == "intake"]
    finally:
        ws.close()
    assert step.output["label"] == "login"
    assert step.output["confidence"] < 0.8, "a 96%-sure model right 2 times in 3 is tempered"
    assert step.model_call["details"]["untempered_probabilities"]["login"] == 0.96


def test_calibrate_text_shows_held_out_ece_next_to_the_in_sample_one(
        llm_flow: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = dataset(tmp_path / "labelled.jsonl")
    assert main(["calibrate", str(llm_flow), "--dataset", str(data)]) == 0
    shown = capsys.readouterr().out
    assert "held-out (5-fold)" in shown and "in-sample" in shown
