"""Which unreachable step is the cause, and which only follow from it.

Deleting one connection can cut off a whole branch: the validator then reports every step
of it as "cannot be reached from the start". Only the first step of the branch needs a
fix (connect something to it); the steps after it are reachable again once it is. So
the problems panel shows one row per first step — its cause — with the steps after it
folded under that row. Steps in a cut-off loop with no first step stay in one group.
"""

from __future__ import annotations

from collections.abc import Iterable


def cut_off_branches(edges: Iterable[tuple[str, str]],
                     unreachable: Iterable[str]) -> tuple[list[tuple[str, list[str]]], list[str]]:
    """([(first step, [steps only reached through it]), …], [steps of loops with no first
    step]), in the order the steps were given."""
    cut = list(dict.fromkeys(unreachable))
    inside = set(cut)
    after: dict[str, list[str]] = {}
    led_to: set[str] = set()
    for source, target in edges:
        if source in inside and target in inside and source != target:
            after.setdefault(source, []).append(target)
            led_to.add(target)
    branches: list[tuple[str, list[str]]] = []
    placed: set[str] = set()
    for first in (n for n in cut if n not in led_to):
        placed.add(first)
        followers: list[str] = []
        queue = list(after.get(first, ()))
        while queue:
            node = queue.pop(0)
            if node in placed:
                continue
            placed.add(node)
            followers.append(node)
            queue.extend(after.get(node, ()))
        branches.append((first, followers))
    return branches, [n for n in cut if n not in placed]
