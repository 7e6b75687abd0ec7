"""`junction train` through the product: a sidecar head the run uses, refused when it does
not fit the node, learnt from a dataset and from people's decisions in observe mode."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fake_ollama_embed import FakeOllama
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from observe_kit import observe_and_decide

from runtime.api import Workspace, load_flow
from runtime.cli.main import main
from runtime.engine.plan import compile_plan
from runtime.errors import FlowError, InputError
from runtime.flow.schema import ClassifyNode
from runtime.models import embedding_head

# The written examples of tickets/flow.yaml say nothing about locked accounts or invoices;
# these labelled cases teach the node that both mean 'login' and 'refund' respectively.
LABELLED = [
    *[(f"my account is locked {w}", "login") for w in
      ("again", "since monday", "after the update", "today", "help", "urgently")],
    *[(f"the invoice total is wrong {w}", "refund") for w in
      ("again", "please fix", "this month", "today", "for order 5", "twice")],
    *[(f"the app crashes {w}", "crash") for w in
      ("on start", "when saving", "every time", "today", "after login", "on my phone")],
]
PROBE = "locked account"  # no word in common with any written example


def write_dataset(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.write_text("".join(json.dumps({"id": f"L-{i}", "message": message,
                                        "expected": {"intake": label}}) + "\n"
                            for i, (message, label) in enumerate(rows)))
    return path


@pytest.fixture
def trained(fake_ollama: FakeOllama, tickets_dir: Path, tmp_path: Path,
            capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    flow = tickets_dir / "flow.yaml"
    data = write_dataset(tmp_path / "labelled.jsonl", LABELLED)
    assert main(["train", str(flow), "--dataset", str(data), "--json"]) == 0
    [report] = json.loads(capsys.readouterr().out)["nodes"]
    embedding_head.clear_loaded()
    return report


def decide(flow: Path, home: Path, message: str) -> dict[str, object]:
    ws = Workspace.open(home)
    try:
        run = ws.engine().start(load_flow(flow), {"id": "probe", "message": message})
        [step] = [s for s in ws.store.steps(run.id) if s.node_id == "intake"]
        return {"run": run.id, "output": step.output, "details": step.model_call["details"]}
    finally:
        ws.close()


def test_train_reports_held_out_figures_and_writes_a_sidecar_the_node_names(
        trained: dict[str, object], tickets_dir: Path) -> None:
    assert trained["labelled_cases"] == 18 and trained["examples"] == 9
    held_out = trained["held_out"]
    assert isinstance(held_out, dict) and set(held_out) == {"examples", "centroid", "logistic"}
    for figures in held_out.values():
        assert figures["cases"] == 18 and figures["folds"] == 5
        assert {"accuracy", "ece", "per_option", "confusion", "bands"} <= set(figures)
        assert set(figures["bands"]) == {"act", "suggest"}
    assert trained["winner"] in ("centroid", "logistic")
    node = load_flow(tickets_dir / "flow.yaml").flow.node("intake")
    assert isinstance(node, ClassifyNode) and node.head == trained["head"]
    meta = json.loads((tickets_dir / str(trained["head"])).read_text())
    assert meta["embedding_model"] == "ollama:fake-embed" and meta["method"] == trained["winner"]
    assert meta["held_out"] == held_out[trained["winner"]]
    weights = tickets_dir / meta["weights"]
    assert weights.stat().st_size < 16_000, "a head is small enough to keep in git"


def test_the_same_flow_with_and_without_its_head_decides_as_documented(
        trained: dict[str, object], tickets_dir: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    flow = tickets_dir / "flow.yaml"
    with_head = decide(flow, tmp_path / "a", PROBE)
    assert with_head["output"]["label"] == "login"  # type: ignore[index]
    assert with_head["details"]["head"] == meta_id(tickets_dir, trained)  # type: ignore[index]

    plain = tickets_dir / "plain.yaml"
    plain.write_text("\n".join(line for line in flow.read_text().splitlines()
                               if not line.strip().startswith("head:")) + "\n")
    without = decide(plain, tmp_path / "b", PROBE)
    details = without["details"]
    assert "head" not in details  # type: ignore[operator]
    assert without["output"]["label"] != "login", (  # type: ignore[index]
        "from the examples alone 'locked account' is not recognised as a login problem")

    assert main(["show", str(with_head["run"]), "--home", str(tmp_path / "a")]) == 0
    assert f"trained head {meta_id(tickets_dir, trained)}" in capsys.readouterr().out


def meta_id(folder: Path, report: dict[str, object]) -> str:
    return str(json.loads((folder / str(report["head"])).read_text())["id"])


@pytest.mark.parametrize("tamper", ["metadata", "weights", "options", "model", "missing"])
def test_a_sidecar_that_does_not_fit_the_node_is_a_load_time_error_naming_file_and_node(
        trained: dict[str, object], tickets_dir: Path, tamper: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    flow = tickets_dir / "flow.yaml"
    meta_path = tickets_dir / str(trained["head"])
    meta = json.loads(meta_path.read_text())
    if tamper == "metadata":
        meta_path.write_text(meta_path.read_text().replace(
            f'"temperature": {meta["temperature"]}', '"temperature": 0.5'))
    elif tamper == "weights":
        weights = tickets_dir / meta["weights"]
        blob = bytearray(weights.read_bytes())
        blob[-1] ^= 0xFF
        weights.write_bytes(bytes(blob))
    elif tamper == "options":
        flow.write_text(flow.read_text().replace("refund my money please", "money back"))
    elif tamper == "model":
        flow.write_text(flow.read_text().replace("ollama:fake-embed", "ollama:other-embed"))
    else:
        meta_path.unlink()
    with pytest.raises(FlowError) as caught:
        compile_plan(load_flow(flow))
    message = " ".join(str(p) for p in caught.value.problems)
    assert "node 'intake'" in message and str(trained["head"]) in message
    assert main(["validate", str(flow)]) == 1
    shown = capsys.readouterr()
    assert str(trained["head"]) in shown.out + shown.err
    assert main(["run", str(flow), "--case", '{"id": "x", "message": "hello"}',
                 "--home", str(tickets_dir / "home")]) == 1
    error = capsys.readouterr().err
    assert "node 'intake'" in error and "Traceback" not in error


def test_retraining_replaces_a_stale_head(trained: dict[str, object], tickets_dir: Path,
                                          tmp_path: Path) -> None:
    flow = tickets_dir / "flow.yaml"
    flow.write_text(flow.read_text().replace("refund my money please", "money back please"))
    data = write_dataset(tmp_path / "more.jsonl", LABELLED)
    assert main(["train", str(flow), "--dataset", str(data)]) == 0
    node = load_flow(flow).flow.node("intake")
    assert isinstance(node, ClassifyNode) and node.head and node.head != trained["head"]
    assert not (tickets_dir / str(trained["head"])).exists(), "the old sidecar is removed"
    compile_plan(load_flow(flow))  # the new head fits the edited examples


def test_too_few_labelled_cases_per_option_is_refused_naming_them(
        fake_ollama: FakeOllama, tickets_dir: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    data = write_dataset(tmp_path / "few.jsonl", LABELLED[:6] + LABELLED[6:9])
    flow = tickets_dir / "flow.yaml"
    original = flow.read_text()
    assert main(["train", str(flow), "--dataset", str(data)]) == 2
    error = capsys.readouterr().err
    assert "refund (3)" in error and "crash (0)" in error and "--allow-few" in error
    assert flow.read_text() == original
    assert main(["train", str(flow), "--dataset", str(data), "--allow-few",
                 "--dry-run"]) == 0
    assert "WARNING" in capsys.readouterr().err
    assert flow.read_text() == original, "--dry-run writes nothing"


def test_decisions_people_made_in_observe_mode_become_training_data(
        fake_ollama: FakeOllama, tickets_dir: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "home"
    flow = tickets_dir / "flow.yaml"
    observe_and_decide(flow, home, LABELLED)
    assert main(["train", str(flow), "--from-decisions", "--home", str(home), "--json"]) == 0
    [report] = json.loads(capsys.readouterr().out)["nodes"]
    assert report["labelled_cases"] == len(LABELLED)
    assert report["sources"] == {"run": len(LABELLED)}
    embedding_head.clear_loaded()
    assert decide(flow, tmp_path / "after", PROBE)["output"]["label"] == "login"  # type: ignore[index]


def test_train_needs_a_source_of_labelled_cases(
        fake_ollama: FakeOllama, tickets_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", str(tickets_dir / "flow.yaml")]) == 2
    assert "--dataset" in capsys.readouterr().err


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(junk=st.one_of(st.binary(max_size=300).map(lambda b: b.decode("latin-1")),
                      st.recursive(st.none() | st.booleans() | st.floats() | st.text(max_size=8),
                                   lambda inner: st.lists(inner, max_size=3)
                                   | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                                   max_leaves=12).map(json.dumps)))
def test_junk_in_a_sidecar_is_a_clear_problem_never_a_crash(
        junk: str, tickets_dir: Path) -> None:
    flow = tickets_dir / "flow.yaml"
    name = "flow.intake.0123456789abcdef.head.json"
    (tickets_dir / name).write_text(junk, encoding="utf-8", errors="replace")
    text = flow.read_text()
    if "head:" not in text:
        flow.write_text(text.replace("  method: embeddings",
                                     f"  method: embeddings\n  head: {name}"))
    embedding_head.clear_loaded()
    problems = embedding_head.head_problems(load_flow(flow))
    assert problems and all(p.node == "intake" and name in p.message for p in problems)
    assert all(str(p).startswith(f"{flow}:") for p in problems), "the flow file and line"
    node = load_flow(flow).flow.node("intake")
    assert isinstance(node, ClassifyNode)
    with pytest.raises(InputError):
        embedding_head.load_head(node, load_flow(flow).flow, tickets_dir)


def test_training_state_counts_decisions_and_training_from_them_leaves_the_flow_alone(
        fake_ollama: FakeOllama, tickets_dir: Path, tmp_path: Path) -> None:
    from runtime.api import MIN_NEW_DECISIONS, train_from_decisions, training_state

    home = tmp_path / "home"
    flow = tickets_dir / "flow.yaml"
    observe_and_decide(flow, home, LABELLED)
    ws = Workspace.open(home)
    try:
        before = training_state(load_flow(flow), "intake", ws.store)
        assert (before.head, before.examples) == (None, 6)
        assert before.decisions_available == before.new_decisions == len(LABELLED)
        assert before.can_train_from_decisions and len(LABELLED) >= MIN_NEW_DECISIONS
        original = flow.read_text()
        report = train_from_decisions(load_flow(flow), "intake", ws.store)
        assert flow.read_text() == original, "the caller decides how the flow names the head"
        assert report["sources"] == {"run": len(LABELLED)} and report["head"]
        assert (tickets_dir / report["head"]).exists()
        pointed = original.replace("  method: embeddings", f"  method: embeddings\n  head: "
                                   f"{report['head']}")
        flow.write_text(pointed)
        after = training_state(load_flow(flow), "intake", ws.store)
    finally:
        ws.close()
    assert after.head == report["head"] and after.decisions_used == len(LABELLED)
    assert after.new_decisions == 0 and not after.can_train_from_decisions
    winner = report["held_out"][report["winner"]]
    assert after.held_out_accuracy == pytest.approx(winner["accuracy"])
