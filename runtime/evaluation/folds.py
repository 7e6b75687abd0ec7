"""Stratified k-fold splits: the one way every held-out figure in Junction is cut."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Ints = NDArray[np.int64]
SEED = 0


def stratified_folds(labels: Ints, folds: int, seed: int = SEED) -> list[tuple[Ints, Ints]]:
    """(train, test) index pairs: each option's cases dealt round-robin over the folds in a
    seeded shuffled order, so every fold holds about the same share of every option. The
    number of folds is capped by the rarest option (at least 2)."""
    labels = np.asarray(labels, dtype=np.int64)
    counts = np.bincount(labels) if len(labels) else np.array([0])
    present = counts[counts > 0]
    k = max(2, min(folds, int(present.min()) if len(present) else 2))
    rng = np.random.default_rng(seed)
    fold_of = np.zeros(len(labels), dtype=np.int64)
    for option in np.unique(labels):
        members = np.flatnonzero(labels == option)
        rng.shuffle(members)
        fold_of[members] = np.arange(len(members)) % k
    everything = np.arange(len(labels))
    return [(everything[fold_of != f], everything[fold_of == f]) for f in range(k)
            if (fold_of == f).any()]
