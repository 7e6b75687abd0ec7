"""An evaluation result as a Markdown summary and a self-contained HTML report.

The HTML opens offline: inline CSS, charts as inline SVG (risk–coverage curve,
reliability diagram, confusion matrix), no scripts, fonts or links to fetch. Every value
taken from the flow, the dataset or a model passes through `html.escape`.
"""

from __future__ import annotations

from html import escape
from typing import Any


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def num(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


# -- Markdown ------------------------------------------------------------------------

def markdown(result: dict[str, Any]) -> str:
    e2e = result["end_to_end"]
    lines = [
        f"# Evaluation of {_md(result['flow']['name'])}", "",
        f"- dataset: `{_md(result['dataset']['path'])}` ({result['dataset']['cases']} cases;"
        f" {result['cases']['run']} run, {result['cases']['not_run']} not run)",
        f"- model: {_md(result['model'] or 'as in the flow')}"
        f" ({_md(', '.join(result['models_used']) or 'none')}); stage: {result['autonomy']}",
        f"- flow version: `{result['flow']['sha'][:12]}`, batch `{result['batch_id']}`", "",
    ]
    for node in result["nodes"]:
        lines += _node_md(node)
    lines += [
        "## End to end", "",
        "| figure | value |", "|---|---|",
        f"| outcome accuracy | {pct(e2e['outcome_accuracy'])} "
        f"({e2e['outcome_right']} of {e2e['outcome_cases']}) |",
        f"| records right / wrong | {e2e['records_right']} / {e2e['records_wrong']} |",
        f"| containment (completed, no person) | {pct(e2e['containment'])} |",
        f"| escalation (a person involved) | {pct(e2e['escalation'])} |",
        f"| wrong writes prevented by guardrails | {e2e['wrong_writes_prevented']} |",
        f"| guardrail hits | {_md(_pairs(e2e['guardrail_hits']))} |",
        f"| outcomes | {_md(_pairs(e2e['outcomes']))} |", "",
    ]
    return "\n".join(lines)


def _node_md(node: dict[str, Any]) -> list[str]:
    band = node["at_act_band"]
    lines = [
        f"## Node `{_md(node['node'])}`", "",
        f"Accuracy {pct(node['accuracy'])} on {node['cases']} cases; at the act band "
        f"{node['bands']['act']}: {band['acting']} act alone ({pct(band['coverage'])}), "
        f"{band['right']} right ({pct(band['precision'])}). ECE "
        f"{num(node['calibration']['ece'])}; measured confidence on "
        f"{pct(node['measured_share'])} of cases ({_md(_pairs(node['confidence_kinds']))}). "
        f"Wrong answers stopped before acting: {node['wrong_routes_stopped']}; wrong answers "
        f"that acted alone: {node['wrong_acted_alone']}.", "",
        "| option | cases | answered | right | precision | recall |",
        "|---|---|---|---|---|---|",
    ]
    for s in node["per_option"]:
        lines.append(f"| {_md(s['option'])} | {s['support']} | {s['predicted']} | "
                     f"{s['correct']} | {pct(s['precision'])} | {pct(s['recall'])} |")
    conf = node["confusion"]
    lines += ["", "Confusion (rows: expected, columns: answered)", "",
              "| | " + " | ".join(_md(a) for a in conf["answers"]) + " |",
              "|---" * (len(conf["answers"]) + 1) + "|"]
    for name, row in zip(conf["options"], conf["matrix"], strict=True):
        lines.append(f"| {_md(name)} | " + " | ".join(str(v) for v in row) + " |")
    lines += ["", "| act band | act alone | right | wrong | coverage | precision |",
              "|---|---|---|---|---|---|"]
    for p in node["risk_coverage"]:
        lines.append(f"| {p['threshold']:.2f} | {p['acting']} | {p['right']} | {p['wrong']} "
                     f"| {pct(p['coverage'])} | {pct(p['precision'])} |")
    lines += ["", "| confidence | cases | mean confidence | accuracy |", "|---|---|---|---|"]
    for b in node["calibration"]["bins"]:
        if b["count"]:
            lines.append(f"| {b['low']:.1f}–{b['high']:.1f} | {b['count']} | "
                         f"{num(b['mean_confidence'])} | {pct(b['accuracy'])} |")
    return [*lines, ""]


def _md(text: Any) -> str:
    """Table-safe text: a pipe or newline from a dataset must not break the table."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _pairs(counts: dict[str, int]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in counts.items()) or "none"


# -- HTML ----------------------------------------------------------------------------

CSS = """body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:60em;color:#222}
table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #ccc;padding:.2em .6em;
text-align:right}th:first-child,td:first-child{text-align:left}h2{margin-top:1.6em}
.charts{display:flex;flex-wrap:wrap;gap:1.5em}figure{margin:0}figcaption{color:#555}"""


def html(result: dict[str, Any]) -> str:
    """The whole report as one HTML document; everything shown is escaped."""
    body = _header_html(result)
    for node in result["nodes"]:
        body += _node_html(node)
    body += _e2e_html(result["end_to_end"])
    title = escape(f"Evaluation of {result['flow']['name']}")
    return (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{title}</title>"
            f"<style>{CSS}</style></head><body>{body}</body></html>")


def _header_html(result: dict[str, Any]) -> str:
    r = result
    return (f"<h1>{escape('Evaluation of ' + r['flow']['name'])}</h1><p>"
            f"Dataset <code>{escape(str(r['dataset']['path']))}</code>: "
            f"{r['dataset']['cases']} cases, {r['cases']['run']} run, "
            f"{r['cases']['not_run']} not run. Model: "
            f"{escape(str(r['model'] or 'as in the flow'))} "
            f"({escape(', '.join(r['models_used']) or 'none')}); stage "
            f"{escape(str(r['autonomy']))}; flow version "
            f"<code>{escape(r['flow']['sha'][:12])}</code>.</p>")


def _table(head: list[str], rows: list[list[Any]]) -> str:
    cells = "".join(f"<th>{escape(str(h))}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>"
                   for row in rows)
    return f"<table><tr>{cells}</tr>{body}</table>"


def _node_html(node: dict[str, Any]) -> str:
    band = node["at_act_band"]
    text = (f"Accuracy {pct(node['accuracy'])} on {node['cases']} cases. At the act band "
            f"{node['bands']['act']}: {band['acting']} act alone ({pct(band['coverage'])}), "
            f"{band['right']} right ({pct(band['precision'])}). ECE "
            f"{num(node['calibration']['ece'])}; measured confidence on "
            f"{pct(node['measured_share'])} of cases.")
    options = _table(["option", "cases", "answered", "right", "precision", "recall"],
                     [[s["option"], s["support"], s["predicted"], s["correct"],
                       pct(s["precision"]), pct(s["recall"])] for s in node["per_option"]])
    coverage = _table(["act band", "act alone", "right", "wrong", "coverage", "precision"],
                      [[f"{p['threshold']:.2f}", p["acting"], p["right"], p["wrong"],
                        pct(p["coverage"]), pct(p["precision"])]
                       for p in node["risk_coverage"]])
    charts = (f"<div class=charts>{_figure(risk_coverage_svg(node), 'Risk–coverage')}"
              f"{_figure(reliability_svg(node), 'Reliability')}"
              f"{_figure(confusion_svg(node), 'Confusion (rows: expected)')}</div>")
    return (f"<h2>Node {escape(node['node'])}</h2><p>{escape(text)}</p>{charts}"
            f"{options}{coverage}")


def _figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{escape(caption)}</figcaption></figure>"


def _e2e_html(e2e: dict[str, Any]) -> str:
    rows = [["outcome accuracy", f"{pct(e2e['outcome_accuracy'])} "
             f"({e2e['outcome_right']} of {e2e['outcome_cases']})"],
            ["records right / wrong", f"{e2e['records_right']} / {e2e['records_wrong']}"],
            ["containment", pct(e2e["containment"])],
            ["escalation", pct(e2e["escalation"])],
            ["wrong writes prevented", e2e["wrong_writes_prevented"]],
            ["guardrail hits", _pairs(e2e["guardrail_hits"])],
            ["outcomes", _pairs(e2e["outcomes"])]]
    return "<h2>End to end</h2>" + _table(["figure", "value"], rows)


# -- charts (inline SVG) -------------------------------------------------------------

W, H, PAD = 260, 220, 34


def _ticks() -> str:
    """0, 0.5 and 1 on both axes: every chart here plots shares."""
    marks = ""
    for value in (0.0, 0.5, 1.0):
        x, _ = _xy(value, 0)
        _, y = _xy(0, value)
        marks += (f'<text x="{x:.1f}" y="{H - PAD + 12}" font-size="9" text-anchor="middle">'
                  f'{value:g}</text><text x="{PAD - 3}" y="{y + 3:.1f}" font-size="9" '
                  f'text-anchor="end">{value:g}</text>')
    return marks


def _axes(x_label: str, y_label: str) -> str:
    return _ticks() + (
            f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - 8}" y2="{H - PAD}" stroke="#444"/>'
            f'<line x1="{PAD}" y1="8" x2="{PAD}" y2="{H - PAD}" stroke="#444"/>'
            f'<text x="{W / 2}" y="{H - 4}" text-anchor="middle" font-size="11">'
            f'{escape(x_label)}</text><text x="10" y="{H / 2}" font-size="11" '
            f'transform="rotate(-90 10 {H / 2})" text-anchor="middle">{escape(y_label)}</text>')


def _xy(x: float, y: float) -> tuple[float, float]:
    return PAD + x * (W - PAD - 8), (H - PAD) - y * (H - PAD - 8)


def _svg(inner: str, label: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
            f'role="img" aria-label="{escape(label)}">{inner}</svg>')


def risk_coverage_svg(node: dict[str, Any]) -> str:
    """Precision (y) against coverage (x), one point per act band."""
    points = [p for p in node["risk_coverage"] if p["precision"] is not None]
    path = " ".join("{:.1f},{:.1f}".format(*_xy(p["coverage"], p["precision"]))
                    for p in points)
    dots = "".join('<circle cx="{:.1f}" cy="{:.1f}" r="2.5" fill="#1565c0"><title>'
                   .format(*_xy(p["coverage"], p["precision"])) +
                   escape(f"act ≥ {p['threshold']:.2f}: {p['acting']} act, "
                          f"{pct(p['precision'])} right") + "</title></circle>"
                   for p in points)
    line = f'<polyline points="{path}" fill="none" stroke="#1565c0"/>' if points else ""
    return _svg(_axes("coverage (act alone)", "precision") + line + dots,
                "risk-coverage curve")


def reliability_svg(node: dict[str, Any]) -> str:
    """Accuracy per confidence bin against the diagonal of perfect calibration."""
    bars = ""
    bins = node["calibration"]["bins"]
    width = (W - PAD - 8) / max(1, len(bins))
    for b in bins:
        if not b["count"]:
            continue
        bars += _bar(b, width)
    x1, y1 = _xy(0, 0)
    x2, y2 = _xy(1, 1)
    diagonal = f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#999" stroke-dasharray="4"/>'
    return _svg(_axes("confidence", "accuracy") + bars + diagonal, "reliability diagram")


def _bar(b: dict[str, Any], width: float) -> str:
    x0, y0 = _xy(b["low"], b["accuracy"])
    tip = escape(f"confidence {b['low']:.1f}–{b['high']:.1f}: {b['count']} cases, "
                 f"{pct(b['accuracy'])} right")
    return (f'<rect x="{x0 + 1:.1f}" y="{y0:.1f}" width="{width - 2:.1f}" '
            f'height="{H - PAD - y0:.1f}" fill="#90caf9"><title>{tip}</title></rect>')


def confusion_svg(node: dict[str, Any]) -> str:
    conf = node["confusion"]
    rows, cols = conf["options"], conf["answers"]
    cell = min(28, (W - 70) / max(1, len(cols)))
    top = max(1, max((v for row in conf["matrix"] for v in row), default=1))
    inner = "".join(f'<text x="{70 + j * cell + cell / 2:.1f}" y="14" font-size="9" '
                    f'text-anchor="middle">{escape(name[:4])}</text>'
                    for j, name in enumerate(cols))
    for i, (name, row) in enumerate(zip(rows, conf["matrix"], strict=True)):
        inner += (f'<text x="66" y="{20 + i * cell + cell / 2 + 4:.1f}" font-size="10" '
                  f'text-anchor="end">{escape(name[:10])}</text>')
        for j, value in enumerate(row):
            shade = int(245 - 180 * value / top)
            x, y = 70 + j * cell, 20 + i * cell
            inner += (f'<rect x="{x:.1f}" y="{y:.1f}" width="{cell:.1f}" height="{cell:.1f}" '
                      f'fill="rgb({shade},{shade},255)" stroke="#fff"><title>'
                      f'{escape(f"expected {name}, answered {cols[j]}: {value}")}</title></rect>'
                      f'<text x="{x + cell / 2:.1f}" y="{y + cell / 2 + 4:.1f}" font-size="10" '
                      f'text-anchor="middle">{value}</text>')
    height = 30 + len(rows) * cell
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{height:.0f}" '
            f'role="img" aria-label="confusion matrix">{inner}</svg>')
