"""Baseline scorers the full ranker is compared against (FORMATS.md "Evaluation output").

Each follows the estimator contract: settings in ``__init__``, ``fit(creators)`` returns ``self``,
learned state ends in ``_``, :class:`~matcher.errors.NotFittedError` before ``fit``.
``score(brief)`` returns one float64 score per fitted creator, in the order given to ``fit``,
higher is better; rank them with :func:`matcher.metrics.rank_order`.
"""

from __future__ import annotations

import hashlib

import numpy as np

from matcher.errors import NotFittedError
from matcher.lexical import LexicalIndex, creator_document
from matcher.schema import Brief, Creator


def _not_fitted(obj: object) -> NotFittedError:
    name = type(obj).__name__
    return NotFittedError(f"{name} is not fitted yet; call fit(creators) first")


class PopularityBaseline:
    """Ranks by follower count, whatever the brief; a creator without a count scores 0."""

    def fit(self, creators: list[Creator]) -> PopularityBaseline:
        self.followers_ = np.array([c.followers or 0 for c in creators], dtype=np.float64)
        return self

    def score(self, brief: Brief) -> np.ndarray:
        if not hasattr(self, "followers_"):
            raise _not_fitted(self)
        return self.followers_.copy()


class RandomBaseline:
    """Uniform random scores, reproducible per brief.

    The generator of a brief is seeded from SHA-256 of ``(seed, brief_id)``, so a brief gets the
    same scores whatever other briefs were scored before it, and different briefs get different
    scores. The scores follow the creators' order in ``fit``.
    """

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed

    def fit(self, creators: list[Creator]) -> RandomBaseline:
        self.n_creators_ = len(creators)
        return self

    def score(self, brief: Brief) -> np.ndarray:
        if not hasattr(self, "n_creators_"):
            raise _not_fitted(self)
        digest = hashlib.sha256(f"{self.seed}\x1f{brief.brief_id}".encode()).digest()
        rng = np.random.default_rng(int.from_bytes(digest[:16], "little"))
        return rng.random(self.n_creators_)


class BM25Baseline:
    """Lexical retrieval with BM25 over each creator's bio, categories and posts (FORMATS.md
    "bm25"): :class:`matcher.lexical.LexicalIndex` without stemming or handle words.

    The query is the brief's category and description (:attr:`Brief.query_text`), with Spanish
    stopwords dropped too for briefs whose ``languages`` include ``es``. Scores cover every
    fitted creator; a creator sharing no word with the query scores 0.
    """

    def __init__(self, k1: float = 1.5, b: float = 0.75, method: str = "lucene") -> None:
        self.k1 = k1
        self.b = b
        self.method = method

    @staticmethod
    def document(creator: Creator) -> str:
        """The text indexed for a creator: bio, categories, then post texts."""
        return creator_document(creator, handle=False)

    def fit(self, creators: list[Creator]) -> BM25Baseline:
        self.lexical_ = LexicalIndex(self.k1, self.b, self.method, stem=False, handle=False).fit(
            creators
        )
        return self

    def score(self, brief: Brief) -> np.ndarray:
        if not hasattr(self, "lexical_"):
            raise _not_fitted(self)
        return self.lexical_.scores(brief.query_text, brief.languages).astype(np.float64)
