"""Tidy layout: layered, left to right, for flows that arrive without positions.

Layers come from networkx's topological generations after dropping the edges that close
loops (found by a depth-first walk from the start), so a flow reads like a sentence: the
start on the left, each step one column after everything that feeds it. Within a column,
a few barycentre sweeps order the steps to keep edges short and mostly uncrossed.
Pure Python: the editor turns the result into one undoable move.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported by tidy_positions: the window need not wait for it at launch
    import networkx as nx

COLUMN = 220.0
ROW = 140.0
GRID = 20.0


def tidy_positions(node_ids: list[str], edges: Iterable[tuple[str, str]],
                   start: str | None = None) -> dict[str, tuple[float, float]]:
    """Centre positions for every node, columns by depth, rows centred on y = 0."""
    import networkx as nx

    order = {node_id: index for index, node_id in enumerate(node_ids)}
    graph = nx.DiGraph()
    graph.add_nodes_from(node_ids)
    graph.add_edges_from((s, t) for s, t in edges if s in graph and t in graph and s != t)
    graph.remove_edges_from(_back_edges(graph, start, node_ids))
    layers = [sorted(layer, key=order.__getitem__)
              for layer in nx.topological_generations(graph)]
    layers = _order_layers(graph, layers)
    positions: dict[str, tuple[float, float]] = {}
    for column, layer in enumerate(layers):
        top = -(len(layer) - 1) * ROW / 2
        for row, node_id in enumerate(layer):
            positions[node_id] = (column * COLUMN, _snap(top + row * ROW))
    return positions


def _back_edges(graph: nx.DiGraph, start: str | None,
                order: list[str]) -> list[tuple[str, str]]:
    roots = ([start] if start in graph else []) + order
    back: list[tuple[str, str]] = []
    state: dict[str, int] = {}  # 1 on the stack, 2 finished
    for root in roots:
        if root in state:
            continue
        stack = [(root, iter(graph.successors(root)))]
        state[root] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
            elif state.get(child) == 1:
                back.append((node, child))
            elif child not in state:
                state[child] = 1
                stack.append((child, iter(graph.successors(child))))
    return back


def _order_layers(graph: nx.DiGraph, layers: list[list[str]]) -> list[list[str]]:
    """Barycentre heuristic: sort each column by the mean row of its neighbours."""
    for _ in range(2):
        for index in range(1, len(layers)):
            rank = {n: i for i, n in enumerate(layers[index - 1])}
            layers[index] = _sorted_by_mean(layers[index], graph.predecessors, rank)
        for index in range(len(layers) - 2, -1, -1):
            rank = {n: i for i, n in enumerate(layers[index + 1])}
            layers[index] = _sorted_by_mean(layers[index], graph.successors, rank)
    return layers


def _sorted_by_mean(layer: list[str], neighbours, rank: dict[str, int]) -> list[str]:
    def key(item: tuple[int, str]) -> float:
        position, node = item
        ranks = [rank[n] for n in neighbours(node) if n in rank]
        return sum(ranks) / len(ranks) if ranks else float(position)

    return [node for _, node in sorted(enumerate(layer), key=key)]


def _snap(value: float) -> float:
    return round(value / GRID) * GRID
