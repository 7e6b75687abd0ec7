"""Models run in-process by llama.cpp: `llamacpp:PATH.gguf` and `llamacpp:bundled`.

No server, no network: the model file is loaded once per process (`llamacpp_model`). The
node's chat messages are rendered as one text for the model to continue
(`prompts.completion_text`), which suits base models such as the bundled Gemma 3 270M.

choose — option scoring, confidence *measured*: after the prompt (ending in `Answer:`),
each option's continuation (` refund`) is scored as the sum of its tokens'
log-probabilities, reusing the prompt's KV cache. Small models favour some answers whatever
the case says (the last example shown, a short word), so by default the scores are
calibrated: each option's probability is divided by its probability for a content-free
case (`N/A`, an empty case, `[MASK]`), measured once per prompt template — "calibrate
before use" (Zhao et al., 2021). Both the raw and the calibrated probabilities are stored.

extract — the JSON schema becomes a llama.cpp grammar, so the model can only write JSON of
that shape (`llamacpp_grammar` decodes greedily, checking the grammar lazily); the reply is
still validated and retried like any other (`structured`). Each proposed field gets a
measured confidence: the probability of the tokens that spell its value. draft — plain
continuation, stopped where a new turn would begin.
"""

from __future__ import annotations

import json
import math
import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from runtime.errors import InputError
from runtime.models import answers, bundled, llamacpp_model, prompts, structured
from runtime.models.base import (
    CallInfo,
    ChooseRequest,
    ChooseResult,
    DraftRequest,
    DraftResult,
    ExtractRequest,
    ExtractResult,
    Message,
    ModelProvider,
    ModelUnavailable,
    OutputInvalid,
    normalise,
)
from runtime.models.llamacpp_model import SharedModel

CONTENT_FREE = ("N/A", "", "[MASK]")
JSON_TOKENS = 512
DECIMALS = 6
PRIOR_CACHE_SIZE = 64
# A base model keeps writing the conversation; a draft ends where a new turn would begin.
DRAFT_STOPS = [f"\n{prompts.USER_PREFIX}", f"\n{prompts.ANSWER_PREFIX}", "<<<", "\n<<"]


class LlamaCppProvider:
    provider = "llamacpp"

    def __init__(self, ref: str, locate: Callable[[], Path], *, calibrate: bool = True,
                 model: Callable[[Path], SharedModel] = llamacpp_model.shared_model) -> None:
        self.ref = ref
        self.calibrate = calibrate
        self._locate = locate
        self._model_for = model
        self._shared: SharedModel | None = None
        self._lock = threading.Lock()
        self._priors: OrderedDict[str, dict[str, float]] = OrderedDict()
        self._grammars: dict[str, str] = {}

    def shared(self) -> SharedModel:
        """The process-wide loaded model (located, assembled and loaded on first use)."""
        with self._lock:
            if self._shared is None:
                self._shared = self._model_for(self._locate())
            return self._shared

    @property
    def model_name(self) -> str:
        return self._shared.path.name if self._shared else self.ref

    # -- choose ------------------------------------------------------------------

    def choose(self, request: ChooseRequest) -> ChooseResult:
        names = [o.name for o in request.options]
        head, rest = prompts.completion_parts(request.messages)
        shared = self.shared()
        started = time.perf_counter()
        with shared.lock:
            llm = shared.llm()
            raw, tokens_in, evaluated, mass = self._score(shared, llm, head, rest, names)
            prior = self._prior(shared, llm, request.messages, names) if self.calibrate else None
        raw_probs = _softmax(raw)
        probs = normalise({n: raw_probs[n] / prior[n] for n in names}) if prior else raw_probs
        label = max(probs, key=lambda n: probs[n])
        call = CallInfo(
            provider=self.provider, model=self.model_name,
            prompt=[Message(role="user", content=head + rest)], raw=f" {label}",
            tokens_in=tokens_in, tokens_out=0,
            latency_ms=(time.perf_counter() - started) * 1000, confidence_kind="measured",
            details={"method": "option scoring", "format": "completion text",
                     "tokens_evaluated": evaluated,
                     "option_logprobs": {n: round(v, 4) for n, v in raw.items()},
                     "raw_probabilities": {n: round(v, 6) for n, v in raw_probs.items()},
                     "calibrated": prior is not None,
                     "prior": {n: round(v, 6) for n, v in (prior or {}).items()}})
        return answers.choice(probs, call, label=label, option_mass=mass)

    def _score(self, shared: SharedModel, llm: Any, head: str, rest: str,
               names: list[str]) -> tuple[dict[str, float], int, int, float]:
        """(log P(option | prompt) per option, prompt tokens, tokens evaluated, option
        mass). The option mass is the share of the next token after the prompt that starts
        any option — how much of the model's answer the options account for at all
        (options that share a first token, " bill" for "bill" and "billing", count it
        once)."""
        head_tokens = llamacpp_model.tokenize(llm, head, bos=True)
        rest_tokens = llamacpp_model.tokenize(llm, rest, bos=False)
        prompt_len = len(head_tokens) + len(rest_tokens)
        endings = _endings(names)
        options = {n: llamacpp_model.tokenize(llm, f" {n}{endings}", bos=False) for n in names}
        longest = max(len(t) for t in options.values())
        if prompt_len + longest > llm.n_ctx():
            raise OutputInvalid(f"the prompt is {prompt_len} tokens, more than the model's "
                                f"context of {llm.n_ctx()} (shorten the case or the examples)")
        evaluated = llamacpp_model.eval_anchored(shared, llm, head_tokens, rest_tokens)
        first = llamacpp_model.last_logprobs(llm)
        scores = {}
        for name, option_tokens in options.items():
            scores[name] = llamacpp_model.continuation_logprob(llm, prompt_len, first,
                                                               option_tokens)
            evaluated += len(option_tokens) - 1
        starts = {option_tokens[0] for option_tokens in options.values()}
        mass = min(1.0, sum(math.exp(float(first[t])) for t in starts))
        return scores, prompt_len, evaluated, mass

    def _prior(self, shared: SharedModel, llm: Any, messages: list[Message],
               names: list[str]) -> dict[str, float]:
        """Option probabilities for content-free cases under the same instructions and
        examples: what the model answers when the case tells it nothing."""
        key = json.dumps([[m.role, m.content] for m in messages[:-1]] + [names])
        cached = self._priors.get(key)
        if cached is not None:
            self._priors.move_to_end(key)
            return cached
        total = dict.fromkeys(names, 0.0)
        for filler in CONTENT_FREE:
            probe = [*messages[:-1], Message(role="user", content=prompts.fenced(filler))]
            scores, _, _, _ = self._score(shared, llm, *prompts.completion_parts(probe),
                                          names)
            for name, p in _softmax(scores).items():
                total[name] += p / len(CONTENT_FREE)
        prior = {n: max(p, 1e-9) for n, p in total.items()}
        self._priors[key] = prior
        if len(self._priors) > PRIOR_CACHE_SIZE:
            self._priors.popitem(last=False)
        return prior

    # -- extract / draft -----------------------------------------------------------

    def extract(self, request: ExtractRequest) -> ExtractResult:
        started = time.perf_counter()
        grammar = self._grammar(request.json_schema)

        def send(messages: list[Message]) -> structured.Reply:
            return self._generate_json(messages, grammar)

        def record(outcome: structured.Outcome, error: str = "") -> CallInfo:
            text = prompts.completion_text(outcome.messages) + " "
            call = CallInfo(provider=self.provider, model=self.model_name,
                            prompt=[Message(role="user", content=text)],
                            raw=outcome.reply.text, tokens_in=outcome.tokens_in,
                            tokens_out=outcome.tokens_out, attempts=outcome.attempts,
                            latency_ms=(time.perf_counter() - started) * 1000,
                            confidence_kind="self_reported",
                            details={"method": "grammar-constrained JSON",
                                     "format": "completion text",
                                     "tokens_evaluated": outcome.reply.details.get(
                                         "tokens_evaluated", 0)})
            if error:
                call.details["error"] = error
            return call

        outcome = structured.extract_with_retries(request, send, record)
        values, reported = structured.split_proposal(outcome.data)
        call = record(outcome)
        measured = structured.field_confidence(outcome.reply.text, outcome.reply.tokens)
        measured = {k: v for k, v in measured.items() if k in values}
        if values and set(measured) == set(values):
            call.confidence_kind = "measured"
            call.details["self_reported_confidence"] = reported
            return ExtractResult(values=values, confidence=min(measured.values()),
                                 field_confidence=measured, call=call)
        return ExtractResult(values=values, confidence=reported, call=call)

    def _generate_json(self, messages: list[Message], grammar: str) -> structured.Reply:
        from runtime.models import llamacpp_grammar  # numpy: only with the llamacpp extra

        head, rest = prompts.completion_parts(messages)
        shared = self.shared()
        with shared.lock:
            llm = shared.llm()
            head_tokens = llamacpp_model.tokenize(llm, head, bos=True)
            rest_tokens = llamacpp_model.tokenize(llm, rest + " ", bos=False)
            prompt_len = len(head_tokens) + len(rest_tokens)
            room = llm.n_ctx() - prompt_len
            if room < 16:
                raise OutputInvalid(f"the prompt is {prompt_len} tokens, too close to the "
                                    f"model's context of {llm.n_ctx()}")
            result = llamacpp_grammar.generate_json(
                llm, lambda: llamacpp_model.eval_anchored(shared, llm, head_tokens,
                                                          rest_tokens),
                grammar, min(JSON_TOKENS, room))
        return structured.Reply(text=result.text, truncated=result.truncated,
                                tokens_in=prompt_len, tokens_out=len(result.tokens),
                                tokens=result.tokens,
                                details={"tokens_evaluated": result.evaluated})

    def draft(self, request: DraftRequest) -> DraftResult:
        started = time.perf_counter()
        text = prompts.completion_text(request.messages)
        reply = self._complete(text, max_tokens=max(64, request.max_words * 2),
                               temperature=0.3, repeat_penalty=1.3,
                               stop=DRAFT_STOPS)
        call = CallInfo(provider=self.provider, model=self.model_name,
                        prompt=[Message(role="user", content=text)], raw=reply.text,
                        tokens_in=reply.tokens_in, tokens_out=reply.tokens_out,
                        latency_ms=(time.perf_counter() - started) * 1000,
                        details={"truncated": reply.truncated, "format": "completion text"})
        return DraftResult(text=reply.text.strip(), call=call)

    def _complete(self, text: str, **kwargs: Any) -> structured.Reply:
        shared = self.shared()
        with shared.lock:
            llm = shared.llm()
            shared.anchor = None  # generation below reuses and overwrites the cache freely
            prompt_tokens = llamacpp_model.tokenize(llm, text, bos=True)
            room = llm.n_ctx() - len(prompt_tokens)
            if room < 16:
                raise OutputInvalid(f"the prompt is {len(prompt_tokens)} tokens, too close "
                                    f"to the model's context of {llm.n_ctx()}")
            kwargs["max_tokens"] = min(int(kwargs["max_tokens"]), room)
            result = llm.create_completion(prompt_tokens, seed=0, **kwargs)
        choice = result["choices"][0]
        usage = result.get("usage") or {}
        return structured.Reply(text=choice["text"],
                                truncated=choice.get("finish_reason") == "length",
                                tokens_in=int(usage.get("prompt_tokens", 0)),
                                tokens_out=int(usage.get("completion_tokens", 0)))

    def _grammar(self, schema: dict[str, Any]) -> str:
        """The llama.cpp grammar (GBNF) for a JSON schema, built once per schema."""
        key = json.dumps(schema, sort_keys=True)
        grammar = self._grammars.get(key)
        if grammar is None:
            from llama_cpp.llama_grammar import json_schema_to_gbnf

            grammar = json_schema_to_gbnf(json.dumps(schema), list(schema.get("properties", {})))
            grammar = _plain_numbers(grammar)
            self._grammars[key] = grammar
        return grammar


def _plain_numbers(grammar: str) -> str:
    """Numbers as people write them in records: no exponent, at most `DECIMALS` digits after
    the point (the converter allows `1e308` and 16 decimals).

    A small model asked for a number happily writes `0.0000000000000000` and then, when cut
    short, `10482.000000e6000000000000000` (infinity, once parsed). Every extra character is
    one more decoding step, and none of them is a value anyone meant.
    """
    rule = "decimal-part ::= [0-9]" + " ([0-9]" * (DECIMALS - 1) + ")?" * (DECIMALS - 1)
    grammar = re.sub(r"^decimal-part ::= .*$", rule, grammar, count=1, flags=re.MULTILINE)
    return grammar.replace(' ([eE] [-+]? integral-part)?', "")


def _softmax(logprobs: dict[str, float]) -> dict[str, float]:
    top = max(logprobs.values())
    return normalise({n: math.exp(v - top) for n, v in logprobs.items()})


def _endings(names: list[str]) -> str:
    """A newline after each option when one name starts another ("bill", "billing"):
    then "bill" must be followed by the end of the answer, not by more letters."""
    lowered = [n.lower() for n in names]
    overlap = any(a != b and b.startswith(a) for a in lowered for b in lowered)
    return "\n" if overlap else ""


def _locator(rest: str, base_dir: Path) -> Callable[[], Path]:
    if rest == "bundled":
        return bundled.model_path
    path = Path(rest).expanduser()
    if not path.is_absolute():
        path = base_dir / path

    def locate() -> Path:
        if not path.exists():
            raise ModelUnavailable(f"model file not found: {path}")
        return path
    return locate


def _factory(ref: str, rest: str, base_dir: Path) -> ModelProvider:
    if not rest:
        raise InputError(f"'{ref}' names no model file; write llamacpp:bundled or "
                         "llamacpp:PATH.gguf")
    calibrate = _env_flag("JUNCTION_LLAMACPP_CALIBRATE")
    if _env_flag("JUNCTION_LLAMACPP_ISOLATE"):
        from runtime.models.llamacpp_process import IsolatedLlamaCpp

        return IsolatedLlamaCpp(ref, _locator(rest, base_dir), calibrate=calibrate)
    return LlamaCppProvider(ref, _locator(rest, base_dir), calibrate=calibrate)


def _env_flag(name: str) -> bool:
    """On unless set to 0/false/no. `JUNCTION_LLAMACPP_ISOLATE=0` runs the model inside the
    calling process (no crash containment; for profiling and debugging)."""
    return os.environ.get(name, "1").strip().lower() not in ("0", "false", "no", "off")


def register_backend() -> None:
    from runtime.models.registry import register

    register("llamacpp", _factory)
