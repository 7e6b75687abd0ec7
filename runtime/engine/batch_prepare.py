"""Embed a batch window's case texts ahead, one model call per embeddings classify node.

A classify step that uses the embeddings method embeds its case text alone; in a batch,
the encoder is far cheaper per text when given many at once. Before each window of runs
the engine hands the window's texts to every such node's provider that can `prepare`;
steps then find their vector ready. Nothing else changes: the vectors are the ones the
step would have computed (up to float rounding of a padded batch), and a provider without
`prepare` (a scripted model, a generative model) is simply not asked. Both the bundled
MiniLM and Ollama's embed API take a list of texts in one call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from runtime.engine.plan import Plan
from runtime.flow.schema import ClassifyNode
from runtime.models import prompts


def prepare_window(plan: Plan, cases: Sequence[dict[str, Any]],
                   provider_for: Callable[[ClassifyNode], Any]) -> int:
    """Prepare the window's texts for every embeddings classify node; returns how many
    texts were embedded ahead."""
    embedded = 0
    for node in plan.flow.nodes:
        if not isinstance(node, ClassifyNode):
            continue
        provider = provider_for(node)
        prepare = getattr(provider, "prepare", None)
        if prepare is None:
            continue
        embedded += prepare([prompts.case_text(node, plan.flow, case) for case in cases])
    return embedded
