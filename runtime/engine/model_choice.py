"""Which model answers a node: one rule shared by the engine's walk, "try one step" and a
batch's embedding window (see `pick_provider`)."""

from __future__ import annotations

from collections.abc import Callable

from runtime.engine.plan import Plan
from runtime.flow.schema import AnyNode, ClassifyNode
from runtime.models import registry
from runtime.models.base import ModelProvider
from runtime.nodes.classify import embedding_model_of
from runtime.settings import role_default

DEFAULT_MODEL = "scripted"


def providers_for_walk(plan: Plan, override: str | None) -> Callable[[AnyNode], ModelProvider]:
    """The model per node for one walk of a run, each resolved once (not per attempt)."""
    chosen: dict[str, ModelProvider] = {}

    def provider(node: AnyNode) -> ModelProvider:
        found = chosen.get(node.id)
        if found is None:
            found = chosen[node.id] = pick_provider(plan, override, node)
        return found
    return provider


def provider_chooser(plan: Plan, override: str | None) -> Callable[[AnyNode], ModelProvider]:
    """The engine's choice of model per node as a function of (plan, `--model`), for
    "try one step", which asks the same question without an engine or a run."""

    def provider(node: AnyNode) -> ModelProvider:
        return pick_provider(plan, override, node)
    return provider


def pick_provider(plan: Plan, override: str | None, node: AnyNode) -> ModelProvider:
    """Which model answers a node: an embedding model for classify nodes that use the
    embeddings method, else the run's `--model`, the node's model, the flow's default.
    A scripted `--model` replaces every model (repeatable demos); any other `--model`
    replaces the generative ones only."""
    scripted_override = override is not None and override.startswith("scripted")
    embedding_ref = embedding_model_for(node, plan)
    if embedding_ref and not scripted_override:
        from runtime.models.embeddings import with_head  # numpy: only for such nodes

        return with_head(registry.resolve_embedding(embedding_ref, plan.loaded.base_dir),
                         node, plan.flow, plan.loaded.base_dir)
    ref = (override or getattr(node, "model", None)
           or plan.flow.default_model or role_default(node) or DEFAULT_MODEL)
    generative = registry.resolve(ref, plan.loaded.base_dir)
    if isinstance(node, ClassifyNode) and node.temperature and not embedding_ref:
        from runtime.models.option_temperature import TemperedChooser

        return TemperedChooser(generative, node.temperature)  # `junction calibrate`
    return generative


def embedding_model_for(node: AnyNode, plan: Plan) -> str | None:
    """The embedding model a classify node uses, or None when it asks a generative model.

    `method: embeddings` needs one (the validator says so); `auto` uses one when configured.
    """
    if not isinstance(node, ClassifyNode) or node.method == "llm":
        return None
    return embedding_model_of(node, plan.flow.embedding_model)


def answers_at_once(provider_for: Callable[[AnyNode], ModelProvider], node: AnyNode) -> bool:
    """Whether a node's model answers without waiting on anything (the scripted model):
    then the unit of work may stay open across the call."""
    try:
        return bool(getattr(provider_for(node), "instant", False))
    except Exception:  # the step itself will meet (and report) the same problem
        return False
