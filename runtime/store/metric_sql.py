"""The metric reads every SQL store shares: the grouped queries and their folding into
`MetricFacts`, written once for SQLite and PostgreSQL.

A store gives a `Dialect` — how it writes a parameter, a list aggregate, a run's "person
involved" flag, a completed run's duration in seconds and each metric fact of a step
(SQLite keeps them as columns; PostgreSQL reads them from the step's JSON) — and a
function that runs a query and returns plain tuples. Everything else (which runs count,
how stages are found, how rows fold into counts) is here, so both stores give the same
figures by construction.

Why the queries look the way they do (`junction metrics` over 100,000 runs in well under
a second of CPU, bench/metrics_100k.py):
- runs are grouped by what a run row carries (flow version, override, status, outcome,
  person involved), never by a computed stage: on SQLite an index in that order
  (`runs_metric`) lets the grouping stream without sorting 100,000 rows. Each group
  brings its runs' intents and durations as one list each (a sort of 100,000 rows, or
  100,000 rows handed to Python, each cost more than the rest of the query). The stage
  is mapped afterwards, on a few dozen groups; only runs whose flow version has no known
  stage ask for their first step's stage, run by run (normally none);
- AI steps are read from an index in grouping order (`steps_metric`); which steps count
  is a set of runs: the runs that count, or — when most do — the few that don't, so a
  workspace of one flow never joins 200,000 steps to their runs. The low-confidence
  count is a sum, and the rules that fired are grouped as the stored list and split here
  (a few distinct lists), so no JSON is expanded per step.
"""


from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from runtime.sqlite_db import loads
from runtime.store.metric_rows import (
    EVAL_BATCH_PREFIX,
    DecidedStep,
    MetricFacts,
    MetricQuery,
    MetricRow,
    StepCount,
)

Execute = Callable[[str, Sequence[Any]], Iterable[Sequence[Any]]]
AI_KINDS = ("ai/classify", "ai/enforce")
# literals, not parameters: SQLite uses a partial index only when the query's own text
# implies the index's condition (sqlite_metrics.SCHEMA)
AI_KIND_LIST = ", ".join(f"'{kind}'" for kind in AI_KINDS)
UNKNOWN = "unknown"
NO_INTENT = "(none)"


@dataclass(frozen=True)
class Dialect:
    """How one SQL store spells the pieces the shared queries need (`r` is the run,
    `s` the step)."""

    param: str  # "?" or "%s"
    json_list: str  # an aggregate giving the values of "{}" in a group as JSON text
    person: str  # 1 when a person was involved in run r (any human task)
    seconds: str  # start → finish of run r in seconds
    label: str
    confidence: str
    decided_by: str
    agrees: str  # 1, 0 or NULL
    hit_rules: str  # JSON text list of the rules that fired, NULL when none
    intent_steps: str = "steps s"  # the steps a run's intent label is looked up in


RunGroup = tuple[str, str, str | None, bool]  # stage, status, outcome, person involved


def metric_facts(run: Execute, sql: Dialect, query: MetricQuery) -> MetricFacts:
    """Runs, their intents and durations, AI steps and guardrail hits, per stage."""
    runs = _Runs(run, sql, query)
    facts = MetricFacts()
    counts: Counter[RunGroup] = Counter()
    for group, n, intents, seconds in runs.groups():
        counts[group] += n
        stage, status, outcome, _ = group
        result = str(outcome or status)
        per_intent = facts.intents.setdefault(stage, {})
        for label, times in Counter(intents).items():
            key = (str(label or NO_INTENT), result)
            per_intent[key] = per_intent.get(key, 0) + times
        if status == "completed":
            facts.seconds.setdefault(stage, []).extend(
                max(0.0, float(x)) for x in seconds if x is not None)
    facts.runs = [MetricRow(*key, runs=n) for key, n in sorted(
        counts.items(), key=lambda kv: tuple(str(x) for x in kv[0]))]
    facts.intents = {stage: found for stage, found in facts.intents.items() if found}
    _count_steps(run, sql, query, runs, facts)
    return facts


class _Runs:
    """Which runs count, and the stage each ran at (its override, else its flow version's
    stage, else the stage its first AI step ran at)."""

    def __init__(self, run: Execute, sql: Dialect, query: MetricQuery) -> None:
        self.run, self.sql, self.query = run, sql, query
        p = sql.param
        self.where = f" AND (r.batch_id IS NULL OR r.batch_id NOT LIKE {p})"
        self.args: list[Any] = [f"{EVAL_BATCH_PREFIX}%"]
        if query.flow_path is not None:
            self.where += f" AND r.flow_path = {p}"
            self.args.append(query.flow_path)
        if query.since:
            self.where += f" AND r.created_at >= {p}"
            self.args.append(query.since)
        shas = list(query.flow_stages)
        # a run whose stage neither its override nor its flow version tells
        self.unknown = "r.autonomy IS NULL" + (
            f" AND r.flow_sha NOT IN ({', '.join(p for _ in shas)})" if shas else "")
        self.unknown_args: list[Any] = shas
        self.counted = 0  # runs that pass the filter (any stage)

    def wanted(self, stage: str) -> bool:
        return not self.query.stage or stage == self.query.stage

    def _columns(self) -> str:
        """Per group: runs, the intent labels and the durations (JSON lists)."""
        p, sql = self.sql.param, self.sql
        intent = (f"(SELECT {sql.label} FROM {sql.intent_steps} WHERE s.run_id = r.id"
                  f" AND s.node_id = {p} AND s.kind = 'ai/classify' AND s.visit = 1)")
        done = ("CASE WHEN r.started_at IS NOT NULL AND r.finished_at IS NOT NULL"
                f" THEN {sql.seconds} END")
        return (f"COUNT(*), {sql.json_list.format(intent)},"
                f" {sql.json_list.format(done)}")

    def groups(self) -> Iterable[tuple[RunGroup, int, list[Any], list[Any]]]:
        """(stage, status, outcome, person), runs, their intents and durations."""
        unknown = False
        for sha, override, status, outcome, person, n, intents, seconds in self.run(
                f"SELECT r.flow_sha, r.autonomy, r.status, r.outcome, {self.sql.person},"
                f" {self._columns()} FROM runs r WHERE 1=1{self.where}"
                " GROUP BY r.flow_sha, r.autonomy, r.status, r.outcome, 5",
                [self.query.intent_node or "", *self.args]):
            self.counted += int(n)
            stage = str(override or self.query.flow_stages.get(str(sha)) or "")
            if not stage:
                unknown = True  # counted run by run below
            elif self.wanted(stage):
                yield ((stage, str(status), outcome, bool(person)), int(n),
                       json.loads(intents), json.loads(seconds))
        if unknown:
            yield from self._unknown_groups()

    def _unknown_groups(self) -> Iterable[tuple[RunGroup, int, list[Any], list[Any]]]:
        first_stage = ("(SELECT s.autonomy FROM steps s WHERE s.run_id = r.id"
                       " AND s.autonomy IS NOT NULL ORDER BY s.seq LIMIT 1)")
        for stage, status, outcome, person, n, intents, seconds in self.run(
                f"SELECT COALESCE({first_stage}, '{UNKNOWN}'), r.status, r.outcome,"
                f" {self.sql.person}, {self._columns()} FROM runs r"
                f" WHERE {self.unknown}{self.where} GROUP BY 1, 2, 3, 4",
                [self.query.intent_node or "", *self.unknown_args, *self.args]):
            if self.wanted(str(stage)):
                yield ((str(stage), str(status), outcome, bool(person)), int(n),
                       json.loads(intents), json.loads(seconds))

    def step_filter(self, total: int) -> tuple[str, list[Any]]:
        """Which steps count, as a set of runs: those that count, or, when most runs
        do, not those that don't (a smaller set to build and probe)."""
        if self.counted * 2 >= total:
            return (" AND s.run_id NOT IN (SELECT r.id FROM runs r"
                    f" WHERE (1=1{self.where}) IS NOT TRUE)", self.args)
        return f" AND s.run_id IN (SELECT r.id FROM runs r WHERE 1=1{self.where})", self.args


def _count_steps(run: Execute, sql: Dialect, query: MetricQuery, runs: _Runs,
                 facts: MetricFacts) -> None:
    """AI steps per (stage, node, who decided, agreement, low confidence) and the rules
    that fired per stage. A step's stage is the one it ran at."""
    p = sql.param
    bands = query.low_below
    band = (f"CASE s.node_id{''.join(f' WHEN {p} THEN {p}' for _ in bands)} ELSE {p} END"
            if bands else p)
    band_args: list[Any] = [x for pair in bands.items() for x in pair] + [query.default_low]
    step_stage = f"COALESCE(s.autonomy, '{UNKNOWN}')"
    at_stage = f" AND {step_stage} = {p}" if query.stage else ""
    total = next(iter(run("SELECT COUNT(*) FROM runs", [])))[0]
    which, which_args = runs.step_filter(int(total))
    rows = run(
        f"SELECT s.kind, {step_stage}, s.node_id, {sql.decided_by}, {sql.agrees},"
        f" {sql.hit_rules}, SUM(CASE WHEN {sql.confidence} < {band} THEN 1 ELSE 0 END),"
        f" COUNT(*) FROM steps s WHERE s.kind IN ({AI_KIND_LIST})"
        f"{at_stage}{which} GROUP BY s.kind, s.autonomy, s.node_id, {sql.decided_by},"
        f" {sql.agrees}, {sql.hit_rules}",
        [*band_args, *([query.stage] if query.stage else []), *which_args])
    steps: Counter[tuple[str, str, str | None, bool | None, bool]] = Counter()
    for _kind, stage, node, by, agrees, rules, low, n in rows:
        key = (str(stage), str(node), None if by is None else str(by),
               None if agrees is None else bool(agrees))
        steps[(*key, True)] += int(low or 0)
        steps[(*key, False)] += int(n) - int(low or 0)
        for rule in json.loads(rules) if rules else ():
            per_stage = facts.hits.setdefault(str(stage), {})
            per_stage[str(rule)] = per_stage.get(str(rule), 0) + int(n)
    facts.steps = [StepCount(*key, steps=n) for key, n in sorted(
        steps.items(), key=lambda kv: tuple(str(x) for x in kv[0])) if n]


def decided_steps(run: Execute, sql: Dialect, flow_path: str,
                  node_id: str) -> list[DecidedStep]:
    """Steps of `node_id` a person decided, in runs of the flow file `flow_path`, oldest
    run first: one indexed query instead of reading every run's steps."""
    p = sql.param
    return [DecidedStep(str(run_id), str(case_id), loads(inputs), loads(decision))
            for run_id, case_id, inputs, decision in run(
                "SELECT r.id, r.case_id, s.inputs, s.decision FROM runs r"
                f" JOIN steps s ON s.run_id = r.id WHERE r.flow_path = {p}"
                f" AND s.node_id = {p} AND {sql.decided_by} = 'human'"
                " ORDER BY r.created_at, r.id, s.seq", [flow_path, node_id])]
