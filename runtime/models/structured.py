"""Structured replies: check a model's JSON against the requested schema, with pydantic.

Constrained decoding (Ollama's `format`, a llama.cpp grammar) makes a valid reply likely,
not certain: a server may ignore the schema, a reply may be cut off, a model may be
swapped for one without constrained decoding. So every reply is parsed and validated again
here, and a failure becomes `OutputInvalid` with a message precise enough to feed back to
the model on a retry.

Validation is about *shape* only. Keys the schema does not know are kept (not rejected),
because deciding what a model may write is the guardrails' job: an overreach must reach
them and be logged as a guardrail hit, never be silently retried away.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from runtime.models.base import CallInfo, ExtractRequest, Message, OutputInvalid

_SCALARS: dict[str, Any] = {"string": str, "number": float, "integer": int, "boolean": bool,
                            "null": type(None)}


def schema_model(schema: dict[str, Any], name: str = "Reply") -> Any:
    """A pydantic type for the subset of JSON schema the runtime writes (objects,
    scalars, enums, arrays, min/max). Unknown constructs accept anything."""
    if "enum" in schema:
        return Literal[tuple(schema["enum"])]
    kind = schema.get("type")
    if isinstance(kind, list):
        options = tuple(schema_model({**schema, "type": k}, name) for k in kind)
        return options[0] if len(options) == 1 else _union(options)
    if kind == "object":
        return _object_model(schema, name)
    if kind == "array":
        return list[schema_model(schema.get("items") or {}, name + "Item")]  # type: ignore[misc]
    return _SCALARS.get(str(kind), Any)


def _union(options: tuple[Any, ...]) -> Any:
    result = options[0]
    for option in options[1:]:
        result = result | option
    return result


def _object_model(schema: dict[str, Any], name: str) -> type[BaseModel]:
    required = set(schema.get("required") or [])
    fields: dict[str, Any] = {}
    for key, sub in (schema.get("properties") or {}).items():
        bounds = {k: sub[j] for j, k in (("minimum", "ge"), ("maximum", "le")) if j in sub}
        default = ... if key in required else None
        fields[key] = (schema_model(sub, name + "_" + key), Field(default, **bounds))
    config = ConfigDict(extra="allow", strict=True)
    return create_model(name, __config__=config, **fields)


def parse_reply(text: str, schema: dict[str, Any]) -> dict[str, Any]:
    """The reply as a JSON object, validated against `schema`; raises `OutputInvalid`.

    Returns the parsed JSON itself (not pydantic's coerced copy): what the model said is
    what the guardrails must judge.
    """
    try:
        data = json.loads(text, parse_float=_finite, parse_constant=_not_a_number)
    except json.JSONDecodeError as exc:
        raise OutputInvalid(f"the reply is not valid JSON ({exc.msg} at char {exc.pos})"
                            ) from None
    if not isinstance(data, dict):
        raise OutputInvalid("the reply must be a JSON object")
    try:
        schema_model(schema).model_validate(data)
    except ValidationError as exc:
        raise OutputInvalid("the reply does not match the schema: " + _errors(exc)) from None
    return data


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise OutputInvalid(f"the reply has a number too large to be meant ({text[:24]}…)")
    return value


def _not_a_number(text: str) -> float:
    raise OutputInvalid(f"the reply has '{text}', which is not a JSON number")


def _errors(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(p) for p in error["loc"]) or "reply"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)


def split_proposal(data: dict[str, Any]) -> tuple[dict[str, Any], float | None]:
    """(values, self-reported confidence) from a reply shaped like the enforce schema."""
    values = data.get("values", data)
    if not isinstance(values, dict):
        raise OutputInvalid("'values' must be a JSON object")
    confidence = data.get("confidence")
    if isinstance(confidence, bool) or not isinstance(confidence, int | float):
        return values, None
    return values, float(confidence)


def retry_feedback(error: str) -> str:
    """What the model is told after an invalid reply (the error is fed back verbatim)."""
    return (f"Your reply was not valid: {error}. Reply again with only the JSON object, "
            "exactly as the schema requires.")


def value_spans(text: str, key: str = "values") -> dict[str, tuple[int, int]]:
    """Character span of each member of the object under `key` in a JSON reply.

    Used to line tokens up with fields; returns {} when the reply is not shaped as expected.
    """
    decoder = json.JSONDecoder()
    start = _member_value_start(text, key, decoder)
    if start is None or start >= len(text) or text[start] != "{":
        return {}
    spans: dict[str, tuple[int, int]] = {}
    pos = _skip(text, start + 1)
    try:
        while pos < len(text) and text[pos] != "}":
            name, pos = decoder.raw_decode(text, pos)
            pos = _skip(text, pos)
            pos = _skip(text, pos + 1)  # the colon
            _, end = decoder.raw_decode(text, pos)
            spans[str(name)] = (pos, end)
            pos = _skip(text, end)
            if pos < len(text) and text[pos] == ",":
                pos = _skip(text, pos + 1)
    except (json.JSONDecodeError, IndexError):
        return {}
    return spans


def _member_value_start(text: str, key: str, decoder: json.JSONDecoder) -> int | None:
    pos = _skip(text, 0)
    if not text.startswith("{", pos):
        return None
    pos = _skip(text, pos + 1)
    try:
        while pos < len(text) and text[pos] != "}":
            name, pos = decoder.raw_decode(text, pos)
            pos = _skip(text, _skip(text, pos) + 1)
            if name == key:
                return pos
            _, pos = decoder.raw_decode(text, pos)
            pos = _skip(text, pos)
            if pos < len(text) and text[pos] == ",":
                pos = _skip(text, pos + 1)
    except (json.JSONDecodeError, IndexError):
        return None
    return None


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def field_confidence(text: str, tokens: Sequence[tuple[str, float]]) -> dict[str, float]:
    """Measured confidence per proposed field: the probability the model gave to the tokens
    that spell the field's value (exp of their summed log-probabilities).

    `tokens` are (token text, logprob) in generation order. Returns {} when the tokens do
    not spell the reply exactly, rather than guess an alignment.
    """
    if "".join(t for t, _ in tokens) != text:
        return {}
    offsets, pos = [], 0
    for token, logprob in tokens:
        offsets.append((pos, pos + len(token), logprob))
        pos += len(token)
    result = {}
    for name, (start, end) in value_spans(text).items():
        total = sum(lp for a, b, lp in offsets if a < end and b > start)
        result[name] = math.exp(min(0.0, total))
    return result


@dataclass
class Reply:
    """One answer from a backend, in the terms the retry loop needs."""

    text: str
    truncated: bool = False
    tokens_in: int = 0
    tokens_out: int = 0
    tokens: list[tuple[str, float]] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Outcome:
    data: dict[str, Any]
    reply: Reply
    attempts: int
    messages: list[Message]
    tokens_in: int
    tokens_out: int


def extract_with_retries(request: ExtractRequest, send: Callable[[list[Message]], Reply],
                         on_fail: Callable[[Outcome, str], CallInfo]) -> Outcome:
    """Ask, validate, and on a format error ask again with the error fed back, at most
    `request.retries` more times. A reply cut off by the token limit is invalid too (a
    truncated JSON object must never be half-applied). Out of retries → `OutputInvalid`
    carrying the call record `on_fail` builds."""
    messages = list(request.messages)
    tokens_in = tokens_out = 0
    attempts = 0
    while True:
        attempts += 1
        reply = send(messages)
        tokens_in += reply.tokens_in
        tokens_out += reply.tokens_out
        try:
            if reply.truncated:
                raise OutputInvalid("the reply was cut off by the token limit "
                                    "(done_reason 'length')")
            data = parse_reply(reply.text, request.json_schema)
            split_proposal(data)
            return Outcome(data, reply, attempts, messages, tokens_in, tokens_out)
        except OutputInvalid as exc:
            error = str(exc)
        if attempts > max(0, request.retries):
            outcome = Outcome({}, reply, attempts, messages, tokens_in, tokens_out)
            raise OutputInvalid(f"{error} (after {attempts} attempts)",
                                call=on_fail(outcome, error))
        messages = [*messages, Message(role="assistant", content=reply.text),
                    Message(role="user", content=retry_feedback(error))]
