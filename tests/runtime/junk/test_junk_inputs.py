"""Generated junk on every input surface (issue 12 §4), through the CLI's main() in-process.

Flow YAML, case JSON lines, `--case`, `--set`, scripted answers, and HTTP replies from a
model server and from a webhook (loopback pytest-httpserver). For each: the exit code is
one a user can act on (never 70, the bug code), no traceback is printed, a bad input names
its file/line/field, and nothing is half-written (no run is created from bad input, no run
is left `running`, the audit trail verifies).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer

from runtime.cli.main import main
from runtime.models import registry

RETURNS = Path(__file__).parents[1] / "returns"
JUNK = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
HTTP_JUNK = settings(JUNK, max_examples=15)
USER_CODES = {0, 1, 2, 3, 4}


@contextmanager
def scratch() -> Iterator[Path]:
    """A fresh folder per example (hypothesis reuses the test's fixtures)."""
    with tempfile.TemporaryDirectory(prefix="junk-") as folder:
        yield Path(folder)


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    registry.clear_cache()
    try:
        code = main(list(argv))
    except SystemExit as stop:  # argparse's own usage errors: exit 2 and one usage line
        code = int(stop.code or 0)
    captured = capsys.readouterr()
    assert code in USER_CODES, (code, captured.err[-2000:])
    assert "Traceback" not in captured.err + captured.out
    assert "internal error" not in captured.err
    return code, captured.out, captured.err


def runs_in(home: Path) -> list[sqlite3.Row]:
    db_path = home / "junction.db"
    if not db_path.exists():
        return []
    with sqlite3.connect(db_path) as db:
        db.row_factory = sqlite3.Row
        return list(db.execute("SELECT id, status, error, blocked_reason FROM runs"))


def _no_constant(name: str) -> Any:
    raise AssertionError(f"{name} was stored in a run's case")


def assert_nothing_half_written(capsys: pytest.CaptureFixture[str], home: Path) -> None:
    assert all(r["status"] != "running" for r in runs_in(home)), "a run was left running"
    if (home / "junction.db").exists():
        with sqlite3.connect(home / "junction.db") as db:
            for (context,) in db.execute("SELECT context FROM runs"):
                json.loads(context, parse_constant=_no_constant)  # no NaN/Infinity got in
    if (home / "junction.db").exists():
        code, out, _ = cli(capsys, "audit", "verify", "--home", str(home), "--json")
        assert code == 0, out


# -- values --------------------------------------------------------------------------

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                    st.text(max_size=30), st.sampled_from(["0.99", "high", "NaN", "", "-1"]))
nested = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12)
json_junk = st.one_of(
    st.text(max_size=200),
    st.binary(max_size=60).map(lambda b: b.decode("latin-1")),
    st.integers(1, 6000).map(lambda n: '{"id": "x", "message": "m", "amount": ' + "9" * n + "}"),
    st.integers(30, 3000).map(lambda n: "[" * n + "]" * n),
    st.sampled_from(['{"id": "x", "message": "m", "amount": NaN}',
                     '{"id": "x", "message": "m", "amount": -Infinity}',
                     '{"id": "x", "message": "m", "amount": 1e400}',
                     '{"id": true, "message": "m"}', '{"id": "", "message": "m"}',
                     '{"id": "x"}', '{"id": "x", "message": 5}', "null", "[]", '"text"']),
    nested.map(lambda v: json.dumps(v, allow_nan=True)),
)


# -- flow YAML -----------------------------------------------------------------------

def _mutate(document: Any, path: list[int], value: Any) -> Any:
    """Replace the value reached by walking `path` (indices taken modulo each level)."""
    if not path or not isinstance(document, dict | list) or not document:
        return value
    keys = list(document) if isinstance(document, dict) else list(range(len(document)))
    key = keys[path[0] % len(keys)]
    copy = dict(document) if isinstance(document, dict) else list(document)
    copy[key] = _mutate(copy[key], path[1:], value)  # type: ignore[index]
    return copy


BASE_FLOW = yaml.safe_load((RETURNS / "flow.yaml").read_text())
flow_texts = st.one_of(
    st.text(max_size=300),
    st.builds(lambda path, value: yaml.safe_dump(_mutate(BASE_FLOW, path, value)),
              st.lists(st.integers(0, 50), min_size=1, max_size=6), nested),
    st.integers(65, 30_000).map(lambda n: "a: " + "[" * n + "]" * n),
    st.sampled_from(["nodes: *x", "a: &a [*a]", "!!python/object:os.system {}",
                     "a: 1\na: 2", "\t- x", "%YAML 9.9\n---\na: 1"]),
)


@JUNK
@given(text=flow_texts)
@example(text="a:\n" + "".join("  " * i + "- \n" for i in range(1, 200)))
def test_junk_flow_files(capsys: pytest.CaptureFixture[str], text: str) -> None:
    with scratch() as folder:
        flow = folder / "flow.yaml"
        flow.write_text(text, encoding="utf-8", errors="surrogatepass")
        shutil.copy(RETURNS / "scripted.yaml", folder / "scripted.yaml")
        code, _, err = cli(capsys, "validate", str(flow))
        assert code in (0, 1)
        if code == 1:
            for line in err.strip().splitlines():
                assert str(flow) in line, line
        home = folder / "home"
        code, _, _ = cli(capsys, "run", str(flow), "--case",
                         '{"id": "c", "message": "m", "amount": 3}', "--home", str(home))
        if code == 1 and not runs_in(home):
            pass  # refused up front: nothing created
        assert_nothing_half_written(capsys, home)


# -- case JSON lines and --case ---------------------------------------------------------

GOOD_CASE = '{"id": "ok-%d", "message": "broken", "amount": 3}'


@JUNK
@given(lines=st.lists(st.one_of(json_junk, st.integers(0, 99).map(lambda n: GOOD_CASE % n)),
                      min_size=1, max_size=6),
       raw=st.booleans())
def test_junk_case_files(capsys: pytest.CaptureFixture[str], lines: list[str],
                         raw: bool) -> None:
    with scratch() as folder:
        cases = folder / "cases.jsonl"
        body = "\n".join(line.replace("\n", " ") for line in lines) + "\n"
        cases.write_bytes(body.encode("utf-8", "surrogatepass") if not raw
                          else body.encode("latin-1", "replace"))
        home = folder / "home"
        code, _, err = cli(capsys, "batch", str(RETURNS / "flow.yaml"), "--cases", str(cases),
                           "--home", str(home))
        if code == 2:
            assert runs_in(home) == [], "no run is created while any line is bad"
            for line in err.removeprefix("error: ").strip().splitlines():
                assert line.startswith(f"{cases}:"), line
        assert_nothing_half_written(capsys, home)


@JUNK
@given(case=json_junk)
@example(case="-1e+16")
def test_junk_inline_cases(capsys: pytest.CaptureFixture[str], case: str) -> None:
    with scratch() as folder:
        home = folder / "home"
        code, _, err = cli(capsys, "run", str(RETURNS / "flow.yaml"), f"--case={case}",
                           "--home", str(home))
        if code == 2:
            assert runs_in(home) == []
            assert "--case" in err or "case" in err
        assert_nothing_half_written(capsys, home)


# -- decide --set ----------------------------------------------------------------------

@JUNK
@given(assignments=st.lists(st.one_of(
    st.text(max_size=40),
    st.builds(lambda k, v: f"{k}={v}", st.sampled_from(["refund", "status", "nope", ""]),
              st.one_of(st.text(max_size=40), json_junk))), min_size=1, max_size=3),
    decision=st.sampled_from([[], ["--approve"], ["--reject"], ["--choose", "approve"]]))
def test_junk_decide_set(capsys: pytest.CaptureFixture[str], assignments: list[str],
                         decision: list[str]) -> None:
    with scratch() as folder:
        home = folder / "home"
        code, out, _ = cli(capsys, "run", str(RETURNS / "flow.yaml"), "--case",
                           '{"id": "u-1", "message": "changed my mind", "amount": 5}',
                           "--home", str(home), "--json")
        [task] = json.loads(out)["tasks"]
        argv = ["decide", task["id"], *decision, "--home", str(home)]
        for item in assignments:
            argv.append(f"--set={item}")
        code, _, _ = cli(capsys, *argv)
        if code != 0:
            code, out, _ = cli(capsys, "tasks", "--home", str(home), "--json")
            assert [t["id"] for t in json.loads(out)] == [task["id"]], "refused: still open"
        assert_nothing_half_written(capsys, home)


# -- scripted answers ----------------------------------------------------------------

@JUNK
@given(answer=nested, extra=st.dictionaries(
    st.sampled_from(["label", "confidence", "probabilities", "error", "values", "delay_ms"]),
    nested, max_size=3))
def test_junk_scripted_answers(capsys: pytest.CaptureFixture[str], answer: Any,
                               extra: dict[str, Any]) -> None:
    if "delay_ms" in extra:
        extra["delay_ms"] = 0
    with scratch() as folder:
        script = folder / "answers.yaml"
        given_answer = {**extra, **(answer if isinstance(answer, dict) else {})} or answer
        script.write_text(yaml.safe_dump({"nodes": {"sort": given_answer}}))
        home = folder / "home"
        cli(capsys, "run", str(RETURNS / "flow.yaml"), "--case",
            '{"id": "c-1", "message": "broken", "amount": 3}', "--model",
            f"scripted:{script}", "--home", str(home))
        assert_nothing_half_written(capsys, home)


# -- HTTP replies: a model server and a webhook -------------------------------------------

OLLAMA_FLOW = """format_version: 1
name: Junk model
autonomy: operate
default_model: ollama:llama3.2:3b
case_fields: [{name: message, required: true}]
record_fields: [{name: priority, type: enum, values: [low, high]}]
nodes:
- {id: start, kind: start}
- id: sort
  kind: ai
  role: classify
  method: llm
  options: [{name: damaged}, {name: unwanted}]
- id: update
  kind: ai
  role: enforce
  guardrails: {fields: {priority: allow}}
- {id: done, kind: end, outcome: ok}
edges:
- {from: start, to: sort}
- {from: sort, to: update}
- {from: update, to: done}
"""
STATUSES = [200, 200, 200, 201, 204, 301, 400, 401, 404, 408, 429, 500, 502, 503]
bodies = st.one_of(
    st.text(max_size=200),
    nested.map(json.dumps),
    st.builds(lambda content, extra: json.dumps({
        "model": "llama3.2:3b", "created_at": "2025-11-21T10:00:00Z",
        "message": {"role": "assistant", "content": content}, "done": True,
        "done_reason": "stop", **extra}),
        st.one_of(st.text(max_size=80), nested.map(json.dumps)),
        st.dictionaries(st.sampled_from(["logprobs", "eval_count", "prompt_eval_count",
                                         "done_reason"]), nested, max_size=2)),
)


@HTTP_JUNK
@given(replies=st.lists(st.tuples(st.sampled_from(STATUSES), bodies), min_size=1,
                        max_size=3))
def test_junk_model_server_replies(capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch, httpserver: HTTPServer,
                                   replies: list[tuple[int, str]]) -> None:
    monkeypatch.setenv("OLLAMA_HOST", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setenv("JUNCTION_OLLAMA_RETRIES", "0")
    monkeypatch.setenv("JUNCTION_OLLAMA_TIMEOUT", "5")
    queue = list(replies)

    def answer(request: Any) -> Any:
        from werkzeug import Response

        status, body = queue.pop(0) if len(queue) > 1 else queue[0]
        return Response(body, status=status, content_type="application/json")

    httpserver.clear()
    httpserver.expect_request("/api/chat").respond_with_handler(answer)
    httpserver.expect_request("/api/show").respond_with_handler(answer)
    httpserver.expect_request("/api/version").respond_with_json({"version": "0.12.11"})
    with scratch() as folder:
        flow = folder / "flow.yaml"
        flow.write_text(OLLAMA_FLOW)
        home = folder / "home"
        code, _, _ = cli(capsys, "run", str(flow), "--case", '{"id": "c", "message": "x"}',
                         "--home", str(home))
        assert code in (0, 1)
        [run] = runs_in(home)
        assert run["status"] in ("completed", "blocked", "failed")
        assert_nothing_half_written(capsys, home)
        code, _, _ = cli(capsys, "resume", "--home", str(home))
        assert_nothing_half_written(capsys, home)


WEBHOOK_FLOW = """format_version: 1
name: Junk webhook
autonomy: operate
connector: {{kind: webhook, url: '{url}', deduplicates: {dedup}}}
case_fields: [{{name: message}}]
record_fields: [{{name: status, type: enum, values: [open, approved]}}]
nodes:
- {{id: start, kind: start}}
- {{id: approve, kind: action, set: {{status: approved}}}}
- {{id: done, kind: end, outcome: approved}}
edges:
- {{from: start, to: approve}}
- {{from: approve, to: done}}
"""


@HTTP_JUNK
@given(status=st.sampled_from(STATUSES), body=bodies,
       headers=st.dictionaries(st.sampled_from(["Location", "Retry-After", "Content-Type"]),
                               st.text(alphabet=st.characters(min_codepoint=32,
                                                              max_codepoint=126),
                                       max_size=20), max_size=2),
       dedup=st.booleans())
def test_junk_webhook_replies(capsys: pytest.CaptureFixture[str], httpserver: HTTPServer,
                              status: int, body: str, headers: dict[str, str],
                              dedup: bool) -> None:
    httpserver.clear()
    httpserver.expect_request("/records").respond_with_data(body, status=status,
                                                            headers=headers)
    with scratch() as folder:
        flow = folder / "flow.yaml"
        flow.write_text(WEBHOOK_FLOW.format(url=httpserver.url_for("/records"),
                                            dedup=str(dedup).lower()))
        home = folder / "home"
        code, _, _ = cli(capsys, "run", str(flow), "--case", '{"id": "w", "message": "x"}',
                         "--home", str(home))
        assert code in (0, 1)
        [run] = runs_in(home)
        assert run["status"] in ("completed", "blocked", "failed")
        assert_nothing_half_written(capsys, home)
        cli(capsys, "resume", "--home", str(home))
        assert_nothing_half_written(capsys, home)
