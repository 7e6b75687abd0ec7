"""Benchmark: option scoring vs. a JSON answer, for one classify decision on the bundled model.

The support-triage template's `intake` node answers labelled messages from
`templates/support-triage/dataset.jsonl` on `llamacpp:bundled` (Gemma 3 270M), two ways:

- option scoring — what Junction does: score each option's continuation after the prompt
  (reusing the prompt's KV cache), calibrated; confidence measured;
- JSON answer — ask for `{"label": ..., "confidence": ...}` under a grammar (what a provider
  without log-probabilities must fall back to); confidence self-reported.

Each method first gets one untimed warm-up decision (model load, the node's instructions
and examples entering the cache, the calibration prior), then the figures are per decision
from one run: latency, tokens the model had to evaluate (new prompt tokens + option or
generated tokens), and accuracy alongside. Ratios are JSON ÷ option scoring.
Run: `python bench/model_choice.py [--cases 20]`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runtime.flow.loader import load_flow
from runtime.flow.schema import ClassifyNode
from runtime.models import labels, prompts, registry
from runtime.models.base import ChooseRequest, ExtractRequest, Message, ModelError, OptionSpec

TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "support-triage"
MODEL = "llamacpp:bundled"
ASK_JSON = ('Reply with JSON: {"label": the option name, "confidence": how sure you are, '
            "between 0 and 1}.")


@dataclass
class Tally:
    name: str
    latency_ms: list[float] = field(default_factory=list)
    tokens: list[int] = field(default_factory=list)
    correct: int = 0
    confidences: list[float] = field(default_factory=list)

    def add(self, ms: float, tokens: int, right: bool, confidence: float) -> None:
        self.latency_ms.append(ms)
        self.tokens.append(tokens)
        self.correct += right
        self.confidences.append(confidence)


def load_cases(count: int) -> list[dict[str, Any]]:
    """`count` labelled messages spread evenly over the dataset (it is grouped by label)."""
    rows = [json.loads(line) for line in
            (TEMPLATE / "dataset.jsonl").read_text(encoding="utf-8").splitlines() if line]
    step = max(1, len(rows) // count)
    return rows[::step][:count]


def by_scoring(provider: Any, node: ClassifyNode, text: str, case_id: str
               ) -> tuple[str, float, int]:
    result = provider.choose(ChooseRequest(
        node_id=node.id, case_id=case_id, text=text, method="llm",
        messages=prompts.classify_messages(node, text),
        options=[OptionSpec(name=o.name, description=o.description) for o in node.options]))
    return result.label, result.confidence, int(result.call.details["tokens_evaluated"])


def by_json(provider: Any, node: ClassifyNode, text: str, case_id: str
            ) -> tuple[str, float, int]:
    names = [o.name for o in node.options]
    messages = [*prompts.classify_messages(node, text), Message(role="user", content=ASK_JSON)]
    result = provider.extract(ExtractRequest(
        node_id=node.id, case_id=case_id, text=text, messages=messages, retries=0,
        json_schema=labels.self_reported_schema(names), fields=["label", "confidence"]))
    evaluated = int(result.call.details.get("tokens_evaluated", result.call.tokens_in
                                            + result.call.tokens_out))
    return str(result.values.get("label")), float(result.confidence or 0.0), evaluated


def measure(name: str, ask: Any, provider: Any, node: ClassifyNode, flow: Any,
            cases: list[dict[str, Any]]) -> Tally:
    tally = Tally(name)
    warm = prompts.case_text(node, flow, cases[0])
    ask(provider, node, warm, "warm-up")
    for case in cases:
        text = prompts.case_text(node, flow, case)
        started = time.perf_counter()
        try:
            label, confidence, tokens = ask(provider, node, text, case["id"])
        except ModelError as exc:  # an invalid JSON answer counts as wrong, not as a crash
            label, confidence, tokens = f"<{exc}>", 0.0, 0
        elapsed = (time.perf_counter() - started) * 1000
        tally.add(elapsed, tokens, label == case["expected"]["intake"], confidence)
    return tally


def report(scoring: Tally, as_json: Tally, count: int) -> None:
    rows = []
    for tally in (scoring, as_json):
        rows.append((tally.name, statistics.mean(tally.latency_ms),
                     statistics.median(tally.latency_ms), statistics.mean(tally.tokens),
                     tally.correct, statistics.mean(tally.confidences)))
    print(f"\nbundled Gemma 3 270M, template node 'intake', {count} labelled messages, "
          "per decision after one warm-up:\n")
    print(f"{'method':<16}{'mean ms':>10}{'median ms':>11}{'tokens':>9}{'correct':>10}"
          f"{'mean conf':>11}")
    for name, mean_ms, median_ms, tokens, correct, conf in rows:
        print(f"{name:<16}{mean_ms:>10.0f}{median_ms:>11.0f}{tokens:>9.1f}"
              f"{f'{correct}/{count}':>10}{conf:>11.2f}")
    print(f"\nJSON answer ÷ option scoring: latency ×{rows[1][1] / rows[0][1]:.1f}, "
          f"tokens ×{rows[1][3] / rows[0][3]:.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=20, help="labelled messages to use")
    args = parser.parse_args(argv)
    loaded = load_flow(TEMPLATE / "flow.yaml")
    node = next(n for n in loaded.flow.nodes if n.id == "intake")
    assert isinstance(node, ClassifyNode)
    try:
        provider = registry.resolve(MODEL, loaded.base_dir)
        cases = load_cases(args.cases)
        scoring = measure("option scoring", by_scoring, provider, node, loaded.flow, cases)
        as_json = measure("JSON answer", by_json, provider, node, loaded.flow, cases)
    except ModelError as exc:
        print(f"the bundled model is unavailable: {exc}", file=sys.stderr)
        return 1
    report(scoring, as_json, len(cases))
    return 0


if __name__ == "__main__":
    sys.exit(main())
