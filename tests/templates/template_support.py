"""Reading the templates' files, for tests in tests/templates."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from paths import TEMPLATES
from runtime.api import LoadedFlow, load_flow
from runtime.flow.schema import AINodeBase, ClassifyNode, EndNode, HumanNode

NEW = ["it-access-request", "returns-rma", "quote-approval", "hr-policy-questions"]
ALL = sorted(p.parent.name for p in TEMPLATES.glob("*/flow.yaml"))
STAGES = ["observe", "copilot", "operate"]


def folder(name: str) -> Path:
    return TEMPLATES / name


def flow(name: str) -> LoadedFlow:
    return load_flow(folder(name) / "flow.yaml")


def jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def cases(name: str) -> list[dict[str, Any]]:
    return jsonl(folder(name) / "cases.jsonl")


def dataset(name: str) -> list[dict[str, Any]]:
    return jsonl(folder(name) / "dataset.jsonl")


def classify_nodes(loaded: LoadedFlow) -> list[ClassifyNode]:
    return [n for n in loaded.flow.nodes if isinstance(n, ClassifyNode)]


def ai_nodes(loaded: LoadedFlow) -> list[AINodeBase]:
    return [n for n in loaded.flow.nodes if isinstance(n, AINodeBase)]


def outcomes(loaded: LoadedFlow) -> set[str]:
    """Every value `expected_outcome` may take: an end's outcome, or `person:NODE` for the
    step whose person the run waits for (a human node, or an AI step a guardrail holds)."""
    ends = {n.outcome for n in loaded.flow.nodes if isinstance(n, EndNode)}
    people = {f"person:{n.id}" for n in loaded.flow.nodes
              if isinstance(n, HumanNode | AINodeBase)}
    return ends | people


def readme(name: str) -> str:
    return (folder(name) / "README.md").read_text(encoding="utf-8")


def promotion_criteria(name: str) -> dict[str, Any]:
    """The YAML block under the README's "Promotion criteria" heading."""
    text = readme(name)
    section = text.split("## Promotion criteria", 1)[1]
    block = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert block, f"{name}/README.md: no ```yaml block under 'Promotion criteria'"
    return yaml.safe_load(block.group(1))


ACCURACY_ROW = re.compile(
    r"^\| `(\w+)` \| (\d+) \| (\d+) \| ([\d.]+)% \| (\d+) of (\d+) \(([\d.]+)%\) \|$", re.M)


def stated_accuracy(name: str) -> dict[str, dict[str, tuple[int, int, float]]]:
    """node → {"dataset": (cases, right, %), "holdout": (cases, right, %)} from the README's
    measured-accuracy table."""
    return {m[1]: {"dataset": (int(m[2]), int(m[3]), float(m[4])),
                   "holdout": (int(m[6]), int(m[5]), float(m[7]))}
            for m in ACCURACY_ROW.finditer(readme(name))}


def holdout(name: str) -> list[dict[str, Any]]:
    return jsonl(folder(name) / "holdout.jsonl")
