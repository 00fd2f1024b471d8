"""The coverage guard: a learned ranker is not applied to a catalogue unlike its training one."""

from __future__ import annotations

import json
import shutil

import pytest

from matcher.learn.coverage import catalogue_coverage, coverage_mismatch
from matcher.schema import Audience, Creator, Post

FULL = Creator(
    "a",
    posts=(Post("hi", likes=3),),
    audience=Audience(gender={"male": 1.0}),
    price_per_post=100.0,
    engagement_rate=0.05,
)
BIO_ONLY = Creator("b", bio="crypto trader", engagement_rate=0.1)


def test_catalogue_coverage_counts_each_kind_of_data():
    cov = catalogue_coverage([FULL, BIO_ONLY])
    assert cov == {"posts": 0.5, "audience": 0.5, "price": 0.5, "engagement": 1.0}
    assert catalogue_coverage([]) == {
        "posts": 0.0,
        "audience": 0.0,
        "price": 0.0,
        "engagement": 0.0,
    }


def test_mismatch_names_what_the_catalogue_lacks():
    trained = {"posts": 1.0, "audience": 0.7, "price": 0.6, "engagement": 0.9}
    assert coverage_mismatch(trained, trained) == []
    assert (
        coverage_mismatch(trained, {"posts": 0.9, "audience": 0.5, "price": 0.4, "engagement": 0.9})
        == []
    )
    lacking = coverage_mismatch(
        trained, {"posts": 0.0, "audience": 0.0, "price": 0.6, "engagement": 1.0}
    )
    assert lacking == [
        "posts: 100% of training creators, 0% here",
        "audience: 70% of training creators, 0% here",
    ]
    # a field the training data barely had is not one the model relies on
    assert coverage_mismatch({"price": 0.1}, {"price": 0.0}) == []


def test_resolve_ranker_falls_back_to_weighted_on_an_unlike_index(tmp_path, monkeypatch):
    from conftest import FakeEncoder

    from matcher.config import Settings
    from matcher.index import CreatorIndex, build_and_save
    from matcher.learn.resolve import index_text_model, packaged_model_dir, resolve_ranker

    default = packaged_model_dir()
    if not (default / "card.json").exists():
        pytest.skip("the default model is not installed")
    model = tmp_path / "model"
    shutil.copytree(default, model)
    card = json.loads((model / "card.json").read_text())
    card["data"]["coverage"] = {"posts": 1.0, "audience": 0.7, "price": 0.6, "engagement": 0.9}
    (model / "card.json").write_text(json.dumps(card))
    monkeypatch.setenv("MATCHER_MODEL", str(model))
    enc = FakeEncoder()
    bios = CreatorIndex.load(
        build_and_save([BIO_ONLY, Creator("c", bio="x")], enc, tmp_path / "bios")
    )
    text = index_text_model(model)  # an index adapted for the model's text model, if it has one
    full = CreatorIndex.load(build_and_save([FULL], enc, tmp_path / "full", text_model=text))
    plain = CreatorIndex.load(build_and_save([FULL], enc, tmp_path / "plain"))
    ranker, note = resolve_ranker("auto", bios, Settings())
    assert ranker.name == "weighted"
    assert note is not None and "using the weighted ranker" in note
    assert resolve_ranker("auto", full, Settings())[0].name == "learned"
    if text is not None:  # not adapted for its text model: weighted, saying what to run
        ranker, note = resolve_ranker("auto", plain, Settings())
        assert ranker.name == "weighted" and note is not None and "matcher index" in note
    # asked for explicitly: always the learned ranker
    assert resolve_ranker("learned", bios, Settings())[0].name == "learned"
    assert resolve_ranker(str(model), bios, Settings())[0].name == "learned"
