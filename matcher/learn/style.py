"""How a creator writes, apart from what it writes about: a label-free style vector.

A creator's voice shows in the small words around its topics: openers and closers ("Pro tip:",
"lmao", "real talk:", "Slow morning."), punctuation ("!!", "…"), casing, emoji. The content
vector mixes that with the topic, which the niche signal already reads; this module keeps the
style alone, without any label:

1. post text, hashtags removed, as TF-IDF over word 1-3-grams and punctuation runs (case kept,
   sublinear term frequency, n-grams in at least ``min_df`` creators);
2. topics are clustered from the catalogue's hashtags by co-occurrence (a post's hashtags share a
   topic; :func:`hashtag_topics`), and only the n-grams spread evenly over those topics are kept
   (normalised entropy of their creator counts >= ``min_entropy``): "lmao" is everywhere,
   "tempeh" is in one topic;
3. a ``dim``-dimensional truncated SVD, L2-normalised.

:class:`StyleTransform` is fitted on a training catalogue and saved with a learned text model;
applying it to another catalogue gives that catalogue's style vectors in the same space, so a
tone head learned on one catalogue reads another. A creator without posts has a zero vector.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from matcher.schema import Creator

_TAG = re.compile(r"#(\w+)", re.UNICODE)
_TAG_SPAN = re.compile(r"#\w+", re.UNICODE)
#: words and punctuation runs: "!!" and "?" are style, so is ":" after an opener
TOKEN_PATTERN = r"(?u)\b\w+\b|[!?]+|[^\w\s]"
#: hashtags that say nothing about a topic
GENERIC_TAGS = frozenset(
    ("fyp", "ad", "parati", "partner", "sponsored", "foryou", "foryoupage", "viral", "reels",
     "publicidad", "colab", "collab")
)  # fmt: skip


def post_text(creator: Creator) -> str:
    """The creator's posts without their hashtags."""
    return "\n".join(_TAG_SPAN.sub(" ", p.text) for p in creator.posts)


def _tags(text: str) -> list[str]:
    return [t.lower() for t in _TAG.findall(text) if t.lower() not in GENERIC_TAGS]


def hashtag_topics(
    creators: Sequence[Creator], min_pair: int = 5, min_share: float = 0.05, min_uses: int = 3000
) -> np.ndarray:
    """Each creator's share of hashtag uses per topic (creators x topics), no label needed.

    Hashtags used together in at least ``min_pair`` posts, and in more than ``min_share`` of the
    posts of the rarer one, join one topic (union-find); topics with fewer than ``min_uses`` uses
    join the big topic their creators use most. A catalogue without such topics gives one column.
    """
    posts = [set(_tags(p.text)) for c in creators for p in c.posts]
    uses = Counter(t for p in posts for t in p)
    pairs = Counter(pair for p in posts for pair in itertools.combinations(sorted(p), 2))
    parent = {t: t for t in uses}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for (a, b), n in pairs.items():
        if n >= min_pair and n / min(uses[a], uses[b]) > min_share:
            parent[root(a)] = root(b)
    members: defaultdict[str, list[str]] = defaultdict(list)
    for t in uses:
        members[root(t)].append(t)
    topics = sorted(members.values(), key=lambda v: -sum(uses[t] for t in v))
    topic_of = {t: i for i, v in enumerate(topics) for t in v}
    M = np.zeros((len(creators), max(len(topics), 1)))
    for i, c in enumerate(creators):
        for p in c.posts:
            for t in _tags(p.text):
                if t in topic_of:
                    M[i, topic_of[t]] += 1
    big = [k for k, v in enumerate(topics) if sum(uses[t] for t in v) >= min_uses] or [0]
    for k in range(M.shape[1]):
        users = M[:, k] > 0
        if k not in big and users.any():
            M[:, big[int(np.argmax(M[users][:, big].sum(axis=0)))]] += M[:, k]
    M = M[:, big]
    total = M.sum(axis=1, keepdims=True)
    return np.where(total > 0, M / np.maximum(total, 1), 0.0)


class StyleTransform:
    """Label-free style vectors (see the module docstring); fit, transform, save, load.

    Parameters
    ----------
    dim : size of the style vectors.
    min_df : creators an n-gram must appear in.
    min_entropy : how evenly over the hashtag topics an n-gram must be spread, in [0, 1].
    seed : seed of the SVD.
    """

    def __init__(
        self, dim: int = 64, min_df: int = 30, min_entropy: float = 0.75, seed: int = 0
    ) -> None:
        self.dim = dim
        self.min_df = min_df
        self.min_entropy = min_entropy
        self.seed = seed

    def _vectorizer(self, vocabulary: dict[str, int] | None = None):  # type: ignore[no-untyped-def]
        from sklearn.feature_extraction.text import TfidfVectorizer

        return TfidfVectorizer(
            ngram_range=(1, 3),
            min_df=1 if vocabulary else self.min_df,
            lowercase=False,
            sublinear_tf=True,
            token_pattern=TOKEN_PATTERN,
            vocabulary=vocabulary,
        )

    def fit(self, creators: Sequence[Creator]) -> StyleTransform:
        from sklearn.decomposition import TruncatedSVD

        vec = self._vectorizer()
        vec.min_df = min(self.min_df, max(len(creators), 1))
        try:
            X = vec.fit_transform([post_text(c) for c in creators]).tocsc()
        except ValueError:  # no n-gram at all (no posts)
            self.vocabulary_, self.idf_ = {}, np.zeros(0)
            self.components_ = np.zeros((1, 0), dtype=np.float32)
            return self
        topics = hashtag_topics(creators)
        onehot = np.zeros_like(topics)
        onehot[np.arange(len(creators)), topics.argmax(axis=1)] = 1.0
        counts = np.asarray((X > 0).astype(np.float64).T @ onehot)  # n-grams x topics
        share = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
        k = max(topics.shape[1], 2)
        entropy = -(share * np.log(np.where(share > 0, share, 1))).sum(axis=1) / np.log(k)
        keep = np.flatnonzero(entropy >= self.min_entropy)
        names = vec.get_feature_names_out()[keep]
        self.vocabulary_ = {str(t): i for i, t in enumerate(names)}
        self.idf_ = np.asarray(vec.idf_[keep], dtype=np.float64)
        if len(keep) < 3:  # too small a catalogue to tell styles apart: one all-zero dimension
            self.components_ = np.zeros((1, len(keep)), dtype=np.float32)
            return self
        svd = TruncatedSVD(min(self.dim, len(keep) - 1), random_state=self.seed)
        svd.fit(X[:, keep].tocsr())
        self.components_ = np.asarray(svd.components_, dtype=np.float32)
        return self

    def transform(self, creators: Sequence[Creator]) -> np.ndarray:
        """Style vectors (creators x dim), L2-normalised; zeros for creators without posts."""
        out = np.zeros((len(creators), self.components_.shape[0]), dtype=np.float32)
        has = [i for i, c in enumerate(creators) if c.posts]
        if not has or not self.vocabulary_:
            return out
        vec = self._vectorizer(self.vocabulary_)
        vec.fit([""])  # fixes the vocabulary; the idf weights are the training catalogue's
        vec.idf_ = self.idf_
        X = vec.transform([post_text(creators[i]) for i in has])
        Z = np.asarray(X @ self.components_.T, dtype=np.float32)
        norm = np.linalg.norm(Z, axis=1, keepdims=True)
        out[has] = np.where(norm > 0, Z / np.maximum(norm, 1e-12), 0.0)
        return out

    # -- persistence ---------------------------------------------------------------------------

    def save(self, out: str | Path) -> None:
        d = Path(out)
        d.mkdir(parents=True, exist_ok=True)
        settings = {"dim": self.dim, "min_df": self.min_df, "min_entropy": self.min_entropy,
                    "seed": self.seed}  # fmt: skip
        (d / "style.json").write_text(
            json.dumps({"settings": settings, "vocabulary": list(self.vocabulary_)}),
            encoding="utf-8",
        )
        np.savez(d / "style.npz", idf=self.idf_, components=self.components_)

    @classmethod
    def load(cls, path: str | Path) -> StyleTransform:
        d = Path(path)
        meta = json.loads((d / "style.json").read_text(encoding="utf-8"))
        self = cls(**meta["settings"])
        self.vocabulary_ = {t: i for i, t in enumerate(meta["vocabulary"])}
        arrays = np.load(d / "style.npz")
        self.idf_ = arrays["idf"]
        self.components_ = arrays["components"]
        return self
