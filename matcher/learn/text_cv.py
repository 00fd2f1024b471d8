"""Cross-fitted text scores: no brief's features come from a text model that saw its labels.

For grouped K-fold cross-validation of the ranker over the training briefs:

* a validation brief of outer fold ``k`` is scored by the text model fitted on every fold but
  ``k``;
* a training brief of fold ``j != k`` is scored by the model fitted on every fold but ``j`` and
  ``k`` (so the ranker trains on text scores as unseen as those it is validated on).

The model "all but k" also gives every brief of fold ``k`` its out-of-fold score, which is what
the final ranker trains on; the text model shipped is fitted on all training briefs. With K
folds that is K + K(K-1)/2 + 1 fits (16 for K = 5).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from matcher.learn.style import StyleTransform
from matcher.learn.text import TextConfig, TextModel, TextScores, brief_vectors, profile_vectors
from matcher.learn.text_train import TextData, fit_text_model
from matcher.schema import Brief, Label

if TYPE_CHECKING:
    from matcher.engine import Matcher
    from matcher.learn.collect import BriefData
    from matcher.learn.recipe import Recipe

Log = Callable[[str], None]


def text_data(
    matcher: Matcher, briefs: Sequence[Brief], labels: Sequence[Label]
) -> tuple[TextData, StyleTransform]:
    """The catalogue's vectors, a style transform fitted on its creators, the briefs' vectors and
    their labels (unlabelled = 0), as a text model trains on them."""
    index = matcher.index
    creators = index.catalogue.get_rows(np.arange(len(index)))
    style = StyleTransform().fit(creators)
    content, voice = np.asarray(index.content), np.asarray(index.voice)
    known = np.asarray(index.voice_known, dtype=bool)
    row = {c: i for i, c in enumerate(index.catalogue.all_ids())}
    pos = {b.brief_id: i for i, b in enumerate(briefs)}
    rel = np.zeros((len(briefs), len(row)), dtype=np.int8)
    for lab in labels:
        if lab.brief_id in pos and lab.creator_id in row:
            rel[pos[lab.brief_id], row[lab.creator_id]] = lab.relevance
    data = TextData(
        content=content,
        profile=profile_vectors(content, voice, known),
        voice=voice,
        voice_known=known,
        style=style.transform(creators),
        briefs=[brief_vectors(b, matcher.encoder) for b in briefs],
        relevance=rel,
    )
    return data, style


class CrossFit:
    """Text models fitted on subsets of the training folds, each once, and their scores.

    ``folds[j]`` are positions (in ``data.briefs``) of the briefs of fold ``j``.
    """

    def __init__(
        self,
        data: TextData,
        style: StyleTransform,
        folds: Sequence[Sequence[int]],
        cfg: TextConfig,
        log: Log | None = None,
    ) -> None:
        self.data, self.style, self.folds, self.cfg = data, style, [list(f) for f in folds], cfg
        self._models: dict[frozenset[int], TextModel] = {}
        self._adapted: dict[frozenset[int], tuple[np.ndarray, np.ndarray]] = {}
        self.fit_seconds = 0.0
        self.log = log or (lambda s: None)

    def model_without(self, *held: int) -> TextModel:
        """The text model fitted on every fold but ``held``."""
        key = frozenset(held)
        if key not in self._models:
            train = [i for j, f in enumerate(self.folds) if j not in key for i in f]
            t = time.perf_counter()
            self._models[key] = fit_text_model(self.data, train, self.style, self.cfg)
            self.fit_seconds += time.perf_counter() - t
            self.log(f"text model without folds {sorted(key)}: {time.perf_counter() - t:.0f}s")
        return self._models[key]

    def scores(self, brief: int, *held: int) -> TextScores:
        """Scores of every creator for brief ``brief`` by the model fitted without ``held``."""
        key = frozenset(held)
        model = self.model_without(*held)
        if key not in self._adapted:
            self._adapted[key] = model.adapt_creators(self.data.profile, self.data.voice)
        profile, voice = self._adapted[key]
        niche, style = model.score(
            self.data.briefs[brief], profile, voice, self.data.voice_known, self.data.style
        )
        return TextScores(niche, style)

    def fold_scores(self, k: int) -> dict[int, TextScores]:
        """For outer fold ``k``: every training brief's nested score, every validation brief's
        score by the model fitted without ``k`` (see the module docstring)."""
        out = {i: self.scores(i, k) for i in self.folds[k]}
        for j, fold in enumerate(self.folds):
            if j != k:
                out.update({i: self.scores(i, j, k) for i in fold})
        return out

    def out_of_fold(self) -> dict[int, TextScores]:
        """Every training brief scored by the model fitted without its own fold."""
        return {i: self.scores(i, k) for k, f in enumerate(self.folds) for i in f}

    def fit_all(self) -> TextModel:
        """The model fitted on every training fold (the one shipped)."""
        return self.model_without()

    def prefit(self) -> None:
        """Fit every model cross-validation and the final ranker need, in a fixed order."""
        k = len(self.folds)
        for pair in itertools.combinations(range(k), 2):
            self.model_without(*pair)
        for j in range(k):
            self.model_without(j)
        self.model_without()


def by_id(briefs: Sequence[Brief], scores: Mapping[int, TextScores]) -> dict[str, TextScores]:
    return {briefs[i].brief_id: s for i, s in scores.items()}


class TextRun:
    """The text-model side of ``matcher train``: cross-fitted scores for every fold's rows, the
    final ranker's rows, the held-out rows, and the model shipped."""

    def __init__(
        self,
        matcher: Matcher,
        briefs: Sequence[Brief],
        labels: Sequence[Label],
        train_ids: Sequence[str],
        recipe: Recipe,
        log: Log | None = None,
    ) -> None:
        from matcher.learn.split import grouped_folds

        self.matcher, self.briefs, self.labels, self.recipe = matcher, list(briefs), labels, recipe
        self.say = log or (lambda s: None)
        t = time.perf_counter()
        self.data, style = text_data(matcher, briefs, labels)
        self.say(f"text data: style vectors and brief vectors in {time.perf_counter() - t:.0f}s")
        pos = {b.brief_id: i for i, b in enumerate(self.briefs)}
        self.train_ids = list(train_ids)
        # the folds cross_validate makes of the training briefs (same ids, order and seed)
        self.folds = grouped_folds(self.train_ids, recipe.folds, recipe.seed)
        fold_pos = [[pos[self.train_ids[i]] for i in va] for _, va in self.folds]
        cfg = recipe.text_config()
        assert cfg is not None  # a TextRun is made only for a recipe with a text model
        self.cf = CrossFit(self.data, style, fold_pos, cfg, self.say)
        self.cf.prefit()

    def _rows(self, ids: Sequence[str], scores: Mapping[int, TextScores]) -> list[BriefData]:
        from matcher.learn.collect import collect

        wanted = set(ids)
        briefs = [b for b in self.briefs if b.brief_id in wanted]
        return collect(self.matcher, briefs, self.labels, self.recipe.candidates,
                       text=by_id(self.briefs, scores))  # fmt: skip

    def fold_data(self, k: int) -> tuple[list[BriefData], list[BriefData]]:
        """Outer fold ``k``'s training and validation rows, with nested cross-fitted scores."""
        rows = {bd.brief_id: bd for bd in self._rows(self.train_ids, self.cf.fold_scores(k))}
        tr, va = self.folds[k]
        return [rows[self.train_ids[i]] for i in tr], [rows[self.train_ids[i]] for i in va]

    def final_rows(self) -> list[BriefData]:
        """Every training brief's rows with its out-of-fold scores (the final ranker's)."""
        return self._rows(self.train_ids, self.cf.out_of_fold())

    def heldout_rows(self, held_ids: Sequence[str]) -> list[BriefData]:
        """The held-out briefs' rows, scored by the model shipped (as at run time)."""
        pos = {b.brief_id: i for i, b in enumerate(self.briefs)}
        return self._rows(held_ids, {pos[b]: self.cf.scores(pos[b]) for b in held_ids})

    def model(self) -> TextModel:
        return self.cf.fit_all()

    def card_entry(self, ids: np.ndarray) -> dict[str, object]:
        """What the model card says of the text model: its shape, cost and out-of-fold quality."""
        from dataclasses import asdict

        from matcher.evaluation import mean_with_ci
        from matcher.metrics import evaluate_ranking

        oof = self.cf.out_of_fold()
        ndcg = [
            evaluate_ranking(s.total.astype(np.float64), self.data.relevance[i], k=10, ids=ids)[
                "ndcg@10"
            ]
            for i, s in oof.items()
        ]
        return {
            "fingerprint": self.model().fingerprint,
            "config": asdict(self.cf.cfg),
            "fits": len(self.cf._models),
            "fit_seconds": round(self.cf.fit_seconds, 1),
            "text_alone_ndcg@10_out_of_fold": [
                round(x, 4) for x in mean_with_ci(ndcg, seed=self.recipe.seed)
            ],
        }
