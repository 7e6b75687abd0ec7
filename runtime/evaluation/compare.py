"""What changed between two evaluation results: the set-up (model, prompts, bands, stage,
flow version, dataset) and the figures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from runtime.errors import InputError
from runtime.evaluation.result import RESULT_FORMAT


def read_result(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise InputError(f"{path}: no such evaluation result")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: line {exc.lineno}: not valid JSON ({exc.msg})") from None
    if not isinstance(data, dict) or data.get("format") != RESULT_FORMAT:
        raise InputError(f"{path}: not a `junction eval` result (format {RESULT_FORMAT})")
    return data


def compare(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """{"setup": [(what, before, after)], "figures": [(what, before, after)]}, listing only
    what differs in the set-up and every headline figure."""
    setup = [
        ("flow version", a["flow"]["sha"][:12], b["flow"]["sha"][:12]),
        ("dataset", a["dataset"]["sha"][:12], b["dataset"]["sha"][:12]),
        ("model", a["model"] or "as in the flow", b["model"] or "as in the flow"),
        ("models used", ", ".join(a["models_used"]), ", ".join(b["models_used"])),
        ("stage", a["autonomy"], b["autonomy"]),
    ]
    for node in sorted(set(a["prompts"]) | set(b["prompts"])):
        setup.append((f"{node} prompt", a["prompts"].get(node), b["prompts"].get(node)))
    nodes_a = {n["node"]: n for n in a["nodes"]}
    nodes_b = {n["node"]: n for n in b["nodes"]}
    figures: list[tuple[str, Any, Any]] = []
    for node in sorted(set(nodes_a) | set(nodes_b)):
        na, nb = nodes_a.get(node, {}), nodes_b.get(node, {})
        setup.append((f"{node} act band", _get(na, "bands", "act"), _get(nb, "bands", "act")))
        setup.append((f"{node} suggest band", _get(na, "bands", "suggest"),
                      _get(nb, "bands", "suggest")))
        figures += [
            (f"{node} accuracy", na.get("accuracy"), nb.get("accuracy")),
            (f"{node} ECE", _get(na, "calibration", "ece"), _get(nb, "calibration", "ece")),
            (f"{node} act-alone coverage", _get(na, "at_act_band", "coverage"),
             _get(nb, "at_act_band", "coverage")),
            (f"{node} act-alone precision", _get(na, "at_act_band", "precision"),
             _get(nb, "at_act_band", "precision")),
        ]
    ea, eb = a["end_to_end"], b["end_to_end"]
    for key in ("outcome_accuracy", "containment", "escalation", "records_wrong",
                "wrong_writes_prevented"):
        figures.append((key.replace("_", " "), ea.get(key), eb.get(key)))
    return {"setup": [s for s in setup if s[1] != s[2]], "figures": figures}


def _get(node: dict[str, Any], *keys: str) -> Any:
    value: Any = node
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value
