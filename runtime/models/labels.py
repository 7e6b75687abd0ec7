"""From a model's first answer token to a probability for every option.

A chat model asked for "the option name only" spreads its first token over many spellings
of the same answer: "refund", " refund", "Refund", "ref" (the first piece of a name split
into several tokens) or the option's letter ("A") when options are listed with letters.
Every spelling's probability is added to the option it means, then the sum over options is
renormalised. The mass that went to no option at all is not thrown away: a model that put
3% of its answer on the options is not 95% sure of anything, so the confidence is the
label's share of the whole answer (`answers.choice`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from runtime.models.base import normalise
from runtime.models.prompts import option_letters

_PUNCT = " \t\r\n\"'`*_.,:;()[]{}<>-"


def clean(token: str) -> str:
    """A token as an answer: without surrounding spaces, quotes, markup or punctuation."""
    return token.strip(_PUNCT).lower()


def options_for_token(token: str, names: Sequence[str]) -> list[str]:
    """The options a token could be the start of.

    A single letter means the option with that letter (options are shown as "A) name").
    Longer pieces mean every option whose name starts with them; a piece shared by two
    names ("re" for "refund" and "return") counts for both, split evenly by the caller.
    A whole word that starts with a name ("refunds") means that option.
    """
    piece = clean(token)
    if not piece:
        return []
    exact = [n for n in names if n.lower() in (piece, _words(piece))]
    if exact:
        return exact
    letters = [letter.lower() for letter in option_letters(len(names))]
    if len(piece) == 1:
        return [names[letters.index(piece)]] if piece in letters else []
    starts = [n for n in names if _words(n.lower()).startswith(_words(piece))]
    return starts or [n for n in names if piece.startswith(n.lower())]


def _words(name: str) -> str:
    """`needs_human` → `needs human`, so a model writing the words still maps."""
    return name.replace("_", " ").replace("-", " ")


def is_answer_token(token: str) -> bool:
    """False for tokens that only open an answer (a quote, a space, `**`)."""
    return bool(clean(token))


def option_scores(candidates: Iterable[tuple[str, float]],
                  names: Sequence[str]) -> tuple[dict[str, float], float]:
    """Probability mass per option from (token, logprob) alternatives at one position,
    and the total mass that mapped to any option."""
    mass = dict.fromkeys(names, 0.0)
    seen: set[str] = set()
    for token, logprob in candidates:
        if token in seen or not math.isfinite(logprob):
            continue
        seen.add(token)
        targets = options_for_token(token, names)
        for name in targets:
            mass[name] += math.exp(logprob) / len(targets)
    return mass, sum(mass.values())


def probabilities(mass: dict[str, float]) -> dict[str, float]:
    return normalise(mass)


def self_reported_schema(names: Sequence[str]) -> dict[str, object]:
    """The JSON answer asked for when a server gives no log-probabilities."""
    return {
        "type": "object",
        "properties": {
            "label": {"type": "string", "enum": list(names)},
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        },
        "required": ["label", "confidence"],
    }

