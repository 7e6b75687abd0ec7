"""How fast the designer starts, opens big flows and runs commands on them (issue 11).

    python bench/designer_canvas.py [--nodes 500] [--big 2000] [--repeat 3]

Generates flows of `--nodes` and `--big` steps (AI steps of every role, decisions, human
reviews, actions, ends; valid, so live validation has real work) and times:

* launch: `junction designer` in a fresh process, from the moment the process is started
  to the first paint of its first window (the launch frame) and of the main window;
* open + fit + paint: File ▸ Open in a full main window, Fit, one paint of the canvas
  (the figure the issue's goals are about), and the canvas alone for comparison;
* commands on `--big` steps in a full window: Tidy, its undo, select-all + delete, its
  undo, and paste of every step — each one undo step.

Each line shows the median wall time and the median CPU time of the process doing the
work, each against the issue's goal (the machine is shared: under load, wall time is
mostly waiting for a core and CPU time is the steadier figure), then the figure before
this work. `uptime`'s load is printed first and last. Not a test: timings depend on the
machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
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
from PySide6.QtWidgets import QApplication
from designer.app.launch import FirstPaints
seen = {}
def painted(name, window):
    seen[name] = (time.time(), time.process_time())
    if name == "mainWindow":
        QApplication.instance().quit()
app = QApplication(sys.argv[:1])
watcher = FirstPaints(("launchFrame", "mainWindow"), painted)
app.installEventFilter(watcher)
from designer.app import application
application.run_app()
for name in ("launchFrame", "mainWindow"):
    print(name, *seen.get(name, (float("nan"), float("nan"))))
"""

# (name, goal in seconds, the figure before this work as the issue / last session gave it)
GOALS = {
    "launch: first window on screen": (1.0, "1.5–3 s idle; 10–15 s loaded"),
    "launch: main window on screen": (None, "same as above"),
    "open+fit+paint, window, {nodes} steps": (0.5, "~630 ms (canvas)"),
    "open+fit+paint, window, {big} steps": (1.5, "3 s; 2–3.6 s loaded"),
    "open+fit+paint, canvas only, {big} steps": (None, "~1.8 s"),
    "tidy, {big} steps": (0.5, "~32 s; 2–3.6 s after part 1"),
    "undo tidy, {big} steps": (0.5, "~53 s; 2–3.6 s after part 1"),
    "select all + delete, {big} steps": (0.5, "~16 s; 2–3.6 s after part 1"),
    "undo delete, {big} steps": (0.5, "2–3.6 s after part 1"),
    "paste {big} steps": (0.5, "not measured"),
}


def launch_round(repo: Path, home: Path) -> dict[str, tuple[float, float]]:
    """Seconds (wall, CPU) from starting a fresh interpreter to each window's first paint."""
    env = {**os.environ, "PYTHONPATH": str(repo), "HOME": str(home),
           "XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data")}
    begin = time.time()
    result = subprocess.run([sys.executable, "-c", LAUNCH_PROBE], env=env, check=True,
                            capture_output=True, text=True)
    figures = {}
    for line in result.stdout.strip().splitlines()[-2:]:
        name, wall, cpu = line.split()
        figures[name] = (float(wall) - begin, float(cpu))
    return figures


def timed(action) -> tuple[float, float]:
    """(wall, CPU) seconds of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return time.perf_counter() - wall, time.process_time() - cpu


def report(name: str, samples: list[tuple[float, float]]) -> None:
    wall = statistics.median(s[0] for s in samples)
    cpu = statistics.median(s[1] for s in samples)
    goal, before = GOALS.get(name.replace(ARGS_NODES, "{nodes}").replace(ARGS_BIG, "{big}"),
                             (None, ""))
    def verdict(seconds: float) -> str:
        return "" if goal is None else ("ok" if seconds < goal else "OVER")
    goal_text = "" if goal is None else f"< {goal:.1f} s"
    print(f"{name:<42}{wall * 1000:7.0f} ms {verdict(wall):<4} {cpu * 1000:6.0f} ms CPU "
          f"{verdict(cpu):<4}  {goal_text:<8} before: {before}")


ARGS_NODES = ARGS_BIG = ""


def main() -> int:
    global ARGS_NODES, ARGS_BIG
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=500)
    parser.add_argument("--big", type=int, default=2000,
                        help="steps for the Tidy / delete / undo / paste figures")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ARGS_NODES, ARGS_BIG = str(args.nodes), str(args.big)
    repo = Path(__file__).resolve().parents[1]
    print("load:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())

    folder = Path(tempfile.mkdtemp(prefix="junction-bench-"))
    home = folder / "home"
    env = {**os.environ, "PYTHONPATH": str(repo), "HOME": str(home),
           "XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data")}
    subprocess.run([sys.executable, "-c", "from designer.preferences.first_run import "
                    "mark_done; mark_done()"], env=env, check=True)  # no welcome screen
    launches = [launch_round(repo, home) for _ in range(args.repeat)]
    report("launch: first window on screen", [r["launchFrame"] for r in launches])
    report("launch: main window on screen", [r["mainWindow"] for r in launches])

    import yaml
    from PySide6.QtWidgets import QApplication

    from designer import theme
    from designer.app.application import DesignerApp
    from designer.app.session import FlowSession
    from designer.app.settings import DesignerSettings
    from designer.canvas.scene import FlowScene
    from designer.canvas.view import FlowView

    app = QApplication.instance() or QApplication([])
    app.setStyleSheet(theme.style_sheet())
    paths = {}
    for count in (args.nodes, args.big):
        paths[count] = folder / f"flow{count}.yaml"
        paths[count].write_text(yaml.safe_dump(generated_flow(count), sort_keys=False))
    settings = DesignerSettings(settings_file=folder / "designer.ini",
                                autosave_folder=folder / "autosave",
                                new_flows_folder=folder / "flows")
    designer = DesignerApp(settings)

    def canvas_round(path: Path) -> tuple[float, float]:
        session = FlowSession()
        holder = {}

        def open_and_paint() -> None:
            session.open(path)
            scene = holder["scene"] = FlowScene(session.document)
            view = holder["view"] = FlowView(scene)
            view.resize(1280, 800)
            view.show()
            view.fit()
            view.viewport().grab()  # one full paint of what is on screen
        figures = timed(open_and_paint)
        holder["view"].close()
        holder["view"].deleteLater()
        holder["scene"].deleteLater()
        session.deleteLater()
        app.processEvents()
        return figures

    def window_round(path: Path) -> tuple[float, float]:
        window = designer.new_window()
        window.show()
        app.processEvents()
        figures = timed(lambda: (window.files.open_path(path), window.zoom_fit(),
                                 window.view.viewport().grab()))
        app.processEvents()  # live validation, after the canvas is on screen
        window.session.editor.undo_stack.setClean()
        window.close()
        app.processEvents()
        return figures

    def commands_round(path: Path) -> dict[str, tuple[float, float]]:
        window = designer.new_window()
        window.show()
        window.files.open_path(path)
        app.processEvents()
        figures = {"tidy": timed(window.tidy_layout), "undo tidy": timed(window.undo)}
        window.select_all()
        figures["select all + delete"] = timed(window.delete_selection)
        figures["undo delete"] = timed(window.undo)
        window.select_all()
        window.copy_selection()
        figures["paste"] = timed(lambda: window.paste((0.0, 4000.0)))
        window.session.editor.undo_stack.setClean()  # nothing to save: close quietly
        window.close()
        app.processEvents()
        return figures

    for count in (args.nodes, args.big):
        report(f"open+fit+paint, window, {count} steps",
               [window_round(paths[count]) for _ in range(args.repeat)])
    report(f"open+fit+paint, canvas only, {args.big} steps",
           [canvas_round(paths[args.big]) for _ in range(args.repeat)])
    rounds = [commands_round(paths[args.big]) for _ in range(args.repeat)]
    for name in ("tidy", "undo tidy", "select all + delete", "undo delete"):
        report(f"{name}, {args.big} steps", [r[name] for r in rounds])
    report(f"paste {args.big} steps", [r["paste"] for r in rounds])
    print("load:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
