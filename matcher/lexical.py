"""Lexical retrieval: BM25 (the bm25s library) over what a creator writes and is called.

A creator's document is its bio, declared categories, post text (hashtags included: the
tokenizer drops the ``#``) and its handle split into words ("makeupbynvs" -> "makeup by nvs",
with wordninja; a split into implausible pieces is dropped, see :func:`handle_words`). Text is
lowercased, split with bm25s' Unicode word pattern, stripped of English stopwords (and Spanish
ones for Spanish creators and briefs) and stemmed with the English Snowball stemmer (PyStemmer),
so "gamers" meets "gaming" and "recipes" meets "recipe".

:class:`LexicalIndex` is built with the vector index and saved beside it (``lexical/``);
``scores(text)`` gives every creator's BM25 score for a query, in index row order. The term
counts the scores come from are saved too (:mod:`matcher.lexical_counts`), so ``matcher index
--update`` recomputes the scores without tokenising unchanged creators again. The scores
themselves (bm25s' ``data.csc.index.npy``, float32, as large as the creator rows of every term:
0.33 GB at a million creators) are not saved: a loaded index computes a term's scores from the
counts the first time a query holds it (:class:`matcher.lexical_counts.ScoresOnDemand`). An index
saved before keeps them and loads them.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from matcher import lexical_counts, lexical_split
from matcher.lexical_counts import TermCounts
from matcher.schema import Creator

#: the languages whose stopword lists bm25s ships (ISO 639-1 -> bm25s name)
STOPWORD_LANGUAGES = {"en": "STOPWORDS_EN", "es": "STOPWORDS_SPANISH"}
_CHUNK = re.compile(r"[^\W_]+", re.UNICODE)


def handle_words(handle: str | None) -> list[str]:
    """A handle as words: split at punctuation, then each run of letters by word frequency.

    A run is split only when every piece is a plausible word (at least 2 letters, mean 3 or
    more): "makeupbynvs" -> makeup by nvs, "thriftwithleo" -> thrift with leo; "calisteniaolimpo"
    (not English) stays whole rather than becoming "ca listen i aol imp o".
    """
    import wordninja

    out: list[str] = []
    for chunk in _CHUNK.findall((handle or "").lower()):
        pieces = [p for p in wordninja.split(chunk) if not p.isdigit()]
        plausible = (
            len(pieces) > 1
            and all(len(p) >= 2 for p in pieces)
            and sum(map(len, pieces)) / len(pieces) >= 3
        )
        out.extend(pieces if plausible else [chunk])
    return out


def creator_document(creator: Creator, *, handle: bool = True) -> str:
    """The text BM25 indexes for a creator."""
    parts = [creator.bio, *creator.categories, *(p.text for p in creator.posts)]
    if handle:
        parts.append(" ".join(handle_words(creator.handle)))
    return "\n".join(p for p in parts if p)


@lru_cache(maxsize=8)
def _stopwords(langs: tuple[str, ...]) -> list[str]:
    import bm25s.stopwords as sw

    return sorted({w for lang in langs for w in getattr(sw, STOPWORD_LANGUAGES[lang])})


_local = threading.local()


def _stemmer() -> Any:
    """This thread's English stemmer (PyStemmer's stemmers are not to be shared by threads)."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        import Stemmer

        stemmer = _local.stemmer = Stemmer.Stemmer("english")
    return stemmer


def stopword_languages(codes: Iterable[str | None]) -> tuple[str, ...]:
    """Stopword languages for some language codes: always English, plus any other we ship."""
    extra = {c.lower() for c in codes if c and c.lower() in STOPWORD_LANGUAGES}
    return ("en", *sorted(extra - {"en"}))


def tokenize(
    texts: Sequence[str], langs: tuple[str, ...] = ("en",), stem: bool = True
) -> list[list[str]]:
    """Lowercased, stopword-free (and stemmed) tokens of each text."""
    import bm25s

    tokens = bm25s.tokenize(
        list(texts),
        lower=True,
        stopwords=_stopwords(langs),
        stemmer=_stemmer().stemWords if stem else None,
        return_ids=False,
        show_progress=False,
    )
    return [list(doc) for doc in tokens]


def tokenize_creators(
    creators: Sequence[Creator], documents: Sequence[str], stem: bool = True
) -> list[list[str]]:
    """Tokens of each creator's document, with the stopwords of the creator's language."""
    by_lang: dict[tuple[str, ...], list[int]] = {}
    for i, c in enumerate(creators):
        by_lang.setdefault(stopword_languages([c.language]), []).append(i)
    out: list[list[str]] = [[] for _ in creators]
    for langs, rows in by_lang.items():
        for i, toks in zip(rows, tokenize([documents[i] for i in rows], langs, stem), strict=True):
            out[i] = toks
    return out


class LexicalIndex:
    """BM25 over the creators of an index, in row order.

    Parameters
    ----------
    k1, b : BM25's term-frequency saturation and length normalisation (Lucene's defaults).
    method : bm25s' BM25 variant (``lucene``, ``robertson``, ``atire``, ``bm25l``, ``bm25+``).
    stem : stem tokens with the English Snowball stemmer.
    handle : index the handle split into words.
    """

    def __init__(
        self,
        k1: float = 1.5,
        b: float = 0.75,
        method: str = "lucene",
        stem: bool = True,
        handle: bool = True,
    ):
        self.k1 = k1
        self.b = b
        self.method = method
        self.stem = stem
        self.handle = handle
        #: the scores computed from the counts as queries need them (None: all in memory or mapped)
        self.on_demand_: lexical_counts.ScoresOnDemand | None = None

    def fit(self, creators: Sequence[Creator]) -> LexicalIndex:
        import bm25s

        tokens = self.tokens(creators)
        self.retriever_: Any = None  # None: no creator has a word to index
        #: the term counts the scores come from (kept for updates; None for bm25s' other variants)
        self.counts_: TermCounts | None = None
        if self.method in lexical_counts.METHODS:
            return self.with_counts(lexical_counts.count_terms(tokens))
        if any(tokens):
            self.retriever_ = bm25s.BM25(k1=self.k1, b=self.b, method=self.method)
            self.retriever_.index(tokens, show_progress=False)
        self.n_ = len(creators)
        return self

    def tokens(self, creators: Sequence[Creator]) -> list[list[str]]:
        """The tokens this index takes from each creator (its document, stopwords, stemming)."""
        docs = [creator_document(c, handle=self.handle) for c in creators]
        return tokenize_creators(creators, docs, self.stem)

    def with_counts(self, counts: TermCounts) -> LexicalIndex:
        """Fitted from term counts (:mod:`matcher.lexical_counts`): what an update does."""
        self.counts_, self.on_demand_ = counts, None
        self.retriever_ = lexical_counts.retriever(counts, self.k1, self.b, self.method)
        self.n_ = counts.n_docs
        return self

    def scores(self, text: str, languages: Sequence[str] = ()) -> np.ndarray:
        """Every creator's BM25 score for the query ``text`` (0 when no word is shared)."""
        if self.retriever_ is None:
            return np.zeros(self.n_, dtype=np.float32)
        (tokens,) = tokenize([text], stopword_languages(languages), self.stem)
        ids = self.retriever_.get_tokens_ids([t for t in tokens if t])
        if not ids:
            return np.zeros(self.n_, dtype=np.float32)
        if self.on_demand_ is not None:
            self.on_demand_.ensure(ids)
        return np.asarray(self.retriever_.get_scores_from_ids(ids), dtype=np.float32)

    # -- persistence -------------------------------------------------------------------------

    def save(self, out: str | Path) -> None:
        """Write the index into directory ``out`` (bm25s' own files; none when it is empty)."""
        Path(out).mkdir(parents=True, exist_ok=True)
        if self.retriever_ is not None:
            self.retriever_.save(str(out), show_progress=False)
            if self.counts_ is not None:  # a loaded index computes the scores from the counts
                self.counts_.save(Path(out))
                lexical_split.write(Path(out), self.counts_.indices)  # 2 bytes a posting
                (Path(out) / lexical_counts.SCORES_FILE).unlink()

    @classmethod
    def load(cls, path: str | Path, n: int, **settings: Any) -> LexicalIndex:
        """Open a saved index of ``n`` creators built with ``settings`` (k1, b, stem, handle)."""
        import bm25s

        self = cls(**settings)
        path = Path(path)
        self.retriever_ = None  # no creator had a word
        if (path / lexical_counts.SCORES_FILE).exists():  # written before scores were left out
            self.retriever_ = bm25s.BM25.load(str(path), mmap=True)
        elif (path / "params.index.json").exists():
            counts = TermCounts.load(path, n)
            if counts is None:
                raise ValueError(f"{path}: neither BM25 scores nor the term counts behind them")
            self.on_demand_ = lexical_counts.ScoresOnDemand(counts, self.k1, self.b, self.method)
            self.retriever_ = lexical_counts.retriever(
                counts, self.k1, self.b, self.method, self.on_demand_
            )
        self.counts_ = None  # read by an update only (TermCounts.load)
        self.n_ = n
        return self
