"""From embeddings to option probabilities: pure numpy, no model, no I/O.

Each option is represented by its *anchors* — the example sentences the flow designer wrote
plus the option's description. A case is scored against an option by the mean of its
`TOP_K` highest cosine similarities to that option's anchors: one odd example cannot carry
an option on its own, and an option with a single anchor still works. A softmax with a
temperature turns the scores into probabilities; the temperature is what `junction
calibrate` fits, because raw cosine similarities live in a narrow band (≈0.1–0.8) and
only a small temperature (0.02–0.05 for MiniLM) spreads them into honest probabilities.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from runtime.models.base import OptionSpec

Matrix = NDArray[np.float32]

#: Fitted on the support-triage dataset with the bundled MiniLM (see `junction calibrate`).
DEFAULT_TEMPERATURE = 0.03
TOP_K = 2


def anchors(option: OptionSpec) -> list[str]:
    """The texts an option is compared with: its examples, then its description."""
    texts = [e.strip() for e in option.examples if e.strip()]
    if option.description.strip():
        texts.append(option.description.strip())
    return list(dict.fromkeys(texts))


def unit_rows(vectors: Matrix) -> Matrix:
    """Rows scaled to length 1, so a dot product is a cosine similarity (zero rows stay 0)."""
    array = np.asarray(vectors, dtype=np.float32)
    if array.ndim == 1:
        array = array[None, :]
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    return np.divide(array, norms, out=np.zeros_like(array), where=norms > 0)


def option_similarities(query: Matrix, option_vectors: Mapping[str, Matrix],
                        top_k: int = TOP_K) -> dict[str, float]:
    """Per option, the mean of the `top_k` best cosine similarities of `query` to its anchors.

    An option without anchors scores -1 (the lowest cosine), so it is never chosen over one
    that has any.
    """
    q = unit_rows(query)[0]
    scores: dict[str, float] = {}
    for name, vectors in option_vectors.items():
        if len(vectors) == 0:
            scores[name] = -1.0
            continue
        sims = unit_rows(vectors) @ q
        best = np.sort(sims)[-top_k:]
        scores[name] = float(best.mean())
    return scores


def softmax(scores: Mapping[str, float], temperature: float) -> dict[str, float]:
    """Probabilities over options from similarity scores; lower temperature = sharper."""
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    names = list(scores)
    z = np.array([scores[n] for n in names], dtype=np.float64) / temperature
    z -= z.max()
    p = np.exp(z)
    p /= p.sum()
    return {n: float(v) for n, v in zip(names, p, strict=True)}


def softmax_rows(scores: NDArray[np.float64], temperature: float) -> NDArray[np.float64]:
    """Row-wise softmax of a (cases × options) score matrix (used by calibration)."""
    z = np.asarray(scores, dtype=np.float64) / temperature
    z -= z.max(axis=1, keepdims=True)
    p = np.exp(z)
    result: NDArray[np.float64] = p / p.sum(axis=1, keepdims=True)
    return result


def best(probabilities: Mapping[str, float], order: Sequence[str]) -> str:
    """The most probable option; ties go to the option listed first in the flow."""
    return max(order, key=lambda name: (probabilities.get(name, 0.0), -order.index(name)))
