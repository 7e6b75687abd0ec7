"""The templates' classify steps with the real bundled MiniLM, on each template's labelled
dataset: at least 85% right, and the figure the README shows the analyst is the measured one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from template_support import (
    NEW,
    classify_nodes,
    dataset,
    flow,
    folder,
    holdout,
    readme,
    stated_accuracy,
)

from runtime.cli.main import main
from runtime.models import prompts, registry
from runtime.models.base import ChooseRequest, OptionSpec

pytestmark = pytest.mark.realmodel


def measure(name: str, rows: list[dict[str, Any]]) -> dict[str, tuple[int, int]]:
    """node → (cases, right) for every classify step of the template."""
    loaded = flow(name)
    provider = registry.resolve_embedding(loaded.flow.embedding_model or "", loaded.base_dir)
    found = {}
    for node in classify_nodes(loaded):
        assert node.method == "embeddings"
        options = [OptionSpec(name=o.name, description=o.description, examples=o.examples)
                   for o in node.options]
        right = 0
        for row in rows:
            request = ChooseRequest(node_id=node.id, case_id=row["id"], messages=[],
                                    options=options, method="embeddings",
                                    temperature=node.temperature,
                                    text=prompts.case_text(node, loaded.flow, row))
            right += provider.choose(request).label == row["expected"][node.id]
        found[node.id] = (len(rows), right)
    return found


def figure(total: int, right: int) -> tuple[int, int, float]:
    return total, right, round(100 * right / total, 1)


@pytest.mark.parametrize("name", NEW)
def test_classify_steps_reach_85_percent_and_the_readme_says_so(minilm: Any, name: str) -> None:
    stated = stated_accuracy(name)
    on_dataset, on_holdout = measure(name, dataset(name)), measure(name, holdout(name))
    assert set(stated) == set(on_dataset)
    for node_id, (total, right) in on_dataset.items():
        held_total, held_right = on_holdout[node_id]
        print(f"\n{name} {node_id}: dataset {right}/{total} = {right / total:.1%}, "
              f"held-out {held_right}/{held_total} = {held_right / held_total:.1%}")
        assert right / total >= 0.85, node_id
        assert stated[node_id]["dataset"] == figure(total, right), node_id
        assert stated[node_id]["holdout"] == figure(held_total, held_right), node_id


def test_hr_containment_on_the_dataset_is_measured_and_no_sensitive_question_is_answered(
        minilm: Any, home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Operate, MiniLM sorting, the scripted drafts: what share of the dataset's questions
    is answered with no person, and does any sensitive one slip through?"""
    name = "hr-policy-questions"
    assert main(["batch", str(folder(name) / "flow.yaml"), "--cases",
                 str(folder(name) / "dataset.jsonl"), "--autonomy", "operate",
                 "--home", str(home), "--json"]) == 0
    runs = json.loads(capsys.readouterr().out)["runs"]
    rows = {r["id"]: r for r in dataset(name)}
    answered = [r["case_id"] for r in runs if r["outcome"] == "answered"]
    leaked = [c for c in answered if rows[c]["expected"]["classify_topic"] != "general"]
    assert leaked == []
    general = sum(r["expected"]["classify_topic"] == "general" for r in rows.values())
    line = (f"containment {len(answered)} of {len(rows)} questions "
            f"({len(answered) / len(rows):.0%}); {len(answered)} of {general} everyday questions")
    print(f"\n{name}: {line}")
    assert line in readme(name)
