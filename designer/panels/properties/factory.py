"""The type → editor factory, and the words shown for each field.

`editor_for` looks at a pydantic field's annotation (str, int with bounds, float, bool,
enum, Literal, optional, list of words, nested model) and returns a matching editor. A
few fields get a purpose-built editor because the generic one would make a person think
in data structures: the field matrix, confidence bands, classify options, record values.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Callable
from typing import Any

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from designer.panels import model_catalog
from designer.panels.properties import texts
from designer.panels.properties.editors import (
    BoolEditor,
    ChecklistEditor,
    ChoiceEditor,
    EditableChoiceEditor,
    FieldEditor,
    MultilineEditor,
    NumberEditor,
    TagsEditor,
    TextEditor,
    YamlEditor,
)
from designer.panels.properties.form import FieldSpec, FormContext

MULTILINE = {"instructions", "notes", "description", "question"}


def field_text(model: type[BaseModel], spec: FieldSpec) -> tuple[str, str]:
    key = spec if isinstance(spec, str) else "+".join(spec)
    return texts.lookup(model.__name__, key)


def editor_for(model: type[BaseModel], spec: FieldSpec) -> FieldEditor:
    if not isinstance(spec, str):
        return _special(model, "+".join(spec))  # composite editors are always special
    special = _OVERRIDES.get((model.__name__, spec)) or _OVERRIDES.get(("*", spec))
    if special is not None:
        return special(model)
    info = model.model_fields[spec]
    return generic_editor(spec, info, model)


def generic_editor(name: str, info: FieldInfo, model: type[BaseModel]) -> FieldEditor:
    annotation, optional = _unwrap_optional(info.annotation)
    origin = typing.get_origin(annotation)
    if annotation is bool:
        return BoolEditor(texts.lookup(model.__name__, name)[0])
    if annotation in (int, float):
        low, high = _bounds(info)
        return NumberEditor(annotation is int, low, high, optional)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        choices = [(m.value, texts.choice(m.value)) for m in annotation]
        if optional:
            choices.insert(0, (None, "Use the flow's setting"))
        return ChoiceEditor(choices)
    if origin is typing.Literal:
        return ChoiceEditor([(v, texts.choice(v)) for v in typing.get_args(annotation)])
    if origin is list and _is_words(typing.get_args(annotation)):
        return TagsEditor()
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        from designer.panels.properties.nested import NestedModelEditor, OptionalModelEditor

        if optional:
            return OptionalModelEditor(annotation, list(annotation.model_fields))
        return NestedModelEditor(annotation, list(annotation.model_fields))
    if origin is not None or annotation not in (str, typing.Any):
        empty = None if optional else {dict: {}, list: []}.get(origin)
        return YamlEditor(empty)  # anything richer the runtime adds: editable, still checked
    if name in MULTILINE:
        return MultilineEditor(texts.placeholder(name))
    editor = TextEditor(texts.placeholder(name))
    editor.empty_is_none = optional
    return editor


def _is_words(args: tuple) -> bool:
    inner = [typing.get_args(a)[0] if typing.get_origin(a) is typing.Annotated else a
             for a in args]
    return all(a is str for a in inner)


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return annotation, False


def _bounds(info: FieldInfo) -> tuple[float | None, float | None]:
    low = high = None
    for item in info.metadata:
        if isinstance(item, annotated_types.Ge):
            low = float(item.ge)  # type: ignore[arg-type]
        elif isinstance(item, annotated_types.Gt):
            low = float(item.gt) + 0.01  # type: ignore[arg-type]
        elif isinstance(item, annotated_types.Le):
            high = float(item.le)  # type: ignore[arg-type]
    return low, high


# -- special editors ------------------------------------------------------------------------


class ModelRefEditor(EditableChoiceEditor):
    """A model reference; empty means the flow's default model (`default_attr`; None for
    the flow's own default, where empty means none). It offers the models found on this
    machine (`model_catalog`), not a fixed list."""

    def __init__(self, embedding: bool, default_attr: str | None) -> None:
        super().__init__("none" if default_attr is None else "")
        self.embedding, self.default_attr = embedding, default_attr

    def set_context(self, context: FormContext) -> None:
        super().set_context(context)
        default = getattr(context.flow, self.default_attr, None) if self.default_attr else None
        model_catalog.fill(self.combo, model_catalog.latest(), self.embedding,
                           named=[default] if default else [])
        if self.default_attr is not None:
            self.combo.lineEdit().setPlaceholderText(
                f"flow default ({default})" if default else "flow default")


class FieldChecklist(ChecklistEditor):
    def __init__(self, source: str, empty_text: str) -> None:
        super().__init__(empty_text)
        self.source = source

    def set_context(self, context: FormContext) -> None:
        super().set_context(context)
        self.set_choices([f.name for f in getattr(context.flow, self.source)])


class FallbackEditor(EditableChoiceEditor):
    """`human`, or the label of one of the step's outgoing branches."""

    def __init__(self) -> None:
        super().__init__(empty_is_none=False)

    def set_context(self, context: FormContext) -> None:
        super().set_context(context)
        labels = [e.on for e in context.outgoing if e.on]
        self.set_suggestions(["human", *dict.fromkeys(labels)])


def _special(model: type[BaseModel], key: str) -> FieldEditor:
    builder = _OVERRIDES.get((model.__name__, key)) or _OVERRIDES[("*", key)]
    return builder(model)


def _bands(model: type[BaseModel]) -> FieldEditor:
    from designer.panels.properties.bands import BandsEditor

    return BandsEditor()


def _matrix(model: type[BaseModel]) -> FieldEditor:
    from designer.panels.properties.field_matrix import FieldMatrixEditor

    return FieldMatrixEditor()


def _options(model: type[BaseModel]) -> FieldEditor:
    from designer.panels.properties.options import OptionsEditor

    return OptionsEditor()


def _set_values(model: type[BaseModel]) -> FieldEditor:
    from designer.panels.properties.record_values import RecordValuesEditor

    return RecordValuesEditor(copy=False)


def _copy_values(model: type[BaseModel]) -> FieldEditor:
    from designer.panels.properties.record_values import RecordValuesEditor

    return RecordValuesEditor(copy=True)


def _person_limits(model: type[BaseModel]) -> FieldEditor:
    from designer.panels.properties.field_matrix import LimitsEditor

    return LimitsEditor()


def _guardrails(model: type[BaseModel]) -> FieldEditor:
    from designer.nodes import record_for_model
    from designer.panels.properties.nested import NestedModelEditor
    from runtime.api import Guardrails

    rows = list(record_for_model(model).guardrail_rows)
    return NestedModelEditor(Guardrails, texts.rows_for(Guardrails, rows))


def _field_table(kind: str) -> Callable[[type[BaseModel]], FieldEditor]:
    def build(model: type[BaseModel]) -> FieldEditor:
        from designer.panels.properties.fields_table import FieldsTableEditor

        return FieldsTableEditor(kind)

    return build


_OVERRIDES: dict[tuple[str, str], Callable[[type[BaseModel]], FieldEditor]] = {
    ("*", "bands"): _bands,
    ("*", "fields+limits"): _matrix,
    ("*", "options"): _options,
    ("*", "set"): _set_values,
    ("*", "copy_from"): _copy_values,
    ("*", "guardrails"): _guardrails,
    ("*", "model"): lambda m: ModelRefEditor(False, "default_model"),
    ("*", "embedding_model"): lambda m: ModelRefEditor(True, "embedding_model"),
    ("*", "input"): lambda m: FieldChecklist("case_fields", "The flow has no case fields yet."),
    ("*", "editable_fields"): lambda m: FieldChecklist("record_fields",
                                                       "The flow has no record fields yet."),
    ("Guardrails", "fallback"): lambda m: FallbackEditor(),
    ("HumanNode", "limits"): _person_limits,
    ("Flow", "default_model"): lambda m: ModelRefEditor(False, None),
    ("Flow", "embedding_model"): lambda m: ModelRefEditor(True, None),
    ("Flow", "case_fields"): _field_table("case"),
    ("Flow", "record_fields"): _field_table("record"),
}
