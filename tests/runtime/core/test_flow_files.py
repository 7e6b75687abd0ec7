"""Loading, validating and saving flow files, as a person editing YAML would meet them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from paths import REPO, TEMPLATES
from runtime.api import FlowError, dump_flow, load_flow, parse_flow, save_flow, validate_flow
from runtime.flow.yamlio import MAX_FILE_BYTES

FLOWS = Path(__file__).parent / "flows"
FIXTURES = Path(__file__).parent / "fixtures"
TEMPLATE_FLOWS = sorted(TEMPLATES.glob("*/flow.yaml"))


def problems_of(path: Path) -> list:
    try:
        loaded = load_flow(path)
    except FlowError as exc:
        return exc.problems
    return validate_flow(loaded)


@pytest.mark.parametrize("path", TEMPLATE_FLOWS, ids=lambda p: p.parent.name)
def test_every_template_is_valid_and_round_trips_byte_for_byte(path: Path) -> None:
    loaded = load_flow(path)
    assert validate_flow(loaded) == []
    text = path.read_text(encoding="utf-8")
    assert dump_flow(loaded.flow) == text, "templates are stored in canonical form"
    assert parse_flow(dump_flow(loaded.flow)).flow == loaded.flow


def test_templates_exist() -> None:
    assert len(TEMPLATE_FLOWS) >= 1


def test_save_is_stable_and_keeps_key_order(tmp_path: Path) -> None:
    loaded = load_flow(FLOWS / "base.yaml")
    first = save_flow(loaded.flow, tmp_path / "a.yaml")
    second = save_flow(load_flow(tmp_path / "a.yaml").flow, tmp_path / "b.yaml")
    assert first == second
    keys = [line.split(":")[0] for line in first.splitlines() if not line.startswith((" ", "-"))]
    assert keys == ["format_version", "name", "case_fields", "nodes", "edges"]


BROKEN = [
    ("bad_yaml.yaml", 5, None, "not valid YAML"),
    ("duplicate_key.yaml", 3, None, "duplicate key 'name' (first defined on line 2)"),
    ("alias_bomb.yaml", None, None, "alias bomb"),
    ("unknown_kind.yaml", 13, "route", "unknown node kind 'gateway'"),
    ("unknown_role.yaml", 7, "sort", "unknown node role 'decide'"),
    ("unknown_key.yaml", 13, "route", "unknown key 'colour'"),
    ("dangling_edge.yaml", 18, None, "'to' names node 'nowhere', which does not exist"),
    ("missing_start.yaml", None, None, "the flow has no start node"),
    ("unreachable.yaml", 15, "orphan", "cannot be reached from the start node"),
    ("no_else.yaml", 13, "route", "decision has no 'else' branch"),
    ("unknown_field.yaml", 20, "route", "condition uses unknown field 'case.mood'"),
    ("bad_enum_value.yaml", 20, "route", "'maybe' is not a value of 'sort.label'"),
    ("future_version.yaml", 1, None, "format_version 99 is newer than this Junction supports"),
    ("loop_without_limit.yaml", None, "route", "form a loop with no visit limit"),
]


@pytest.mark.parametrize(("name", "line", "node", "message"), BROKEN,
                         ids=[b[0].removesuffix(".yaml") for b in BROKEN])
def test_broken_flow_names_file_line_node_and_problem(
        name: str, line: int | None, node: str | None, message: str) -> None:
    problems = problems_of(FLOWS / name)
    matching = [p for p in problems if message in p.message]
    assert matching, f"expected '{message}' in {[str(p) for p in problems]}"
    problem = matching[0]
    assert problem.file and problem.file.endswith(name)
    if line is not None:
        assert problem.line == line
    if node is not None:
        assert problem.node == node
    assert "Traceback" not in str(problem)


def test_the_base_flow_of_the_corpus_is_valid() -> None:
    assert problems_of(FLOWS / "base.yaml") == []


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("name: x\n" + "# padding\n" * (MAX_FILE_BYTES // 10 + 10))
    [problem] = problems_of(big)
    assert "limited to" in problem.message and problem.file == str(big)


def test_python_tags_are_refused(tmp_path: Path) -> None:
    evil = tmp_path / "evil.yaml"
    evil.write_text("name: !!python/object/apply:os.system ['echo pwned']\n")
    [problem] = problems_of(evil)
    assert "unsupported YAML tag" in problem.message and problem.line == 1


def test_yaml_on_key_is_a_name_not_a_boolean() -> None:
    """YAML 1.1 reads a bare `on:` as True; edges out of human nodes rely on `on:`."""
    text = (FLOWS / "base.yaml").read_text()
    text = text.replace("- {id: done, kind: end, outcome: resolved}",
                        "- {id: done, kind: end, outcome: resolved}\n- {id: ask, kind: human}")
    text = text.replace("- {from: route, to: done, else: true}",
                        "- {from: route, to: ask, else: true}\n"
                        "- {from: ask, to: done, on: approve}\n"
                        "- {from: ask, to: done, on: reject}")
    loaded = parse_flow(text)
    assert [e.on for e in loaded.flow.edges if e.source == "ask"] == ["approve", "reject"]
    assert validate_flow(loaded) == []
    assert "- {from: ask, to: done, on: approve}" in dump_flow(loaded.flow)


def test_version_zero_file_is_migrated() -> None:
    loaded = load_flow(FIXTURES / "v0_flow.yaml")
    assert loaded.migrated_from == (0,)
    assert loaded.flow.format_version == 1
    assert validate_flow(loaded) == []
    assert [e.else_ for e in loaded.flow.edges] == [False, False, False, True]
    assert dump_flow(loaded.flow).startswith("format_version: 1\n")


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "runtime.cli.main", *args], cwd=REPO,
                          capture_output=True, text=True)


def test_validate_command_prints_one_problem_per_line_and_exits_1() -> None:
    result = run_cli("validate", str(FLOWS / "dangling_edge.yaml"))
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2
    assert all("dangling_edge.yaml:" in line for line in lines)
    assert "Traceback" not in result.stderr


def test_validate_command_json_and_success() -> None:
    bad = run_cli("validate", "--json", str(FLOWS / "no_else.yaml"))
    report = json.loads(bad.stdout)
    assert bad.returncode == 1 and report["valid"] is False
    assert report["problems"][0]["node"] == "route"
    good = run_cli("validate", str(TEMPLATE_FLOWS[0]))
    assert good.returncode == 0 and "valid" in good.stdout


def test_run_with_a_broken_flow_reports_without_traceback() -> None:
    result = run_cli("run", str(FLOWS / "unknown_kind.yaml"), "--case", '{"id": "x"}')
    assert result.returncode == 1
    assert "unknown node kind 'gateway'" in result.stderr
    assert "Traceback" not in result.stderr
