"""How long a large flow takes to open and fit on the designer's canvas.

    python bench/designer_canvas.py [--nodes 500] [--big 2000] [--repeat 5]

Generates a flow of N steps (AI steps of every role, decisions, human reviews, actions,
ends; valid, so live validation has real work), writes it to a temporary file, then
times, in a fresh window each round:

* canvas: load the file with the runtime, build the document and the scene, fit the view
  and paint it once (the part the issue asks to keep under a second);
* window: the same through File ▸ Open of a full main window, which adds live validation,
  the property panel and the status bar;
* tidy: the same canvas path for the flow with every position removed (automatic layout);
* launch: `junction designer` in a fresh process until its window is on screen;
* commands on `--big` steps in a full window: Tidy, its undo, select-all + delete, and
  its undo — each one undo step, each to stay under half a second.

Prints the median of each. Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def generated_flow(count: int, positions: bool = True) -> dict:
    """A left-to-right flow of `count` steps in bands of ten rows."""
    rows = 10
    nodes: list[dict] = [{"id": "start", "kind": "start"},
                         {"id": "fan", "kind": "decision", "title": "Which lane?"}]
    edges: list[dict] = [{"from": "start", "to": "fan"}]
    kinds = ["classify", "assist", "enforce", "decision", "human", "action"]
    previous = {row: "fan" for row in range(rows)}
    index = 0
    while len(nodes) < count - rows:
        for row in range(rows):
            if len(nodes) >= count - rows:
                break
            kind = kinds[index % len(kinds)]
            node_id = f"n{index}"
            node = _node(node_id, kind)
            nodes.append(node)
            source = previous[row]
            edges.append(_edge(source, node_id, nodes, edges))
            previous[row] = node_id
            index += 1
    for row in range(rows):
        end_id = f"end{row}"
        nodes.append({"id": end_id, "kind": "end", "outcome": "done"})
        edges.append(_edge(previous[row], end_id, nodes, edges))
    for node in nodes:
        if node["kind"] == "decision":  # the else branch to the first end
            edges.append({"from": node["id"], "to": "end0", "else": True})
    if positions:
        for number, node in enumerate(nodes):
            column, row = divmod(number - 2, rows) if number > 1 else (number - 2, rows // 2)
            node["position"] = [220 * (column + 2), 140 * row]
    return {"format_version": 1, "name": f"Generated {count}", "autonomy": "copilot",
            "default_model": "scripted:answers.yaml",
            "record_fields": [{"name": "status", "type": "enum",
                               "values": ["open", "closed"]}],
            "nodes": nodes, "edges": edges}


def _node(node_id: str, kind: str) -> dict:
    if kind in ("classify", "assist", "enforce"):
        node = {"id": node_id, "kind": "ai", "role": kind, "title": f"Step {node_id}"}
        if kind == "classify":
            node["options"] = [{"name": "yes"}, {"name": "no"}]
        if kind == "enforce":
            node["guardrails"] = {"fields": {"status": "allow"}}
        return node
    if kind == "action":
        return {"id": node_id, "kind": "action", "set": {"status": "closed"}}
    return {"id": node_id, "kind": kind, "title": f"Step {node_id}"}


def _edge(source: str, target: str, nodes: list[dict], edges: list[dict]) -> dict:
    kind = next(n["kind"] for n in nodes if n["id"] == source)
    if kind == "decision":
        return {"from": source, "to": target,
                "when": {"field": "record.status", "op": "eq", "value": "open"}}
    if kind == "human":
        return {"from": source, "to": target}
    return {"from": source, "to": target}


LAUNCH_PROBE = """
import sys, time
begin = time.perf_counter()
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from designer import preferences
from designer.app import application
preferences.first_run = lambda window: None
application.preferences.first_run = lambda window: None
def shown():
    print(time.perf_counter() - begin)
    QApplication.instance().quit()
QTimer.singleShot(0, shown)
application.run_app()
"""


def launch_round(repo: Path, home: Path) -> float:
    """Seconds from a fresh interpreter to the designer's first window on screen."""
    import subprocess

    env = {**os.environ, "PYTHONPATH": str(repo), "HOME": str(home),
           "XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data")}
    result = subprocess.run([sys.executable, "-c", LAUNCH_PROBE], env=env, check=True,
                            capture_output=True, text=True)
    return float(result.stdout.strip().splitlines()[-1])


def timed(action) -> float:
    begin = time.perf_counter()
    action()
    return time.perf_counter() - begin


def _median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:7.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=500)
    parser.add_argument("--big", type=int, default=2000,
                        help="steps for the Tidy / delete / undo figures")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import yaml
    from PySide6.QtWidgets import QApplication

    from designer import theme
    from designer.app.application import DesignerApp
    from designer.app.session import FlowSession
    from designer.app.settings import DesignerSettings
    from designer.canvas.scene import FlowScene
    from designer.canvas.view import FlowView
    from runtime.api import load_flow, validate_flow

    app = QApplication.instance() or QApplication([])
    app.setStyleSheet(theme.style_sheet())
    folder = Path(tempfile.mkdtemp(prefix="junction-bench-"))
    placed, bare = folder / "placed.yaml", folder / "bare.yaml"
    placed.write_text(yaml.safe_dump(generated_flow(args.nodes), sort_keys=False))
    bare.write_text(yaml.safe_dump(generated_flow(args.nodes, positions=False),
                                   sort_keys=False))
    loaded = load_flow(placed)
    problems = validate_flow(loaded)
    print(f"generated flow: {len(loaded.flow.nodes)} steps, {len(loaded.flow.edges)} "
          f"connections, {len(problems)} validation problems, "
          f"{placed.stat().st_size / 1024:.0f} KiB")

    def canvas_round(path: Path) -> float:
        begin = time.perf_counter()
        session = FlowSession()
        session.open(path)
        scene = FlowScene(session.document)
        view = FlowView(scene)
        view.resize(1280, 800)
        view.show()
        view.fit()
        view.viewport().grab()  # one full paint of what is on screen
        elapsed = time.perf_counter() - begin
        view.close()
        view.deleteLater()
        scene.deleteLater()
        session.deleteLater()
        app.processEvents()
        return elapsed

    settings = DesignerSettings(settings_file=folder / "designer.ini",
                                autosave_folder=folder / "autosave",
                                new_flows_folder=folder / "flows")
    designer = DesignerApp(settings)

    def window_round() -> float:
        window = designer.new_window()
        window.show()
        app.processEvents()
        begin = time.perf_counter()
        window.files.open_path(placed)
        window.zoom_fit()
        window.view.viewport().grab()
        elapsed = time.perf_counter() - begin
        window.close()
        app.processEvents()
        return elapsed

    def load_round() -> float:
        begin = time.perf_counter()
        load_flow(placed)
        return time.perf_counter() - begin

    def commands_round(path: Path) -> dict[str, float]:
        window = designer.new_window()
        window.show()
        window.files.open_path(path)
        app.processEvents()
        figures = {"open": 0.0}
        figures["tidy"] = timed(window.tidy_layout)
        figures["undo tidy"] = timed(window.undo)
        window.select_all()
        figures["select all + delete"] = timed(window.delete_selection)
        figures["undo delete"] = timed(window.undo)
        window.session.editor.undo_stack.setClean()  # nothing to save: close quietly
        window.close()
        app.processEvents()
        return figures

    big = folder / "big.yaml"
    big.write_text(yaml.safe_dump(generated_flow(args.big), sort_keys=False))
    begin = time.perf_counter()
    load_flow(big)
    print(f"load_flow, {args.big} steps:                               "
          f"{(time.perf_counter() - begin) * 1000:7.1f} ms")
    big_canvas = [canvas_round(big) for _ in range(max(1, args.repeat // 2))]
    print(f"open + fit + paint, canvas ({args.big} steps):         {_median_ms(big_canvas)}")
    rounds = [commands_round(big) for _ in range(max(1, args.repeat // 2))]
    for name in ("tidy", "undo tidy", "select all + delete", "undo delete"):
        print(f"{name + f' at {args.big} steps:':<56}"
              f"{_median_ms([r[name] for r in rounds])}")
    launches = [launch_round(Path(__file__).resolve().parents[1], folder / "home")
                for _ in range(max(1, args.repeat // 2))]
    print(f"launch to a visible window (fresh process):             {_median_ms(launches)}")

    loading = [load_round() for _ in range(args.repeat)]
    canvas = [canvas_round(placed) for _ in range(args.repeat)]
    tidy = [canvas_round(bare) for _ in range(args.repeat)]
    whole = [window_round() for _ in range(args.repeat)]
    print(f"open + fit + paint, canvas ({args.nodes} steps):          {_median_ms(canvas)}"
          f"   (best {min(canvas) * 1000:.1f} ms)")
    print(f"  of which the runtime's load_flow (strict YAML):       {_median_ms(loading)}")
    print(f"open + fit + paint, canvas, no positions (tidy layout): {_median_ms(tidy)}")
    print(f"File ▸ Open in a full window (+ live validation):      {_median_ms(whole)}")
    verdict = "under" if statistics.median(canvas) < 1.0 else "OVER"
    print(f"→ {verdict} one second for {args.nodes} steps (median of {args.repeat})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
