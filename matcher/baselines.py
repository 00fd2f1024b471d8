"""Baseline scorers the full ranker is compared against (FORMATS.md "Evaluation output").

Each follows the estimator contract: settings in ``__init__``, ``fit(creators)`` returns ``self``,
learned state ends in ``_``, :class:`~matcher.errors.NotFittedError` before ``fit``.
``score(brief)`` returns one float64 score per fitted creator, in the order given to ``fit``,
higher is better; rank them with :func:`matcher.metrics.rank_order`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import bm25s
import numpy as np
from bm25s.stopwords import STOPWORDS_EN, STOPWORDS_SPANISH

from matcher.errors import NotFittedError
from matcher.schema import Brief, Creator

#: stopword lists by ISO 639-1 code, as shipped with bm25s (no downloads)
STOPWORDS: dict[str, tuple[str, ...]] = {"en": STOPWORDS_EN, "es": STOPWORDS_SPANISH}


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
    """Lexical retrieval with the ``bm25s`` library over each creator's bio, categories and posts.

    The query is the brief's category and description (:attr:`Brief.query_text`). Text is
    lowercased and split with bm25s' word pattern (Unicode-aware, so Spanish accents survive);
    English stopwords are dropped everywhere, Spanish ones also from the text of creators whose
    ``language`` is ``es`` and from briefs whose ``languages`` include ``es``. No stemming (bm25s
    would need an extra stemmer package). Scores cover every fitted creator; a creator sharing no
    word with the query scores 0.
    """

    def __init__(self, k1: float = 1.5, b: float = 0.75, method: str = "lucene") -> None:
        self.k1 = k1
        self.b = b
        self.method = method

    @staticmethod
    def document(creator: Creator) -> str:
        """The text indexed for a creator: bio, categories, then post texts."""
        parts = [creator.bio, *creator.categories, *(p.text for p in creator.posts)]
        return "\n".join(p for p in parts if p)

    def fit(self, creators: list[Creator]) -> BM25Baseline:
        by_lang: dict[tuple[str, ...], list[int]] = {}
        for i, c in enumerate(creators):
            by_lang.setdefault(_languages([c.language]), []).append(i)
        corpus_tokens: list[list[str]] = [[] for _ in creators]
        for langs, rows in by_lang.items():
            tokens = _tokenize([self.document(creators[i]) for i in rows], langs)
            for i, toks in zip(rows, tokens, strict=True):
                corpus_tokens[i] = toks
        retriever = bm25s.BM25(k1=self.k1, b=self.b, method=self.method)
        if creators:
            retriever.index(corpus_tokens, show_progress=False)
        self.retriever_ = retriever
        self.n_creators_ = len(creators)
        return self

    def score(self, brief: Brief) -> np.ndarray:
        if not hasattr(self, "retriever_"):
            raise _not_fitted(self)
        if self.n_creators_ == 0:
            return np.zeros(0, dtype=np.float64)
        (tokens,) = _tokenize([brief.query_text], _languages(brief.languages))
        token_ids = self.retriever_.get_tokens_ids([t for t in tokens if t])
        if not token_ids:
            return np.zeros(self.n_creators_, dtype=np.float64)
        return np.asarray(self.retriever_.get_scores_from_ids(token_ids), dtype=np.float64)


def _languages(codes: Iterable[str | None]) -> tuple[str, ...]:
    """Stopword languages for some language codes: always English, plus any other we ship."""
    extra = {c for c in codes if c in STOPWORDS and c != "en"}
    return ("en", *sorted(c for c in extra if c is not None))


def _tokenize(texts: list[str], langs: tuple[str, ...]) -> list[list[str]]:
    stopwords = sorted({w for lang in langs for w in STOPWORDS[lang]})
    tokens = bm25s.tokenize(
        texts, lower=True, stopwords=stopwords, return_ids=False, show_progress=False
    )
    return [list(doc) for doc in tokens]
