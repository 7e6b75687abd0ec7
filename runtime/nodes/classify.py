"""`ai.classify`: sorts the case into one of N options with a probability per option
(measured from log-probabilities or embeddings where the model allows)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import Field, field_validator

from runtime.errors import Problem
from runtime.nodes.base import AINodeBase, FieldType, Identifier, Strict
from runtime.nodes.checks import check_ai_node
from runtime.nodes.spec import CheckContext, FieldInfo, NodeSpec
from runtime.settings import embedding_default


class Option(Strict):
    """One answer a classify node may give, described for the model and for people."""

    name: Identifier
    description: str = ""
    examples: list[str] = Field(default_factory=list)


class ClassifyNode(AINodeBase):
    role: Literal["classify"] = "classify"
    question: str = ""
    options: list[Option] = Field(min_length=2)
    method: Literal["auto", "llm", "embeddings"] = "auto"
    embedding_model: str | None = None
    temperature: float | None = Field(default=None, gt=0.0, le=10.0)
    head: str | None = None  # a trained head's sidecar file (`junction train`), beside the flow

    @field_validator("options")
    @classmethod
    def _unique_options(cls, options: list[Option]) -> list[Option]:
        names = [o.name for o in options]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"option names must be unique; repeated: {', '.join(dupes)}")
        return options


def classify_outputs(node: ClassifyNode) -> list[FieldInfo]:
    return [
        FieldInfo(f"{node.id}.label", FieldType.enum, tuple(o.name for o in node.options),
                  "the option the node chose"),
        FieldInfo(f"{node.id}.confidence", FieldType.number, (),
                  "probability of the chosen option"),
    ]


def embedding_model_of(node: ClassifyNode, flow_embedding_model: str | None) -> str | None:
    """The embedding model a classify node uses, or None when it asks a generative model.

    The node's, else the flow's (`auto` uses one only when the flow configures it). With
    `method: embeddings` and neither set, the settings file's `models.embedding` applies:
    that node cannot run without one. The one rule the engine, validation, readiness and
    trained heads all use, so they never disagree about which model a node runs on.
    """
    if node.method == "llm":
        return None
    chosen = node.embedding_model or flow_embedding_model
    if chosen or node.method != "embeddings":
        return chosen
    return embedding_default() or None


def check_classify(node: ClassifyNode, ctx: CheckContext) -> Iterator[Problem]:
    yield from check_ai_node(node, ctx)
    if node.method == "embeddings":
        for option in node.options:
            if not option.examples and not option.description:
                yield Problem(f"option '{option.name}' needs examples or a description "
                              "for the embeddings method", node=node.id)
        if not embedding_model_of(node, ctx.flow.embedding_model):
            yield Problem("method 'embeddings' needs an embedding model: set "
                          "'embedding_model' on this node or on the flow (e.g. "
                          "sentence-transformers:all-minilm-l6-v2 or ollama:all-minilm), "
                          "or a default with `junction settings set models.embedding …`",
                          node=node.id)


SPEC = NodeSpec(key="ai.classify", model=ClassifyNode, outputs=classify_outputs,
                checks=check_classify)
