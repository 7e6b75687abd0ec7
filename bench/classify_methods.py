"""Benchmark: one classify decision by embeddings vs. by LLM option choice, bundled models.

Both methods answer the support-triage template's `intake` node on the labelled messages
of `templates/support-triage/dataset.jsonl`, built exactly as the engine builds them:

- embeddings — `sentence-transformers:all-minilm-l6-v2` (the `embeddings` extra);
- LLM option choice — `llamacpp:bundled`, Gemma 3 270M scoring each option's continuation
  (the `llamacpp` extra).

Loading a model and embedding the option examples happen once per process, so each method
gets one untimed warm-up decision first; the figures are milliseconds per decision after
that, from one run, with accuracy alongside (speed without accuracy means nothing).
Run: `python bench/classify_methods.py [--cases 67] [--llm-cases 20]`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "support-triage"
EMBEDDINGS_REF = "sentence-transformers:all-minilm-l6-v2"
LLM_REF = "llamacpp:bundled"


@dataclass
class Timing:
    method: str
    model: str
    millis: list[float]
    correct: int

    @property
    def median(self) -> float:
        return statistics.median(self.millis)

    @property
    def accuracy(self) -> float:
        return self.correct / len(self.millis)


def requests(method: str, limit: int) -> list[tuple[Any, str]]:
    """(ChooseRequest, expected label) per labelled message, as `steps._classify` builds."""
    from runtime.api import load_flow
    from runtime.flow.schema import ClassifyNode
    from runtime.models import prompts
    from runtime.models.base import ChooseRequest, OptionSpec

    flow = load_flow(TEMPLATE / "flow.yaml").flow
    node = flow.node("intake")
    assert isinstance(node, ClassifyNode)
    options = [OptionSpec(name=o.name, description=o.description, examples=o.examples)
               for o in node.options]
    rows = [json.loads(line) for line in (TEMPLATE / "dataset.jsonl").read_text().splitlines()
            if line.strip()][:limit]
    built = []
    for row in rows:
        text = prompts.case_text(node, flow, row)
        request = ChooseRequest(node_id=node.id, case_id=row["id"], text=text,
                                messages=prompts.classify_messages(node, text),
                                options=options, method=method,
                                temperature=node.temperature)
        built.append((request, row["expected"][node.id]))
    return built


def measure(method: str, provider: Any, model: str, cases: list[tuple[Any, str]]) -> Timing:
    provider.choose(cases[0][0])  # warm-up: load the model, embed/score the options once
    millis, correct = [], 0
    for request, expected in cases:
        started = time.perf_counter()
        result = provider.choose(request)
        millis.append((time.perf_counter() - started) * 1000)
        correct += result.label == expected
    return Timing(method, model, millis, correct)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=67, help="messages for embeddings")
    parser.add_argument("--llm-cases", type=int, default=20,
                        help="messages for the LLM (≈ seconds each on a CPU)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        os.environ["JUNCTION_HOME"] = home  # the example cache starts empty, like a new user
        from runtime.models import registry

        emb = measure("embeddings", registry.resolve_embedding(EMBEDDINGS_REF, TEMPLATE),
                      EMBEDDINGS_REF, requests("embeddings", args.cases))
        try:
            llm_provider = registry.resolve(LLM_REF, TEMPLATE)
            llm = measure("llm", llm_provider, LLM_REF, requests("llm", args.llm_cases))
        except Exception as exc:  # no llamacpp extra: say so, keep the embeddings figures
            print(f"LLM side unavailable ({type(exc).__name__}: {exc}); install the llamacpp "
                  "extra: pip install -e '.[llamacpp]'", file=sys.stderr)
            llm = None
    report([t for t in (emb, llm) if t is not None])
    if llm is not None:
        print(f"\nLLM option choice / embeddings: {llm.median / emb.median:.0f}× the time "
              "per decision (medians, one run)")
    return 0


def report(timings: list[Timing]) -> None:
    print(f"{'method':<11} {'model':<40} {'cases':>5} {'median ms':>10} {'mean ms':>8} "
          f"{'accuracy':>8}")
    for t in timings:
        print(f"{t.method:<11} {t.model:<40} {len(t.millis):>5} {t.median:>10.1f} "
              f"{statistics.fmean(t.millis):>8.1f} {t.accuracy:>8.0%}")


if __name__ == "__main__":
    sys.exit(main())
