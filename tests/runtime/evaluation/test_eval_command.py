"""`junction eval`, `whatif`, `readiness`, `metrics` and `dataset export` on the scripted
copy of the support-triage template (see conftest.py). Every expected figure is computed
here from the dataset and the scripted answer table, not read from the command."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from eval_support import CONFIDENCES, OPTIONS, dataset_rows, outcome_of, scripted_intake

from runtime.api import Workspace
from runtime.cli.main import main

ACT, SUGGEST = 0.8, 0.5  # the template's intake bands


def expected_answers() -> list[dict[str, Any]]:
    found = []
    for index, row in enumerate(dataset_rows()):
        truth = row["expected"]["intake"]
        label, confidence = scripted_intake(index, truth)
        found.append({"id": row["id"], "truth": truth, "label": label,
                      "confidence": confidence, "case": row})
    return found


def run_eval(folder: Path, home: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    out = folder / "out"
    code = main(["eval", str(folder / "flow.yaml"), "--dataset", str(folder / "dataset.jsonl"),
                 "--home", str(home), "--out", str(out), *extra])
    result = json.loads((out / "result.json").read_text(encoding="utf-8"))
    return code, result


def test_eval_reports_exactly_the_figures_worked_out_from_the_answers(
        scripted_triage: Path, tmp_path: Path) -> None:
    code, result = run_eval(scripted_triage, tmp_path / "home")
    assert code == 0
    cases = expected_answers()
    right = [c for c in cases if c["label"] == c["truth"]]
    node = result["nodes"][0]
    assert node["node"] == "intake" and node["cases"] == len(cases) == 67
    assert node["accuracy"] == pytest.approx(len(right) / len(cases))
    matrix = [[sum(1 for c in cases if c["truth"] == t and c["label"] == a) for a in OPTIONS]
              + [0] for t in OPTIONS]
    assert node["confusion"]["matrix"] == matrix
    for score in node["per_option"]:
        answered = [c for c in cases if c["label"] == score["option"]]
        assert score["predicted"] == len(answered)
        assert score["correct"] == sum(c["truth"] == score["option"] for c in answered)
    for point in node["risk_coverage"]:
        acting = [c for c in cases if c["confidence"] >= point["threshold"]]
        assert (point["acting"], point["right"]) == (
            len(acting), sum(c["label"] == c["truth"] for c in acting))
    ece = 0.0
    for confidence in CONFIDENCES:  # one confidence per bin, so a bin is a confidence
        members = [c for c in cases if c["confidence"] == confidence]
        accuracy = sum(c["label"] == c["truth"] for c in members) / len(members)
        ece += len(members) / len(cases) * abs(accuracy - confidence)
    assert node["calibration"]["ece"] == pytest.approx(ece)
    assert node["confidence_kinds"] == {"scripted": 67}
    acting_wrong = [c for c in cases if c["confidence"] >= ACT and c["label"] != c["truth"]]
    held_wrong = [c for c in cases if c["confidence"] < ACT and c["label"] != c["truth"]]
    assert node["wrong_acted_alone"] == len(acting_wrong)
    assert node["wrong_routes_stopped"] == len(held_wrong)

    e2e = result["end_to_end"]
    acted = [c for c in cases if c["confidence"] >= ACT]
    contained = [c for c in acted if c["label"] != "refund"]
    assert e2e["containment"] == pytest.approx(len(contained) / len(cases))
    assert e2e["escalation"] == pytest.approx(1 - len(contained) / len(cases))
    with_outcome = [c for c in cases if outcome_of(c["truth"], c["case"]) is not None]
    outcome_right = [c for c in with_outcome if c["confidence"] >= ACT
                     and outcome_of(c["label"], c["case"]) == outcome_of(c["truth"], c["case"])]
    assert (e2e["outcome_cases"], e2e["outcome_right"]) == (len(with_outcome),
                                                            len(outcome_right))
    # a hold (suggest band: a person confirms) is not a hit; a block below the band is
    assert e2e["guardrail_hits"] == {
        "confidence_band": sum(c["confidence"] < SUGGEST for c in cases)}


def test_the_reports_are_written_escaped_and_offline(scripted_triage: Path,
                                                     tmp_path: Path) -> None:
    flow = scripted_triage / "flow.yaml"
    flow.write_text(flow.read_text(encoding="utf-8").replace(
        "name: Support triage", "name: Support <script>alert(1)</script> triage"),
        encoding="utf-8")
    run_eval(scripted_triage, tmp_path / "home")
    html = (scripted_triage / "out" / "report.html").read_text(encoding="utf-8")
    assert "<script" not in html and "&lt;script&gt;" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html
    assert html.count("<svg") == 3  # risk–coverage, reliability, confusion
    summary = (scripted_triage / "out" / "summary.md").read_text(encoding="utf-8")
    assert "## Node `intake`" in summary and "| refund |" in summary


def test_an_interrupted_eval_resumes_without_running_finished_cases_again(
        scripted_triage: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "home"
    code, first = run_eval(scripted_triage, home, "--max-calls", "10", "--json")
    assert code == 0
    done_first = json.loads(capsys.readouterr().out)
    assert 0 < done_first["ran"] < 67 and first["cases"]["not_run"] == 67 - done_first["ran"]
    workspace = Workspace.open(home)
    before = {r.id: [s.id for s in workspace.store.steps(r.id)]
              for r in workspace.store.runs(batch_id=first["batch_id"])}
    workspace.close()
    code, second = run_eval(scripted_triage, home, "--json")
    done_second = json.loads(capsys.readouterr().out)
    assert done_second["already_done"] == done_first["ran"]
    assert done_second["ran"] == 67 - done_first["ran"]
    assert second["batch_id"] == first["batch_id"] and second["cases"]["not_run"] == 0
    workspace = Workspace.open(home)
    after = {r.id: [s.id for s in workspace.store.steps(r.id)]
             for r in workspace.store.runs(batch_id=first["batch_id"])}
    workspace.close()
    assert len(after) == 67
    assert {k: after[k] for k in before} == before  # not one step added to finished runs


def test_a_bad_dataset_is_refused_with_every_problem_at_once(
        scripted_triage: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "X-1", "message": "hi", "expected": {"intake": "nonsense"}}\n'
                   '{"id": "X-2", "message": "hi"}\n'
                   'not json\n'
                   '{"id": "X-3", "message": "hi", "expected": {"nowhere": "refund"}}\n',
                   encoding="utf-8")
    code = main(["eval", str(scripted_triage / "flow.yaml"), "--dataset", str(bad),
                 "--home", str(tmp_path / "home")])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{bad}:2: a labelled case needs 'expected'" in err
    assert f"{bad}:3: not valid JSON" in err
    assert "Traceback" not in err


def test_compare_names_what_changed(scripted_triage: Path, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    _, first = run_eval(scripted_triage, tmp_path / "home")
    a = tmp_path / "a.json"
    a.write_text(json.dumps(first), encoding="utf-8")
    flow = scripted_triage / "flow.yaml"
    flow.write_text(flow.read_text(encoding="utf-8").replace("act: 0.8", "act: 0.9", 1),
                    encoding="utf-8")
    _, second = run_eval(scripted_triage, tmp_path / "home")
    capsys.readouterr()
    assert main(["eval", "--compare", str(a), str(scripted_triage / "out" / "result.json"),
                 "--json"]) == 0
    diff = json.loads(capsys.readouterr().out)
    changed = {row["what"]: (row["before"], row["after"]) for row in diff["setup"]}
    assert changed["intake act band"] == (0.8, 0.9)
    assert "flow version" in changed and "model" not in changed
    assert first["batch_id"] != second["batch_id"]


def test_whatif_on_the_evaluation_runs_matches_a_hand_count(
        scripted_triage: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "home"
    run_eval(scripted_triage, home)
    capsys.readouterr()
    code = main(["whatif", str(scripted_triage / "flow.yaml"), "--dataset-run",
                 str(scripted_triage / "out" / "result.json"), "--node", "intake",
                 "--act", "0.9", "--suggest", "0.6", "--target", "0.8",
                 "--home", str(home), "--json"])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    cases = expected_answers()
    acting = [c for c in cases if c["confidence"] >= 0.9]
    assert report["after"]["acting_alone"] == len(acting)
    assert report["after"]["to_people"] == 67 - len(acting)
    assert report["after"]["wrong_actions"] == sum(c["label"] != c["truth"] for c in acting)
    before = [c for c in cases if c["confidence"] >= ACT]
    assert report["before"]["acting_alone"] == len(before)
    # the lowest observed confidence whose acting cases are ≥ 80% right
    for band in sorted(set(CONFIDENCES)):
        group = [c for c in cases if c["confidence"] >= band]
        if sum(c["label"] == c["truth"] for c in group) / len(group) >= 0.8:
            break
    else:
        pytest.fail("the answer table should leave some band meeting 80%")
    assert report["recommendation"]["act"] == band
    assert report["recommendation"]["acting_alone"] == len(group)
    assert report["recommendation"]["cases"] == 67


def test_readiness_uses_the_evaluation_and_refuses_what_it_cannot_support(
        scripted_triage: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "home"
    run_eval(scripted_triage, home)
    capsys.readouterr()
    assert main(["readiness", str(scripted_triage / "flow.yaml"), "--home", str(home),
                 "--eval", str(scripted_triage / "out" / "result.json"), "--json"]) == 0
    node = json.loads(capsys.readouterr().out)["nodes"][0]
    cases = expected_answers()
    acting = [c for c in cases if c["confidence"] >= ACT]
    precision = sum(c["label"] == c["truth"] for c in acting) / len(acting)
    assert node["evidence"]["precision"] == pytest.approx(precision)
    assert node["ready_for"] is None  # precision is below the 95% copilot default
    assert any(f"precision at the act band 0.8 is {precision:.1%}" in r
               for r in node["stages"][0]["reasons"])


def test_people_decisions_become_a_dataset_and_metrics(
        scripted_triage: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "home"
    flow = str(scripted_triage / "flow.yaml")
    cases = scripted_triage / "cases.jsonl"
    rows = dataset_rows()[:6]
    cases.write_text("".join(json.dumps({k: v for k, v in r.items() if k != "expected"})
                             + "\n" for r in rows), encoding="utf-8")
    assert main(["batch", flow, "--cases", str(cases), "--autonomy", "observe",
                 "--home", str(home), "--json"]) == 0
    batch_id = json.loads(capsys.readouterr().out)["batch_id"]
    workspace = Workspace.open(home)
    tasks = [t for t in workspace.store.tasks() if t.node_id == "intake"]
    workspace.close()
    assert len(tasks) == 6  # observe: a person decides every route
    for task in tasks:  # the person picks 'billing' every time
        assert main(["decide", task.id, "--choose", "billing", "--home", str(home)]) == 0
    capsys.readouterr()
    out = tmp_path / "shadow.jsonl"
    assert main(["dataset", "export", flow, "--out", str(out), "--home", str(home)]) == 0
    exported = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(e["id"] for e in exported) == sorted(r["id"] for r in rows)
    assert all(e["expected"] == {"intake": "billing"} for e in exported)

    capsys.readouterr()
    assert main(["metrics", flow, "--home", str(home), "--json"]) == 0
    observe = json.loads(capsys.readouterr().out)["stages"]["observe"]
    answers = expected_answers()[:6]
    agreed = sum(a["label"] == "billing" for a in answers)
    assert observe["runs"] == 6
    assert observe["agreement_by_node"]["intake"]["decided"] == 6
    assert observe["agreement_by_node"]["intake"]["agreed"] == agreed
    assert observe["human_override_rate"] == pytest.approx((6 - agreed) / 6)
    assert observe["escalation"] == 1.0

    # what-if on that batch: the people's choices are the truth; operate at 0.5 acts on
    # every stored answer of 0.5 or more
    assert main(["whatif", flow, "--batch", batch_id, "--node", "intake", "--act", "0.5",
                 "--suggest", "0.5", "--autonomy", "operate", "--home", str(home),
                 "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    acting = [a for a in answers if a["confidence"] >= 0.5]
    assert report["before"]["acting_alone"] == 0  # observe: nothing acted alone
    assert report["after"]["acting_alone"] == len(acting)
    assert report["after"]["wrong_actions"] == sum(a["label"] != "billing" for a in acting)

    # two more cases at the flow's own stage (copilot: no `autonomy:` line), side by side
    few = scripted_triage / "few.jsonl"
    few.write_text("".join(json.dumps({**{k: v for k, v in r.items() if k != "expected"},
                                       "id": f"{r['id']}-again"}) + "\n" for r in rows[:2]),
                   encoding="utf-8")
    assert main(["batch", flow, "--cases", str(few), "--home", str(home), "--json"]) == 0
    capsys.readouterr()
    assert main(["metrics", flow, "--home", str(home), "--json"]) == 0
    stages = json.loads(capsys.readouterr().out)["stages"]
    assert list(stages) == ["observe", "copilot"]
    assert (stages["observe"]["runs"], stages["copilot"]["runs"]) == (6, 2)
    assert main(["metrics", flow, "--stage", "copilot", "--home", str(home), "--json"]) == 0
    assert list(json.loads(capsys.readouterr().out)["stages"]) == ["copilot"]

    assert main(["metrics", flow, "--since", "2999-01-01", "--home", str(home),
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["stages"] == {}
    assert main(["metrics", flow, "--since", "yesterday", "--home", str(home)]) == 2
    assert "--since yesterday: not a date" in capsys.readouterr().err
