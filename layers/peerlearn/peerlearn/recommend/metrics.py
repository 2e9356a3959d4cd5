"""Offline ranking metrics, full ranking: recall@k, NDCG@k and catalogue coverage.

recall@k for one user is |top-k ∩ held-out| / min(k, |held-out|) (so a user with more held-out items
than k can still score 1; with one held-out item it is the hit rate). NDCG@k uses binary gains,
DCG = sum over hits of 1 / log2(rank + 2) (rank from 0), divided by the best DCG possible with
min(k, |held-out|) hits. Coverage is the share of the catalogue that appears in anyone's top k.
"""

from __future__ import annotations

import math
from collections.abc import Sequence, Set


def recall_at_k(ranked: Sequence[Sequence[str]], held_out: Sequence[Set[str]], k: int) -> float:
    scores = [
        len(set(top[:k]) & wanted) / min(k, len(wanted))
        for top, wanted in zip(ranked, held_out, strict=True)
        if wanted
    ]
    return sum(scores) / len(scores) if scores else 0.0


def ndcg_at_k(ranked: Sequence[Sequence[str]], held_out: Sequence[Set[str]], k: int) -> float:
    scores = []
    for top, wanted in zip(ranked, held_out, strict=True):
        if not wanted:
            continue
        dcg = sum(1.0 / math.log2(rank + 2) for rank, item in enumerate(top[:k]) if item in wanted)
        ideal = sum(1.0 / math.log2(rank + 2) for rank in range(min(k, len(wanted))))
        scores.append(dcg / ideal)
    return sum(scores) / len(scores) if scores else 0.0


def coverage(ranked: Sequence[Sequence[str]], k: int, catalogue_size: int) -> float:
    if catalogue_size == 0:
        return 0.0
    shown = {item for top in ranked for item in top[:k]}
    return len(shown) / catalogue_size
