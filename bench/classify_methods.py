"""Benchmark: one classify decision by embeddings vs. by LLM option choice, bundled models.

Both methods answer the support-triage template's `intake` node on the labelled messages
of `templates/support-triage/dataset.jsonl`, built exactly as the engine builds them:

- embeddings — `sentence-transformers:all-minilm-l6-v2` (the `embeddings` extra);
- LLM option choice — `llamacpp:bundled`, Gemma 3 270M scoring each option's continuation
  (the `llamacpp` extra).

Loading a model and embedding the option examples happen once per process, so each method
gets one untimed warm-up decision first; the figures are milliseconds per decision after
that, from one run, with accuracy alongside (speed without accuracy means nothing).

`--train` adds what `junction train` would measure on the same dataset: held-out (5-fold)
accuracy, ECE and act-band precision/coverage of examples-only scoring, shrunk centroids and
logistic regression, plus the logistic penalty and centroid shrinkage sweeps behind the
defaults; `--cold` times a fresh process importing the encoder's libraries.
Run: `python bench/classify_methods.py [--cases 67] [--llm-cases 20] [--train] [--cold]`.
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
    parser.add_argument("--train", action="store_true",
                        help="held-out figures of the trainable heads on the dataset")
    parser.add_argument("--cold", action="store_true",
                        help="time cold imports of the encoder libraries in fresh processes")
    args = parser.parse_args()
    if args.cold:
        cold_imports()
    if args.train:
        train_figures()
        return 0
    with tempfile.TemporaryDirectory() as home:
        os.environ["JUNCTION_HOME"] = home  # the example cache starts empty, like a new user
        from runtime.models import registry

        emb = measure("embeddings", registry.resolve_embedding(EMBEDDINGS_REF, TEMPLATE),
                      EMBEDDINGS_REF, requests("embeddings", args.cases))
        try:
            if args.llm_cases <= 0:
                raise RuntimeError("skipped (--llm-cases 0)")
            llm_provider = registry.resolve(LLM_REF, TEMPLATE)
            llm = measure("llm", llm_provider, LLM_REF, requests("llm", args.llm_cases))
        except Exception as exc:  # no llamacpp extra: say so, keep the embeddings figures
            hint = ("" if args.llm_cases <= 0 else
                    "; install the llamacpp extra: pip install -e '.[llamacpp]'")
            print(f"LLM side unavailable ({type(exc).__name__}: {exc}){hint}",
                  file=sys.stderr)
            llm = None
    report([t for t in (emb, llm) if t is not None])
    if llm is not None:
        print(f"\nLLM option choice / embeddings: {llm.median / emb.median:.0f}× the time "
              "per decision (medians, one run)")
    return 0


def train_figures() -> None:
    """Held-out figures per method on the template dataset (written examples always train)."""
    from runtime.api import load_flow
    from runtime.evaluation import head_training as ht
    from runtime.evaluation.training_data import Labelled, embed_training_set
    from runtime.flow.schema import ClassifyNode
    from runtime.models import prompts, registry

    flow = load_flow(TEMPLATE / "flow.yaml").flow
    node = flow.node("intake")
    assert isinstance(node, ClassifyNode)
    rows = [json.loads(line) for line in (TEMPLATE / "dataset.jsonl").read_text().splitlines()
            if line.strip()]
    cases = [Labelled(prompts.case_text(node, flow, r), r["expected"]["intake"], r["id"])
             for r in rows]
    embedder = registry.resolve_embedding(EMBEDDINGS_REF, TEMPLATE).embedder  # type: ignore[attr-defined]
    started = time.perf_counter()
    data = embed_training_set(embedder, node, cases)
    embed_ms = (time.perf_counter() - started) * 1000
    print(f"embedded {len(data.anchor_labels)} anchors + {len(cases)} cases in one batch "
          f"each: {embed_ms:.0f} ms ({embed_ms / (len(cases) + len(data.anchor_labels)):.1f} "
          "ms/text)")
    bands = {"act": node.guardrails.bands.act, "suggest": node.guardrails.bands.suggest}
    print(f"\nheld-out (5-fold) on {len(cases)} labelled cases, template 'intake' node:")
    print(f"{'method':<10} {'accuracy':>8} {'ECE':>6} {'log-loss':>8} {'act cover':>9} "
          f"{'act right':>9} {'fit s':>6}")
    results = {}
    for method in ht.METHODS:
        started = time.perf_counter()
        fig = ht.cross_validate(method, data, bands)
        seconds = time.perf_counter() - started
        results[method] = fig
        act = fig.bands["act"]
        right = "-" if act.precision is None else f"{act.precision:.1%}"
        print(f"{method:<10} {fig.accuracy:>8.1%} {fig.ece:>6.3f} {fig.log_loss:>8.3f} "
              f"{act.coverage:>9.1%} {right:>9} {seconds:>6.2f}")
    print(f"best on held-out cases: {ht.best_method(results)}")
    print("\nlogistic penalty sweep (held-out accuracy / log-loss):")
    for l2 in (1e-4, 1e-3, 1e-2, 1e-1):
        fig = ht.cross_validate("logistic", data, bands, l2=l2)
        print(f"  l2={l2:<7g} {fig.accuracy:.1%} / {fig.log_loss:.3f}")
    print("centroid shrinkage sweep (written examples' weight in cases):")
    for shrink in (0.0, 1.0, 4.0, 16.0):
        fig = ht.cross_validate("centroid", data, bands, shrink=shrink)
        print(f"  shrink={shrink:<5g} {fig.accuracy:.1%} / {fig.log_loss:.3f}")


def cold_imports() -> None:
    """Seconds for a fresh interpreter to import each encoder path (median of 3)."""
    import subprocess

    statements = {
        "sentence_transformers": "import sentence_transformers",
        "transformers BertModel": "from transformers import BertModel, BertTokenizerFast",
        "plain-torch BERT path": "import torch, safetensors.torch, tokenizers",
        "torch only": "import torch",
    }
    for name, statement in statements.items():
        times = []
        for _ in range(3):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", statement], check=True)
            times.append(time.perf_counter() - started)
        print(f"cold import {name:<24} {statistics.median(times):.2f} s (median of 3)")


def report(timings: list[Timing]) -> None:
    print(f"{'method':<11} {'model':<40} {'cases':>5} {'median ms':>10} {'mean ms':>8} "
          f"{'accuracy':>8}")
    for t in timings:
        print(f"{t.method:<11} {t.model:<40} {len(t.millis):>5} {t.median:>10.1f} "
              f"{statistics.fmean(t.millis):>8.1f} {t.accuracy:>8.0%}")


if __name__ == "__main__":
    sys.exit(main())
