"""A model at chance is refused: the bundled Gemma 3 270M on the support-triage dataset.

The template's intake node (forced to the LLM method, each label routed to its own end)
is evaluated with `--model llamacpp:bundled` on a small sample of the template's labelled
dataset — two cases per option — and `junction readiness` must say "not ready", with the
numbers behind it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from eval_support import OPTIONS, dataset_rows

from runtime.cli.main import main

pytestmark = [pytest.mark.realmodel, pytest.mark.slow]


def intake_only(template: Path, folder: Path) -> Path:
    flow = yaml.safe_load((template / "flow.yaml").read_text(encoding="utf-8"))
    node = next(n for n in flow["nodes"] if n["id"] == "intake")
    node["method"] = "llm"
    derived = {
        "format_version": flow["format_version"], "name": "Intake on the bundled model",
        "case_fields": flow["case_fields"], "record_fields": flow["record_fields"],
        "nodes": [{"id": "start", "kind": "start"}, node, {"id": "route", "kind": "decision"},
                  *({"id": f"as_{n}", "kind": "end", "outcome": n} for n in OPTIONS),
                  {"id": "other", "kind": "end", "outcome": "other"}],
        "edges": [{"from": "start", "to": "intake"}, {"from": "intake", "to": "route"},
                  *({"from": "route", "to": f"as_{n}",
                     "when": {"field": "intake.label", "op": "eq", "value": n}}
                    for n in OPTIONS),
                  {"from": "route", "to": "other", "else": True}],
    }
    path = folder / "intake.yaml"
    path.write_text(yaml.safe_dump(derived, sort_keys=False), encoding="utf-8")
    return path


def test_readiness_refuses_the_bundled_small_model(
        support_triage: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    flow = intake_only(support_triage, tmp_path)
    sample: list[dict] = []
    for option in OPTIONS:
        sample += [r for r in dataset_rows() if r["expected"]["intake"] == option][:2]
    dataset = tmp_path / "sample.jsonl"
    dataset.write_text("".join(json.dumps(r) + "\n" for r in sample), encoding="utf-8")
    home, out = tmp_path / "home", tmp_path / "eval"
    assert main(["eval", str(flow), "--dataset", str(dataset), "--model", "llamacpp:bundled",
                 "--home", str(home), "--out", str(out)]) == 0
    capsys.readouterr()
    # the result went to --out, not the workspace's evaluations folder: name it
    assert main(["readiness", str(flow), "--home", str(home), "--json",
                 "--eval", str(out / "result.json")]) == 0
    [node] = json.loads(capsys.readouterr().out)["nodes"]
    evidence = node["evidence"]
    assert node["ready_for"] is None
    assert node["verdict"].startswith("not ready: 10 labelled cases, copilot needs at least 50")
    assert evidence["cases"] == 10 and evidence["chance"] == pytest.approx(0.2)
    with capsys.disabled():
        print(f"\nbundled Gemma 3 270M on 10 dataset cases: accuracy "
              f"{evidence['accuracy']:.0%}, {evidence['acting_alone']} at the act band; "
              f"verdict: {node['verdict']}")
