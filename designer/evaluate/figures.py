"""Plain words and numbers from an evaluation result (the dict `junction eval` writes), for
the Evaluate view. No Qt here: tests check the words a person reads."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from designer.charts import Series


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def when(stamp: object) -> str:
    """An evaluation's ISO time as a person reads it: "2026-12-01 06:01 UTC"."""
    try:
        moment = datetime.fromisoformat(str(stamp)).astimezone(UTC)
    except ValueError:
        return str(stamp or "an unknown time")
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def node_summary(node: dict[str, Any]) -> list[tuple[str, str]]:
    """(what, figure) lines for one AI node."""
    band = node["at_act_band"]
    kinds = ", ".join(f"{k}: {v}" for k, v in node.get("confidence_kinds", {}).items())
    return [
        ("Cases", str(node["cases"])),
        ("Accuracy", pct(node["accuracy"])),
        (f"Act alone at ≥ {node['bands']['act']:.2f}",
         f"{band['acting']} of {band['total']} cases ({pct(band['coverage'])}), "
         f"{band['right']} right (precision {pct(band['precision'])})"),
        ("Calibration error (ECE)",
         "n/a" if node["calibration"]["ece"] is None else f"{node['calibration']['ece']:.3f}"),
        ("Measured confidence", f"{pct(node.get('measured_share'))} of answers ({kinds})"),
        ("Wrong answers sent to a person", str(node.get("wrong_routes_stopped", 0))),
        ("Wrong answers acted on alone", str(node.get("wrong_acted_alone", 0))),
    ]


def end_to_end_summary(e2e: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        ("Runs", str(e2e["runs"])),
        ("Outcome accuracy",
         f"{pct(e2e['outcome_accuracy'])} of {e2e['outcome_cases']} cases" if
         e2e["outcome_cases"] else "not measured (the dataset gives no expected outcomes)"),
        ("Containment", pct(e2e["containment"])),
        ("Escalation", pct(e2e["escalation"])),
        ("Wrong writes prevented", str(e2e["wrong_writes_prevented"])),
    ]


def risk_coverage_series(node: dict[str, Any]) -> list[Series]:
    """Precision (how often acting alone is right) against coverage (how many cases act
    alone), one point per threshold: the trade-off a team chooses its act band on."""
    points = [(p["coverage"], p["precision"]) for p in node["risk_coverage"]
              if p["coverage"] is not None and p["precision"] is not None]
    return [Series("precision at each band", sorted(points))]


def reliability_series(node: dict[str, Any]) -> list[Series]:
    """Accuracy against stated confidence, per confidence bin that has cases."""
    bins = sorted((b["mean_confidence"], b["accuracy"], b["count"])
                  for b in node["calibration"]["bins"]
                  if b["count"] and b["mean_confidence"] is not None
                  and b["accuracy"] is not None)
    return [Series("share right, per confidence bin", [(c, a) for c, a, _ in bins],
                   color="#DC6803", joined=False,
                   labels=[f"{n} case{'s' if n != 1 else ''}" for _, _, n in bins])]


def act_band_point(node: dict[str, Any]) -> tuple[float, float, str] | None:
    band = node["at_act_band"]
    if band["precision"] is None or band["coverage"] is None:
        return None
    return (band["coverage"], band["precision"], f"act band {node['bands']['act']:.2f} now")
