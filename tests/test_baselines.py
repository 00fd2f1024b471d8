"""matcher.baselines: a shared contract for every baseline, then what each one promises."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.baselines import BM25Baseline, PopularityBaseline, RandomBaseline
from matcher.errors import NotFittedError
from matcher.metrics import rank_order
from matcher.schema import Brief, Creator, Post

CREATORS = [
    Creator(
        creator_id="runner",
        bio="Ultra runner and trail coach",
        categories=("Running",),
        posts=(Post(text="Long trail run in the mountains, testing new trail shoes"),),
        followers=12_000,
    ),
    Creator(
        creator_id="baker",
        bio="Sourdough bread and cakes every weekend",
        categories=("Food",),
        posts=(Post(text="My sourdough starter is finally bubbly"),),
        followers=250_000,
    ),
    Creator(
        creator_id="gamer",
        bio="FPS streamer, mechanical keyboards, RGB everything",
        categories=("Gaming",),
        followers=3_000_000,
    ),
    Creator(creator_id="quiet"),  # no text, no follower count
    Creator(
        creator_id="cocinera",
        bio="Cocina casera española: recetas fáciles para toda la familia",
        language="es",
        categories=("Comida",),
        posts=(Post(text="Hoy preparé una paella valenciana con mi abuela"),),
        followers=40_000,
    ),
]

TRAIL = Brief(
    brand="Salomon",
    brief_id="b_trail",
    category="Trail running",
    description="Launching a lightweight trail running shoe for mountain races.",
)
PAELLA = Brief(
    brand="Carbonell",
    brief_id="b_paella",
    category="Alimentación",
    description="Buscamos creadores de recetas para una paella con aceite de oliva.",
    languages=("es",),
)


class BaselineContract:
    """Every baseline passes these; a subclass only says how to build one."""

    def make(self):  # pragma: no cover - overridden
        raise NotImplementedError

    def test_fit_returns_self(self):
        model = self.make()
        assert model.fit(CREATORS) is model

    def test_score_before_fit_raises(self):
        with pytest.raises(NotFittedError, match="is not fitted yet; call fit"):
            self.make().score(TRAIL)

    def test_one_float_score_per_creator_in_fit_order(self):
        model = self.make().fit(CREATORS)
        for brief in (TRAIL, PAELLA):
            scores = model.score(brief)
            assert isinstance(scores, np.ndarray)
            assert scores.shape == (len(CREATORS),)
            assert scores.dtype == np.float64
            assert np.isfinite(scores).all()
        assert self.make().fit(CREATORS[:2]).score(TRAIL).shape == (2,)

    def test_scoring_is_deterministic(self):
        a = self.make().fit(CREATORS)
        b = self.make().fit(CREATORS)
        np.testing.assert_array_equal(a.score(TRAIL), b.score(TRAIL))
        np.testing.assert_array_equal(a.score(TRAIL), a.score(TRAIL))

    def test_empty_catalogue(self):
        assert self.make().fit([]).score(TRAIL).shape == (0,)


class TestPopularity(BaselineContract):
    def make(self):
        return PopularityBaseline()

    def test_ranks_by_followers_missing_count_as_zero(self):
        model = self.make().fit(CREATORS)
        scores = model.score(TRAIL)
        ids = [c.creator_id for c in CREATORS]
        ranked = [ids[i] for i in rank_order(scores, ids)]
        assert ranked == ["gamer", "baker", "cocinera", "runner", "quiet"]
        assert scores[ids.index("quiet")] == 0.0
        np.testing.assert_array_equal(scores, model.score(PAELLA))  # the brief plays no part

    def test_score_returns_a_copy(self):
        model = self.make().fit(CREATORS)
        model.score(TRAIL)[:] = -1
        assert model.score(TRAIL).min() >= 0


class TestRandom(BaselineContract):
    def make(self):
        return RandomBaseline(seed=0)

    def test_reproducible_per_brief_whatever_the_order(self):
        a = self.make().fit(CREATORS)
        first = a.score(TRAIL)
        a.score(PAELLA)
        b = self.make().fit(CREATORS)
        b.score(PAELLA)
        np.testing.assert_array_equal(first, b.score(TRAIL))
        np.testing.assert_array_equal(first, a.score(TRAIL))

    def test_differs_across_brief_ids_and_seeds(self):
        model = self.make().fit(CREATORS)
        assert not np.array_equal(model.score(TRAIL), model.score(PAELLA))
        other = RandomBaseline(seed=1).fit(CREATORS)
        assert not np.array_equal(model.score(TRAIL), other.score(TRAIL))
        scores = model.score(TRAIL)
        assert ((scores >= 0) & (scores < 1)).all()

    def test_depends_only_on_seed_and_brief_id(self):
        # seeded from sha256, not hash(): the same numbers in every Python process
        other_brief = Brief(brand="x", description="y", brief_id="b_trail")
        scores = RandomBaseline(seed=0).fit(CREATORS[:2]).score(other_brief)
        np.testing.assert_allclose(scores, [0.8356127914790301, 0.8837260510630652], rtol=0, atol=0)


class TestBM25(BaselineContract):
    def make(self):
        return BM25Baseline()

    def test_ranks_the_matching_creator_first(self):
        model = self.make().fit(CREATORS)
        ids = [c.creator_id for c in CREATORS]
        assert ids[int(rank_order(model.score(TRAIL), ids)[0])] == "runner"
        assert ids[int(rank_order(model.score(PAELLA), ids)[0])] == "cocinera"
        gaming = Brief(brand="Razer", description="A new mechanical keyboard for FPS players")
        assert ids[int(rank_order(model.score(gaming), ids)[0])] == "gamer"

    def test_no_shared_word_scores_zero(self):
        model = self.make().fit(CREATORS)
        scores = model.score(TRAIL)
        for cid in ("baker", "quiet", "gamer"):
            assert scores[[c.creator_id for c in CREATORS].index(cid)] == 0.0
        unknown = Brief(brand="X", description="zzzz qqqq")
        np.testing.assert_array_equal(model.score(unknown), np.zeros(len(CREATORS)))
        only_stopwords = Brief(brand="X", description="the and of to")
        np.testing.assert_array_equal(model.score(only_stopwords), np.zeros(len(CREATORS)))

    def test_case_and_accents(self):
        model = self.make().fit(CREATORS)
        loud = model.score(Brief(brand="X", description="SOURDOUGH"))
        assert loud.argmax() == 1 and loud[1] > 0
        accented = model.score(Brief(brand="X", description="receta española"))
        assert accented.argmax() == 4 and accented[4] > 0

    def test_document_text_uses_bio_categories_and_posts(self):
        text = BM25Baseline.document(CREATORS[0])
        assert "Ultra runner" in text and "Running" in text and "trail shoes" in text
        assert BM25Baseline.document(Creator(creator_id="empty")) == ""

    def test_settings_are_kept(self):
        model = BM25Baseline(k1=1.2, b=0.5, method="robertson").fit(CREATORS)
        assert (model.k1, model.b, model.method) == (1.2, 0.5, "robertson")
        assert model.score(TRAIL).argmax() == 0
