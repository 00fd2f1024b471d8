"""matcher.learn (ranker, card, collect, cv, train): the estimator contract, grouped CV, known answers, artifacts.

Everything here runs on synthetic data in seconds (no world index): the end-to-end tests build a
60-creator index with the hashed-words FakeEncoder of conftest.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.metrics import ndcg_score

from matcher.errors import MatcherError, ModelNotFoundError, NotFittedError
from matcher.learn.card import ARTIFACT_FORMAT, ModelCard, load_learned_ranker
from matcher.learn.collect import BriefData
from matcher.learn.cv import cross_validate
from matcher.learn.features import FEATURE_NAMES, build_features
from matcher.learn.ranker import LEARNERS, LearnedRanker
from matcher.learn.recipe import Recipe, load_recipe
from matcher.learn.resolve import accept_default, default_model_dir
from matcher.learn.split import grouped_folds, split_briefs
from matcher.ranking import SignalMatrix
from matcher.schema import Audience, Brief, Creator, Label, Post

ROOT = Path(__file__).resolve().parents[1]
FEATS = ["niche_cosine", "tier_ordinal", "audience_signal", "authenticity_engagement_ratio"]
SMALL = {
    "lightgbm": {"n_estimators": 40, "min_child_samples": 5, "num_leaves": 7},
    "hgb_regressor": {"max_iter": 40, "min_samples_leaf": 5},
    "hgb_classifier": {"max_iter": 40, "min_samples_leaf": 5},
}


def known_answer(n_groups: int = 30, per: int = 40, seed: int = 0, nan_share: float = 0.1):
    """Rows whose relevance is decided by the first feature alone; the rest is noise (some nan)."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(size=(n_groups * per, len(FEATS))).astype(np.float32)
    X[:, 1:][rng.uniform(size=(X.shape[0], len(FEATS) - 1)) < nan_share] = np.nan
    y = np.digitize(X[:, 0], [0.6, 0.8, 0.93]).astype(np.int64)
    groups = np.repeat([f"b{g:03d}" for g in range(n_groups)], per)
    return X, y, groups


# -- the estimator contract, shared by every learner -------------------------------------------


class RankerContract:
    """What every learner promises; a subclass only says which learner it is."""

    learner = "lightgbm"
    #: learns the grades (False: only relevant vs not, so it is judged on that)
    graded = True

    def make(self, **kw) -> LearnedRanker:
        args = {
            "learner": self.learner,
            "features": FEATS,
            "params": dict(SMALL[self.learner]),
            "seed": 0,
            "n_jobs": 1,
        }
        args.update(kw)
        return LearnedRanker(**args)

    def test_params_round_trip_through_clone(self):
        r = self.make()
        params = r.get_params()
        assert set(params) == {"learner", "features", "params", "seed", "n_jobs"}
        c = clone(r)
        assert c is not r and c.get_params() == params
        assert r.set_params(seed=7) is r and r.seed == 7
        with pytest.raises(ValueError):
            r.set_params(sed=1)  # a typo is an error, not silently kept

    def test_not_fitted_before_fit_and_no_learned_attributes(self):
        r = self.make()
        assert not [a for a in vars(r) if a.endswith("_") and not a.startswith("__")]
        X, _, _ = known_answer(2, 5)
        for call in (
            lambda: r.predict(X),
            lambda: r.decision_function(X),
            lambda: r.contributions(X),
        ):
            with pytest.raises(NotFittedError, match="not fitted"):
                call()
        with pytest.raises(AttributeError):  # NotFittedError is also an AttributeError
            r.predict(X)

    def test_fit_returns_self_and_sets_learned_attributes(self):
        X, y, g = known_answer(6, 20)
        r = self.make()
        assert r.fit(X, y, g) is r
        learned = {a for a in vars(r) if a.endswith("_") and not a.startswith("__")}
        assert {"features_", "n_features_in_", "baseline_", "n_groups_"} <= learned
        assert r.n_groups_ == 6 and r.n_features_in_ == len(FEATS) and r.features_ == FEATS
        # settings are left as given
        assert r.get_params()["params"] == SMALL[self.learner]

    def test_same_seed_same_predictions(self):
        X, y, g = known_answer(10, 30)
        a = self.make().fit(X, y, g).predict(X)
        b = self.make().fit(X, y, g).predict(X)
        np.testing.assert_array_equal(a, b)

    def test_learns_a_known_answer(self):
        X, y, g = known_answer(40, 40)
        r = self.make().fit(X, y, g)
        Xt, yt, gt = known_answer(20, 40, seed=1)
        s = r.predict(Xt)
        assert ((s > 0) & (s < 1)).all()
        if not self.graded:
            yt = (yt >= 1).astype(np.int64)
        per = [ndcg_score([yt[gt == b]], [s[gt == b]], k=10) for b in np.unique(gt)]
        assert np.mean(per) > 0.95
        # higher grades score higher on average
        by_grade = [s[yt == k].mean() for k in np.unique(yt)]
        assert by_grade == sorted(by_grade)

    def test_contributions_per_feature(self):
        X, y, g = known_answer(20, 30)
        r = self.make().fit(X, y, g)
        c = r.contributions(X[:25])
        assert set(FEATS) <= set(c) and all(v.shape == (25,) for v in c.values())
        # the deciding feature moves the score most
        assert np.mean(np.abs(c[FEATS[0]])) > max(np.mean(np.abs(c[f])) for f in FEATS[1:])
        if self.learner == "lightgbm":  # exact: the contributions add up to the raw score
            np.testing.assert_allclose(
                sum(c.values()), r.decision_function(X[:25]), rtol=1e-6, atol=1e-9
            )

    def test_interleaved_groups_are_made_contiguous(self):
        X, y, g = known_answer(8, 20)
        perm = np.random.default_rng(3).permutation(len(y))
        r = self.make().fit(X[perm], y[perm], g[perm])
        assert r.n_groups_ == 8

    def test_bad_input_is_refused_with_the_shape(self):
        X, y, g = known_answer(3, 10)
        with pytest.raises(ValueError, match="columns"):
            self.make().fit(X[:, :2], y, g)
        with pytest.raises(ValueError, match="one value per row"):
            self.make().fit(X, y[:-1], g)
        with pytest.raises(ValueError, match="learner must be one of"):
            self.make(learner="xgboost").fit(X, y, g)

    def test_save_and_load_give_the_same_scores(self, tmp_path):
        X, y, g = known_answer(10, 30)
        r = self.make().fit(X, y, g)
        out = ModelCard.from_dict(minimal_card(r)).save(r, tmp_path / "m")
        back = load_learned_ranker(out)
        assert back.learner == self.learner and back.features_ == FEATS
        np.testing.assert_array_equal(back.predict(X), r.predict(X))
        for k, v in r.contributions(X[:5]).items():
            np.testing.assert_allclose(back.contributions(X[:5])[k], v)


class TestLightGBM(RankerContract):
    learner = "lightgbm"


class TestHGBRegressor(RankerContract):
    learner = "hgb_regressor"


class TestHGBClassifier(RankerContract):
    learner = "hgb_classifier"
    graded = False


def test_every_learner_has_a_contract_test():
    assert {c.learner for c in RankerContract.__subclasses__()} == set(LEARNERS)


# -- artifacts ----------------------------------------------------------------------------------


def minimal_card(r: LearnedRanker) -> dict:
    from matcher.learn.features import FEATURE_VERSION

    return {
        "format_version": ARTIFACT_FORMAT,
        "feature_version": FEATURE_VERSION,
        "learner": r.learner,
        "features": list(r.features_),
        "params": r.params,
        "seed": r.seed,
        "n_jobs": r.n_jobs,
        "candidates": 10,
        "as_of": "2026-11-01",
        "metric": "ndcg@10",
        "training_seconds": 0.0,
        "created_at": "2026-11-01T00:00:00Z",
        "cv": {"folds": 2, "n_briefs": 0, "systems": {}, "selected": r.learner},
        "heldout": None,
        "libraries": {},
        "data": {
            "fingerprints": {},
            "n_briefs": 0,
            "n_train_briefs": 0,
            "n_heldout_briefs": 0,
            "n_rows": 0,
            "n_relevant_rows": 0,
            "catalogue_size": 0,
        },
    }


@pytest.fixture
def saved_model(tmp_path) -> Path:
    X, y, g = known_answer(10, 30)
    r = LearnedRanker(features=FEATS, params=SMALL["lightgbm"], n_jobs=1).fit(X, y, g)
    return ModelCard.from_dict(minimal_card(r)).save(r, tmp_path / "model")


def edit_card(src: Path, dst: Path, **changes) -> Path:
    shutil.copytree(src, dst)
    card = json.loads((dst / "card.json").read_text())
    card.update(changes)
    (dst / "card.json").write_text(json.dumps(card))
    return dst


def test_artifact_files(saved_model):
    names = {p.name for p in saved_model.iterdir()}
    assert names == {"model.txt", "card.json", "card.md"}
    card = json.loads((saved_model / "card.json").read_text())
    assert card["features"] == FEATS and len(card["model_sha256"]) == 64


def test_other_format_version_is_refused(saved_model, tmp_path):
    bad = edit_card(saved_model, tmp_path / "v2", format_version=ARTIFACT_FORMAT + 1)
    with pytest.raises(
        MatcherError, match=r"card\.json: model format version 2, this matcher reads version 1"
    ):
        load_learned_ranker(bad)


def test_other_feature_version_is_refused(saved_model, tmp_path):
    bad = edit_card(saved_model, tmp_path / "fv", feature_version=999)
    with pytest.raises(
        MatcherError, match=r"card\.json: features were built by feature version 999"
    ):
        load_learned_ranker(bad)


def test_unknown_feature_is_refused_naming_it(saved_model, tmp_path):
    bad = edit_card(saved_model, tmp_path / "unk", features=[*FEATS[:-1], "creator_star_sign"])
    with pytest.raises(
        MatcherError, match=r"card\.json: the model reads feature\(s\) \['creator_star_sign'\]"
    ):
        load_learned_ranker(bad)


def test_feature_list_differing_from_the_model_file_is_refused(saved_model, tmp_path):
    bad = edit_card(saved_model, tmp_path / "order", features=list(reversed(FEATS)))
    with pytest.raises(
        MatcherError, match=r"model\.txt: the model's features .* differ from the feature list"
    ):
        load_learned_ranker(bad)


def test_changed_model_file_is_refused(saved_model, tmp_path):
    bad = tmp_path / "tampered"
    shutil.copytree(saved_model, bad)
    with open(bad / "model.txt", "a") as f:
        f.write("\n")
    with pytest.raises(MatcherError, match="sha256 differs"):
        load_learned_ranker(bad)


def test_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(ModelNotFoundError, match="no such model directory"):
        load_learned_ranker(tmp_path / "nothing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelNotFoundError, match=r"card\.json: missing"):
        load_learned_ranker(tmp_path / "empty")


def test_save_refuses_to_overwrite_a_non_model_directory(saved_model, tmp_path):
    other = tmp_path / "docs"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    r = load_learned_ranker(saved_model)
    with pytest.raises(MatcherError, match="not a model directory"):
        ModelCard.from_dict(minimal_card(r)).save(r, other)
    assert (other / "notes.txt").read_text() == "mine"


def test_default_model_only_when_it_beat_the_weighted_ranker(saved_model, tmp_path, monkeypatch):
    monkeypatch.delenv("MATCHER_MODEL", raising=False)
    assert accept_default(saved_model) is None  # no held-out comparison
    lost = edit_card(saved_model, tmp_path / "lost", heldout={"beats_weighted": False})
    won = edit_card(saved_model, tmp_path / "won", heldout={"beats_weighted": True})
    assert accept_default(lost) is None
    assert accept_default(won) == won
    assert accept_default(tmp_path / "missing") is None
    monkeypatch.setenv("MATCHER_MODEL", str(lost))  # read at call time; an explicit choice wins
    assert default_model_dir() == lost


# -- recipe and splits ---------------------------------------------------------------------------


def test_shipped_recipe_loads():
    r = load_recipe(ROOT / "recipes" / "default.toml")
    assert set(r.learners) <= set(LEARNERS) and set(r.features) <= set(FEATURE_NAMES)
    assert r.folds == 5 and 0 < r.holdout < 1


def test_recipe_errors_name_the_file_and_key(tmp_path):
    p = tmp_path / "r.toml"
    p.write_text("[train]\nfoldz = 3\n")
    with pytest.raises(MatcherError, match=r"r\.toml: \[train\] has unknown key\(s\) \['foldz'\]"):
        load_recipe(p)
    p.write_text('[train]\nfeatures = ["niche_cosine", "bogus"]\n')
    with pytest.raises(MatcherError, match=r"unknown feature\(s\) \['bogus'\]"):
        load_recipe(p)
    p.write_text("[xgboost]\nn = 1\n")
    with pytest.raises(MatcherError, match="unknown table"):
        load_recipe(p)


def test_split_is_seeded_grouped_and_complete():
    ids = [f"b{i:03d}" for i in range(50)]
    tr, ho = split_briefs(ids, 0.2, seed=4)
    assert len(ho) == 10 and not set(tr) & set(ho) and set(tr) | set(ho) == set(ids)
    assert split_briefs(ids, 0.2, seed=4) == (tr, ho)
    assert split_briefs(ids, 0.2, seed=5)[1] != ho
    assert split_briefs(ids, 0.0, seed=4) == (ids, [])


def test_grouped_folds_leak_no_brief():
    ids = [f"b{i:03d}" for i in range(23)]
    folds = grouped_folds(ids, 5, seed=0)
    assert len(folds) == 5
    seen = []
    for tr, va in folds:
        assert not {ids[i] for i in tr} & {ids[i] for i in va}
        assert len(tr) + len(va) == len(ids)
        seen += [ids[i] for i in va]
    assert sorted(seen) == ids  # every brief validated exactly once
    again = grouped_folds(ids, 5, seed=0)
    assert all((a[1] == b[1]).all() for a, b in zip(folds, again, strict=True))
    rows = np.repeat(ids, 3)  # rows of the same brief stay together
    for tr, va in grouped_folds(rows.tolist(), 5, seed=1):
        assert not set(rows[tr]) & set(rows[va])
    with pytest.raises(MatcherError, match="at least 5 briefs"):
        grouped_folds(ids[:3], 5, seed=0)


# -- cross-validation on synthetic briefs with a known answer ------------------------------------


def synthetic_briefs(n_briefs: int = 15, n_creators: int = 300, top: int = 60, seed: int = 0):
    """Briefs whose relevant creators sit among the top by niche similarity and are told apart by
    a hidden quality (column ``tier_ordinal``); the weighted stand-in ranks by niche alone."""
    rng = np.random.default_rng(seed)
    cols = {f: j for j, f in enumerate(FEATURE_NAMES)}
    out = []
    for b in range(n_briefs):
        sims = rng.uniform(-0.2, 0.8, n_creators).astype(np.float32)
        quality = rng.uniform(size=n_creators)
        order = np.argsort(-sims, kind="stable")
        rel = np.zeros(n_creators, dtype=np.int8)
        in_top = order[:top]
        rel[in_top] = np.digitize(quality[in_top], [0.7, 0.85, 0.95])
        labelled_out = order[top : top + 10]  # labelled (as 0) outside the retrieval
        rows = np.concatenate([in_top, labelled_out])
        X = np.zeros((rows.size, len(FEATURE_NAMES)), dtype=np.float32)
        X[:, cols["niche_cosine"]] = sims[rows]
        X[:, cols["tier_ordinal"]] = quality[rows]
        excluded = np.zeros(rows.size, dtype=bool)
        excluded[3] = True
        out.append(
            BriefData(
                brief_id=f"s{b:02d}",
                X=X,
                y=rel[rows].astype(np.int64),
                rows=rows,
                in_top=np.arange(rows.size) < top,
                excluded=excluded,
                weighted=sims[rows].astype(np.float64),
                base=sims.astype(np.float64) - 10.0,  # retrieval order, below the candidates
                relevance=rel,
            )
        )
    ids = np.array([f"c{i:04d}" for i in range(n_creators)], dtype=object)
    return out, ids


def test_catalogue_scores_place_others_below_and_exclusions_last():
    data, _ = synthetic_briefs(1)
    bd = data[0]
    s = bd.catalogue_scores(np.linspace(1.0, 0.0, bd.rows.size))
    top_rows = bd.rows[bd.in_top & ~bd.excluded]
    others = np.setdiff1d(np.arange(bd.base.size), bd.rows[bd.in_top])
    assert s[top_rows].min() > s[others].max()  # every ranked candidate above the rest
    assert s[bd.rows[3]] < s.min() + 1e-9 or s[bd.rows[3]] < -19  # the excluded one goes last
    np.testing.assert_allclose(s[others], bd.base[others], rtol=1e-6)


def test_cross_validation_is_grouped_and_finds_the_known_answer():
    data, ids = synthetic_briefs()
    recipe = Recipe(
        folds=3,
        learners=("lightgbm", "hgb_regressor"),
        features=("niche_cosine", "tier_ordinal"),
        params={k: SMALL[k] for k in ("lightgbm", "hgb_regressor")},
        n_jobs=1,
        candidates=60,
    )
    logs: list[str] = []
    cv = cross_validate(data, recipe, ids, log=logs.append)
    assert len(cv.folds) == 3 and len(logs) == 3
    for tr, va in cv.folds:
        assert not set(tr) & set(va)
    assert sorted(b for _, va in cv.folds for b in va) == sorted(d.brief_id for d in data)
    summ = cv.summary()
    assert set(summ) == {"lightgbm", "hgb_regressor", "weighted"}
    for s in summ.values():
        m, lo, hi = s["ndcg@10"]
        assert lo <= m <= hi
    assert summ[cv.best()]["ndcg@10"][0] > summ["weighted"]["ndcg@10"][0] + 0.2
    assert summ[cv.best()]["vs_weighted"][1] > 0


# -- the ranker contract of the engine -----------------------------------------------------------


def engine_case(brief: Brief, creators: list[Creator], seed: int = 0):
    from matcher.signals.audience import audience_signal
    from matcher.signals.authenticity import authenticity_signal
    from matcher.signals.base import Candidates, QueryContext
    from matcher.signals.conflict import conflict_signal
    from matcher.signals.niche import niche_signal
    from matcher.signals.tier import tier_signal
    from matcher.signals.tone import tone_signal

    rng = np.random.default_rng(seed)
    n, dim = len(creators), 8
    v = rng.normal(size=(n + 1, dim)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    cands = Candidates(list(creators), v[:n], v[:n].copy(), np.ones(n, bool))
    ctx = QueryContext(query=v[n], as_of=date(2026, 11, 1))
    fns = {
        "niche": niche_signal,
        "tone": tone_signal,
        "audience": audience_signal,
        "tier": tier_signal,
        "conflict": conflict_signal,
        "authenticity": authenticity_signal,
    }
    results = {k: f(brief, cands, ctx) for k, f in fns.items()}
    return SignalMatrix.from_results(results), cands


def test_rank_scores_candidates_and_explains_by_signal():
    from matcher.explain import reasons_for

    brief = Brief(
        brand="Acme",
        description="shoes",
        goal="awareness",
        tiers=("macro",),
        audience=Audience(gender={"female": 1.0}),
    )
    creators = [
        Creator(
            f"c{i}",
            bio="runner",
            followers=10 ** (3 + i % 4),
            engagement_rate=0.05,
            audience=Audience(gender={"female": (i % 5) / 4, "male": 1 - (i % 5) / 4}),
            posts=(Post("a run", posted_at=date(2026, 10, 1)),),
        )
        for i in range(30)
    ]
    sm, cands = engine_case(brief, creators)
    X_all, names = build_features(brief, sm, cands, date(2026, 11, 1))
    y = np.digitize(X_all[:, names.index("audience_signal")], [0.5, 0.9]).astype(np.int64)
    X = np.vstack([X_all] * 4)
    r = LearnedRanker(params=SMALL["lightgbm"], n_jobs=1).fit(
        X, np.tile(y, 4), np.repeat(["a", "b", "c", "d"], 30)
    )
    with pytest.raises(MatcherError, match="needs the brief"):
        r.rank(sm, cands)
    score, contrib = r.rank(sm, cands, brief=brief, as_of=date(2026, 11, 1))
    assert score.shape == (30,) and ((score > 0) & (score < 1)).all()
    assert set(contrib) == {*FEATURE_NAMES, "bias"}
    sm.brief = brief  # what the engine sets (see the issue note): same result
    np.testing.assert_array_equal(r.rank(sm, cands)[0], score)
    best = int(np.argmax(score))
    reasons = reasons_for(best, sm.results, contrib)
    assert reasons and reasons[0] == sm.results["niche"].notes[best]
    assert any(reasons[k] == sm.results["audience"].notes[best] for k in (1, 2))


# -- end to end: train on a tiny index ------------------------------------------------------------

NICHES = {
    "running": ("trail running ultra marathon shoes", "Nike", "Adidas"),
    "baking": ("sourdough bread baking cakes oven", "KitchenAid", "Smeg"),
    "gaming": ("gaming keyboard streamer fps esports", "Razer", "Logitech"),
    "skincare": ("skincare serum moisturiser routine", "CeraVe", "Ordinary"),
}


def tiny_world(seed: int = 0):
    rng = np.random.default_rng(seed)
    creators, briefs, labels = [], [], []
    for i in range(60):
        niche = list(NICHES)[i % 4]
        words, _, rival = NICHES[niche]
        good = i % 3 == 0  # the hidden answer: healthy engagement
        followers = int(rng.integers(2_000, 900_000))
        posts = [Post(f"{words} day {k}", posted_at=date(2026, 10, 1 + k)) for k in range(3)]
        if i % 7 == 0:
            posts.append(
                Post(
                    f"thanks @{rival.lower()} #ad",
                    posted_at=date(2026, 9, 1),
                    sponsored=True,
                    brands=(rival.lower(),),
                )
            )
        creators.append(
            Creator(
                f"c{i:03d}",
                handle=f"h{i}",
                bio=f"{niche} {words}",
                posts=tuple(posts),
                followers=followers,
                engagement_rate=(0.1 if good else 0.004),
            )
        )
    for b in range(12):
        niche = list(NICHES)[b % 4]
        words, brand, rival = NICHES[niche]
        briefs.append(
            Brief(
                brand=brand,
                description=words,
                brief_id=f"b{b:02d}",
                competitors=(rival,),
                exclusivity_days=30,
                k=5,
            )
        )
        for c in creators:
            same = c.bio.startswith(niche)
            if same or rng.uniform() < 0.1:
                rel = int(same) * (3 if (c.engagement_rate or 0) > 0.01 else 0)
                labels.append(Label(f"b{b:02d}", c.creator_id, rel))
    return creators, briefs, labels


@pytest.fixture(scope="module")
def tiny_matcher(tmp_path_factory):
    from conftest import FakeEncoder

    from matcher.config import Settings
    from matcher.engine import Matcher
    from matcher.index import CreatorIndex, build_and_save

    creators, briefs, labels = tiny_world()
    enc = FakeEncoder()
    out = build_and_save(creators, enc, tmp_path_factory.mktemp("tiny") / "idx")
    idx = CreatorIndex.load(out, fingerprint=enc.fingerprint)
    m = Matcher(idx, enc, Settings(candidates=20), as_of=date(2026, 11, 1))
    return m, briefs, labels


def test_collected_weighted_scores_equal_score_catalogue(tiny_matcher):
    """The CV's weighted baseline is exactly what `matcher eval` scores."""
    from matcher.learn.collect import collect

    m, briefs, labels = tiny_matcher
    data = collect(m, briefs[:4], labels, candidates=20)
    for bd, brief in zip(data, briefs[:4], strict=True):
        np.testing.assert_allclose(bd.catalogue_scores(bd.weighted), m.score_catalogue(brief, n=20))
        assert bd.in_top.sum() == 20 and bd.rows.size >= 20
        labelled = {lab.creator_id for lab in labels if lab.brief_id == brief.brief_id}
        ids = m.index.catalogue.all_ids()
        assert labelled <= {ids[r] for r in bd.rows}  # every labelled creator is a training row


def test_train_end_to_end_is_reproducible(tiny_matcher, tmp_path):
    from matcher.learn.train import train

    m, briefs, labels = tiny_matcher
    recipe = Recipe(
        candidates=20,
        folds=3,
        holdout=0.25,
        learners=("lightgbm", "hgb_classifier"),
        params={k: SMALL[k] for k in ("lightgbm", "hgb_classifier")},
        n_jobs=1,
    )
    cards = [
        train(m, briefs, labels, tmp_path / f"m{i}", recipe, split_dir=tmp_path / "split")
        for i in range(2)
    ]
    a, b = (card.to_dict() for card in cards)
    assert a["model_sha256"] == b["model_sha256"]  # same seed, same model, byte for byte
    for k in ("lightgbm", "hgb_classifier", "weighted"):
        assert a["cv"]["systems"][k]["ndcg@10"] == b["cv"]["systems"][k]["ndcg@10"]
    split = tmp_path / "split"
    held = [
        json.loads(x)["brief_id"] for x in (split / "heldout_briefs.jsonl").read_text().splitlines()
    ]
    trained = [
        json.loads(x)["brief_id"] for x in (split / "train_briefs.jsonl").read_text().splitlines()
    ]
    assert held == a["heldout"]["brief_ids"] and len(held) == 3 and len(trained) == 9
    validated = [bid for fold in a["cv"]["validation_briefs"] for bid in fold]
    assert sorted(validated) == sorted(trained)  # CV saw the training briefs only, each once
    assert not set(held) & set(validated)
    held_labels = (split / "heldout_labels.csv").read_text().splitlines()
    assert held_labels[0] == "brief_id,creator_id,relevance"
    assert {row.split(",")[0] for row in held_labels[1:]} == set(held)
    r1, r2 = load_learned_ranker(tmp_path / "m0"), load_learned_ranker(tmp_path / "m1")
    Xf = np.random.default_rng(0).uniform(size=(50, len(r1.features_))).astype(np.float32)
    np.testing.assert_array_equal(r1.predict(Xf), r2.predict(Xf))
    md = (tmp_path / "m0" / "card.md").read_text()
    assert "Grouped 3-fold cross-validation" in md and "Held-out briefs" in md
    for key in ("format_version", "learner", "features", "libraries", "seed", "training_seconds"):
        assert key in a
    assert set(a["libraries"]) >= {"lightgbm", "scikit-learn", "numpy", "matcher"}


TEXT_FEATURES = (
    "niche_signal", "niche_cosine", "tier_ordinal", "authenticity_engagement_ratio",
    "niche_text", "niche_text_z", "niche_learned", "tone_learned_z", "niche_lexical_z",
)  # fmt: skip


def test_train_with_a_text_model_end_to_end(tiny_matcher, tmp_path):
    from conftest import FakeEncoder

    from matcher.engine import Matcher
    from matcher.errors import IndexMismatchError
    from matcher.index import CreatorIndex, build_and_save
    from matcher.learn.train import train

    m, briefs, labels = tiny_matcher
    recipe = Recipe(
        candidates=20, folds=3, holdout=0.25, learners=("lightgbm",),
        features=TEXT_FEATURES, params={"lightgbm": SMALL["lightgbm"]}, n_jobs=1,
        text={"rank": 4, "epochs": 3, "batch": 3, "hard": 5, "hard_from": 10, "n_random": 10},
    )  # fmt: skip
    card = train(m, briefs, labels, tmp_path / "m", recipe)
    t = card.text_model
    assert t is not None and t["fits"] == 3 + 3 + 1  # pairs of folds, all-but-one, all
    assert set(t["config"]) >= {"rank", "epochs", "style_dim"}
    assert (tmp_path / "m" / "text" / "text.npz").exists()
    assert "## Text model" in (tmp_path / "m" / "card.md").read_text()
    ranker = ModelCard.load(tmp_path / "m").load_ranker()
    assert ranker.text_model_.fingerprint == t["fingerprint"]
    # the index must be adapted for the text model: refused otherwise, with what to run
    with pytest.raises(IndexMismatchError, match="re-run 'matcher index'"):
        Matcher(m.index, m.encoder, m.settings, ranker=ranker)
    creators, _, _ = tiny_world()
    enc = FakeEncoder()
    adapted = CreatorIndex.load(
        build_and_save(creators, enc, tmp_path / "adapted", text_model=ranker.text_model_)
    )
    assert adapted.manifest.text_model == t["fingerprint"] and adapted.style is not None
    shortlist = Matcher(adapted, enc, m.settings, ranker=ranker).recommend(briefs[0])
    assert shortlist.matches and shortlist.ranker == "learned"
