"""CPU cost of routing connections around cards (issue 11), beside the canvas it serves.

    python bench/edge_routing.py [--nodes 2000]

Loads a generated flow into a canvas scene, then times in CPU seconds (the machine is
shared: wall time is noise) the batch that routes every connection — what happens once
after opening or Tidy — and the batch after moving one step (a drag step), next to the
cost of building the scene itself. Anchor: every command on 2,000 steps under 0.5 s.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=2000)
    args = parser.parse_args()

    from designer_canvas import generated_flow
    from PySide6.QtWidgets import QApplication

    from designer.canvas.edge_item import curve
    from designer.canvas.routing import router_for
    from designer.canvas.scene import FlowScene
    from designer.document.editor import FlowEditor
    from designer.document.model import FlowDocument
    from runtime.api import Flow

    app = QApplication.instance() or QApplication([])
    flow = Flow.model_validate(generated_flow(args.nodes))
    document = FlowDocument()
    editor = FlowEditor(document)
    scene = FlowScene(document)
    router = router_for(scene, curve)
    router.timer.stop()
    started = time.process_time()
    document.load(flow)
    built = time.process_time() - started
    router.timer.stop()
    pending = len(router.pending)
    started = time.process_time()
    router.flush()
    all_routes = time.process_time() - started
    detoured = len(router.detoured)
    node_id = flow.nodes[len(flow.nodes) // 2].id
    x, y = document.node(node_id).position or (0.0, 0.0)
    editor.move_nodes({node_id: (x + 40, y + 40)})
    router.timer.stop()
    started = time.process_time()
    router.flush()
    one_move = time.process_time() - started
    print(f"{args.nodes} steps, {len(flow.edges)} connections; load average "
          f"{os.getloadavg()[0]:.1f}")
    print(f"build the scene (load):                   {built * 1000:8.1f} ms CPU")
    print(f"route all {pending} connections once:       {all_routes * 1000:8.1f} ms CPU "
          f"({detoured} go round a card)")
    print(f"route after moving one step:              {one_move * 1000:8.1f} ms CPU")
    print("anchor: every command on 2,000 steps under 500 ms")
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
