"""One check for every provider's classify answer, and an honest confidence from it.

A model is never trusted, the scripted one included: whatever a provider got back — option
probabilities from token log-probabilities, a label with a self-reported confidence, an
answer written in a scripted file — goes through the same checks here before the engine
sees it. A probability is a real number (not a string, not a boolean) between 0 and 1;
probabilities add up to at most 1; a label is one of the options. Anything else is
`OutputInvalid` (retried or handed to a person), never an action and never a crash.

**Option mass.** Renormalising a first token's probabilities over the options turns "1% on
`spam`, 99% on other words" into "spam, 100%". So a provider reports the share of the
model's answer that went to any option (`option_mass`), the distribution shown stays the
renormalised one (which option the model leaned to), and the confidence that meets the
bands is the label's share of the *whole* answer: probability × option mass. When that
lowers it noticeably, the answer carries a note saying why, which the step and the handoff
packet show.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from runtime.models.base import CallInfo, ChooseResult, OutputInvalid, normalise

# Probabilities people write by hand (0.34 + 0.33 + 0.34) may overshoot 1 by rounding.
SUM_TOLERANCE = 0.02
# Below this share of the answer on the options, the confidence note is written.
NOTE_BELOW_MASS = 0.95


def probability(value: Any, what: str) -> float:
    """`value` as a probability, or `OutputInvalid` naming `what`."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise OutputInvalid(f"{what} must be a number between 0 and 1, not "
                            f"{_shown(value)}")
    number = float(value)
    if not math.isfinite(number) or not 0.0 <= number <= 1.0:
        raise OutputInvalid(f"{what} must be between 0 and 1, not {_shown(value)}")
    return number


def option_probabilities(given: Any, names: Sequence[str]) -> tuple[dict[str, float], float]:
    """(renormalised distribution over `names`, option mass) from a model's probabilities.

    Options left out get 0. Every problem is reported at once.
    """
    if not isinstance(given, Mapping) or not given:
        raise OutputInvalid("invalid answer: probabilities must map option names to "
                            f"numbers, not {_shown(given)}")
    problems: list[str] = []
    values = dict.fromkeys(names, 0.0)
    for key, value in given.items():
        if key not in values:
            problems.append(f"'{key}' is not an option ({', '.join(names)})")
            continue
        try:
            values[key] = probability(value, f"the probability of '{key}'")
        except OutputInvalid as exc:
            problems.append(str(exc))
    total = sum(values.values())
    if not problems and total > 1.0 + SUM_TOLERANCE:
        problems.append(f"probabilities add up to {total:g}, more than 1")
    if not problems and total <= 0.0:
        problems.append("every option has probability 0")
    if problems:
        raise OutputInvalid("invalid answer: " + "; ".join(problems))
    return normalise(values), min(1.0, total)


def label_confidence(label: Any, confidence: Any, names: Sequence[str]) -> dict[str, float]:
    """A (label, self-reported confidence) answer as a distribution that never contradicts
    the label: the other options share what is left, each at most the label's own value
    (a confidence of 0 is "no idea", not "certainly one of the others")."""
    problems: list[str] = []
    value = 0.0
    if not isinstance(label, str) or label not in names:
        problems.append(f"the label {_shown(label)} is not an option ({', '.join(names)})")
    try:
        value = probability(confidence, "the confidence")
    except OutputInvalid as exc:
        problems.append(str(exc))
    if problems:
        raise OutputInvalid("invalid answer: " + "; ".join(problems))
    rest = min(value, (1.0 - value) / max(1, len(names) - 1))
    return {n: value if n == label else rest for n in names}


def choice(probabilities: dict[str, float], call: CallInfo, *, label: str | None = None,
           option_mass: float | None = None) -> ChooseResult:
    """The `ChooseResult` for a checked answer: the label (given, or the likeliest option),
    the option mass recorded on the call, and a note when the mass lowered the confidence."""
    if label is None:
        label = max(probabilities, key=lambda n: probabilities[n])
    note = ""
    if option_mass is not None:
        option_mass = min(1.0, max(0.0, option_mass))
        call.details["option_mass"] = round(option_mass, 6)
        shown = probabilities.get(label, 0.0)
        if option_mass < NOTE_BELOW_MASS:
            note = (f"only {option_mass:.0%} of the model's answer went to the options "
                    f"({1 - option_mass:.0%} to other words), so the confidence in "
                    f"'{label}' is {shown * option_mass:.2f}, not {shown:.2f}")
    return ChooseResult(label=label, probabilities=probabilities, option_mass=option_mass,
                        note=note, call=call)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
