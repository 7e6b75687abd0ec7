"""A copy of the support-triage template whose intake node asks a scripted model, with
answers written here for every case of the template's dataset: some right, some wrong, at
confidences spread over the bands — so every figure of an evaluation can be worked out
by hand from this table and the dataset."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import yaml

from paths import TEMPLATES

OPTIONS = ["refund", "billing", "technical", "account", "spam"]
CONFIDENCES = [0.95, 0.9, 0.85, 0.7, 0.55, 0.4]


def scripted_intake(index: int, truth: str) -> tuple[str, float]:
    """The scripted answer for the index-th dataset case: every fifth answer is the next
    option instead of the right one; confidences cycle through CONFIDENCES."""
    label = OPTIONS[(OPTIONS.index(truth) + 1) % len(OPTIONS)] if index % 5 == 0 else truth
    return label, CONFIDENCES[index % len(CONFIDENCES)]


def dataset_rows() -> list[dict[str, Any]]:
    lines = (TEMPLATES / "support-triage" / "dataset.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in lines.splitlines() if line.strip()]


def make_scripted_triage(tmp_path: Path) -> Path:
    """The folder of the scripted copy: flow.yaml, dataset.jsonl (with expected outcomes),
    answers.yaml."""
    folder = tmp_path / "triage"
    shutil.copytree(TEMPLATES / "support-triage", folder)
    # edited as text: YAML 1.1 would read the edges' `on:` keys back as booleans
    text = (folder / "flow.yaml").read_text(encoding="utf-8")
    text = text.replace("  method: embeddings\n", "  method: llm\n")
    text = text.replace("default_model: scripted:scripted.yaml",
                        "default_model: scripted:answers.yaml")
    (folder / "flow.yaml").write_text(text, encoding="utf-8")
    cases: dict[str, Any] = {}
    rows = dataset_rows()
    for index, row in enumerate(rows):
        label, confidence = scripted_intake(index, row["expected"]["intake"])
        cases[row["id"]] = {"intake": {"label": label, "confidence": confidence}}
        outcome = outcome_of(row["expected"]["intake"], row)
        if outcome is not None:
            row["expected_outcome"] = outcome
    answers = {"nodes": {
        "draft_reply": {"text": "Thank you, a colleague will get back to you."},
        "update_ticket": {"values": {"queue": "general", "priority": "normal",
                                     "status": "open"}, "confidence": 0.95}},
        "cases": cases}
    (folder / "answers.yaml").write_text(yaml.safe_dump(answers), encoding="utf-8")
    (folder / "dataset.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return folder


def outcome_of(label: str | None, case: dict[str, Any]) -> str | None:
    """Where the flow ends when the intake says `label` and acts alone (copilot): spam is
    closed, technical for an enterprise customer escalated, a refund waits for a person
    (no outcome yet), everything else is answered and resolved."""
    if label == "spam":
        return "spam"
    if label == "technical" and case.get("customer_tier") == "enterprise":
        return "escalated"
    if label == "refund":
        return None
    return "resolved"
