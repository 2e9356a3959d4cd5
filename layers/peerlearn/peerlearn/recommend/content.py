"""Content: TF-IDF over each item's tags (level and language as weaker tokens), stored as a sparse
row matrix in three flat arrays; a learner's profile is a vector over the same vocabulary, and
scoring every item is one gather and one `np.bincount` over the non-zeros (O(tags), not O(items x
vocabulary))."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]
I32 = npt.NDArray[np.int32]

# Level and language say less about what a session is about than its tags do.
LEVEL_FACTOR = 0.3
LANGUAGE_FACTOR = 0.3


def token_of(tag: str) -> str:
    """One spelling per tag: "  Machine  Learning" and "machine learning" are the same token."""
    return " ".join(tag.split()).lower()


def item_tokens(tags: Sequence[str], level: str | None, language: str | None) -> dict[str, float]:
    """The tokens of one item and how much each counts before IDF."""
    found: dict[str, float] = {}
    for tag in tags:
        token = token_of(tag)
        if token:
            found[token] = 1.0
    if level:
        found[f"level:{token_of(level)}"] = LEVEL_FACTOR
    if language:
        found[f"lang:{token_of(language)}"] = LANGUAGE_FACTOR
    return found


@dataclass
class ContentIndex:
    """Rows are items, columns the vocabulary; each row L2-normalised (so a row dot a row is cosine)."""

    vocab: list[str]  # tokens, column order
    display: list[str]  # how each token reads to a person ("Python", not "python")
    idf: F32
    indptr: I32  # row i's columns are indices[indptr[i]:indptr[i+1]]
    indices: I32
    data: F32

    def __post_init__(self) -> None:
        self.column_of = {token: i for i, token in enumerate(self.vocab)}
        lengths = np.diff(self.indptr)
        self.row_of_nnz = np.repeat(np.arange(len(lengths), dtype=np.int32), lengths)

    @property
    def n_items(self) -> int:
        return len(self.indptr) - 1

    def row(self, item: int) -> tuple[I32, F32]:
        start, end = self.indptr[item], self.indptr[item + 1]
        return self.indices[start:end], self.data[start:end]

    def scores(self, profile: F32) -> F32:
        """Every item's dot product with a profile vector over the vocabulary."""
        if not profile.any():
            return np.zeros(self.n_items, dtype=np.float32)
        weights = self.data * profile[self.indices]
        return np.bincount(self.row_of_nnz, weights=weights, minlength=self.n_items).astype(np.float32)

    def profile_of_tokens(self, tokens: dict[str, float]) -> F32:
        """A profile from tokens a person chose (interests, skills), weighted by IDF like items are."""
        profile = np.zeros(len(self.vocab), dtype=np.float32)
        for token, weight in tokens.items():
            column = self.column_of.get(token)
            if column is not None:
                profile[column] += weight * self.idf[column]
        return profile

    def profile_of_items(self, items: I32, weights: F32) -> F32:
        """The weighted sum of some items' rows."""
        profile = np.zeros(len(self.vocab), dtype=np.float32)
        for item, weight in zip(items.tolist(), weights.tolist(), strict=True):
            columns, values = self.row(item)
            profile[columns] += weight * values
        return profile

    def cosine(self, a: int, b: int) -> float:
        columns_a, values_a = self.row(a)
        columns_b, values_b = self.row(b)
        common, ia, ib = np.intersect1d(columns_a, columns_b, assume_unique=True, return_indices=True)
        return float(np.dot(values_a[ia], values_b[ib])) if len(common) else 0.0

    def similar_to(self, item: int) -> F32:
        """Every item's cosine with one item."""
        columns, values = self.row(item)
        profile = np.zeros(len(self.vocab), dtype=np.float32)
        profile[columns] = values
        return self.scores(profile)


def build_content(
    tokens_per_item: Sequence[dict[str, float]],
    displays: dict[str, str] | None = None,
    extra_vocab: Sequence[str] = (),
) -> ContentIndex:
    """TF-IDF with a smoothed IDF (log((1 + n) / (1 + df)) + 1): a tag every item has still counts a
    little, a rare one counts most. `extra_vocab`: tokens no item has yet (a mentor's expertise, a
    tag learners follow) get a column too, so profiles and mentors can name them."""
    column_of: dict[str, int] = {}
    for tokens in tokens_per_item:
        for token in tokens:
            column_of.setdefault(token, len(column_of))
    for token in extra_vocab:
        column_of.setdefault(token, len(column_of))
    vocab = list(column_of)
    n = len(tokens_per_item)
    df = np.zeros(len(vocab), dtype=np.float64)
    indptr = np.zeros(n + 1, dtype=np.int32)
    indices_list: list[int] = []
    values_list: list[float] = []
    for i, tokens in enumerate(tokens_per_item):
        for token, weight in tokens.items():
            column = column_of[token]
            df[column] += 1
            indices_list.append(column)
            values_list.append(weight)
        indptr[i + 1] = len(indices_list)
    idf = (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)
    indices = np.asarray(indices_list, dtype=np.int32)
    data = np.asarray(values_list, dtype=np.float32) * idf[indices]
    rows = np.repeat(np.arange(n), np.diff(indptr))
    norms = np.sqrt(np.bincount(rows, weights=data.astype(np.float64) ** 2, minlength=n))
    data = (data / np.maximum(norms[rows], 1e-12)).astype(np.float32)
    shown = displays or {}
    return ContentIndex(
        vocab=vocab,
        display=[shown.get(token, token) for token in vocab],
        idf=idf,
        indptr=indptr,
        indices=indices,
        data=data,
    )
