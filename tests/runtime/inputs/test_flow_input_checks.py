"""Flow files are checked up front (issue 12 §4): deep nesting, folders, impossible limits,
invalid regular expressions and action values outside their own limits are `validate`
errors naming the file, line, node and field — never a traceback or a run-time crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from runtime.cli.main import main

HEAD = """format_version: 1
name: Checks
case_fields: [{name: message}]
record_fields:
- {name: status, type: enum, values: [open, approved]}
- {name: refund, type: number}
- {name: code}
nodes:
- {id: start, kind: start}
"""
TAIL = """- {id: done, kind: end, outcome: ok}
edges:
- {from: start, to: pay}
- {from: pay, to: done}
"""


def validate(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["validate", str(path)])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    return code, captured.err + captured.out


def action(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "flow.yaml"
    path.write_text(HEAD + "- id: pay\n  kind: action\n" + body + TAIL)
    return path


@pytest.mark.parametrize("text", [
    "a:\n" + "".join("  " * i + "- \n" for i in range(1, 120)),
    "[" * 30_000 + "]" * 30_000,
    "{a: " * 2_000 + "1" + "}" * 2_000,
])
def test_deep_nesting_is_a_clear_error_naming_the_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(text)
    code, said = validate(path, capsys)
    assert code == 1 and str(path) in said and "nested" in said


def test_a_folder_given_as_the_flow_is_a_clear_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, said = validate(tmp_path, capsys)
    assert code == 1 and said.strip() == f"{tmp_path}: is a folder, not a flow file"


def test_an_invalid_pattern_and_min_above_max_fail_validate_with_node_and_field(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = action(tmp_path, "  set: {status: approved}\n  guardrails:\n    limits:\n"
                            "      refund: {min: 10, max: 1}\n      code: {pattern: '([a-'}\n")
    code, said = validate(path, capsys)
    assert code == 1
    lines = said.strip().splitlines()
    assert len(lines) == 2, said
    refund = next(line for line in lines if "'refund'" in line)
    code_line = next(line for line in lines if "'code'" in line)
    assert f"{path}:" in refund and "node 'pay'" in refund and "'min' (10) is above 'max'" in refund
    assert "node 'pay'" in code_line and "not a valid regular expression" in code_line


@pytest.mark.parametrize(("body", "expected"), [
    ("  set: {refund: ten}\n", "sets 'refund' to 'ten', but 'refund' must be a number"),
    ("  set: {code: 5}\n", "sets 'code' to 5, but 'code' must be text"),
    ("  set: {refund: 500}\n  guardrails:\n    limits:\n      refund: {max: 100}\n",
     "above this step's limit (at most 100)"),
    ("  set: {code: abc}\n  guardrails:\n    limits:\n      code: {pattern: '[0-9]+'}\n",
     "does not match this step's pattern for it"),
])
def test_action_values_of_the_wrong_type_or_beyond_their_limits_fail_validate(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, expected: str) -> None:
    path = action(tmp_path, body)
    code, said = validate(path, capsys)
    assert code == 1 and expected in said and "node 'pay'" in said and f"{path}:" in said


def test_a_union_type_error_is_one_problem_naming_node_and_field(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = action(tmp_path, "  set: {status: [1, 2]}\n")
    code, said = validate(path, capsys)
    lines = said.strip().splitlines()
    assert code == 1 and len(lines) == 1, said
    assert "node 'pay'" in lines[0] and "'status'" in lines[0] and "should be one of" in lines[0]


def test_a_list_item_error_names_the_list_and_the_item(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "flow.yaml"
    path.write_text(HEAD.replace("values: [open, approved]", "values: [open, [x]]")
                    + "- id: pay\n  kind: action\n" + TAIL)
    code, said = validate(path, capsys)
    assert code == 1 and "'values' item 2" in said and f"{path}:5" in said
