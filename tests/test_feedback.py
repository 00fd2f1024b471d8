"""Relevance feedback: Rocchio, the fused re-ranking, votes over the API, the labels export that
``matcher train`` reads, and the /docs examples captured from real responses."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel
from serving import REPO, run_matcher, running_server
from test_api import BRIEF, FakeMatcher, auth, locs

from matcher.config import Settings
from matcher.engine import Matcher
from matcher.feedback import (
    ROCCHIO,
    Rocchio,
    competition_ranks,
    fused_order,
    keep_liked,
    rerank,
)
from matcher.index import CreatorIndex, build_and_save
from matcher.io import read_briefs, read_labels, write_creators
from matcher.retrieval import RRF_K
from matcher.rules import hard_filter
from matcher.schema import Brief, Creator
from matcher.serve import examples
from matcher.serve.app import create_app
from matcher.serve.examples import SHOWN, add_examples, capture, load_examples
from matcher.serve.models import (
    CreatorOut,
    SavedShortlist,
    SavedShortlists,
    ShortlistOut,
)
from matcher.serve.routes_feedback import FeedbackOut
from matcher.serve.store import Store

AS_OF = date(2026, 11, 1)
SAMPLE = REPO / "datasets" / "sample"

# -- Rocchio and the fusion, against naive references -------------------------------------------


def naive_rocchio(q, liked, disliked, a, b, c):  # type: ignore[no-untyped-def]
    v = [a * x for x in q]
    for rows, w in ((liked, b), (disliked, -c)):
        for j in range(len(v)):
            if len(rows):
                v[j] += w * sum(r[j] for r in rows) / len(rows)
    n = sum(x * x for x in v) ** 0.5
    return [x / n for x in v]


def test_rocchio_query_is_the_formula_normalised() -> None:
    rng = np.random.default_rng(0)
    q, liked, disliked = rng.normal(size=8), rng.normal(size=(3, 8)), rng.normal(size=(2, 8))
    got = Rocchio(1.0, 0.75, 0.15).query(q, liked, disliked)
    want = naive_rocchio(q.tolist(), liked.tolist(), disliked.tolist(), 1.0, 0.75, 0.15)
    np.testing.assert_allclose(got, want, rtol=1e-5)
    assert got.dtype == np.float32 and abs(float(np.linalg.norm(got)) - 1) < 1e-5
    none = np.zeros((0, 8))
    np.testing.assert_allclose(ROCCHIO.query(q, none, none), q / np.linalg.norm(q), rtol=1e-5)
    # only dislikes: moves away from them
    away = ROCCHIO.query(q / np.linalg.norm(q), none, disliked)
    assert float(away @ disliked.mean(0)) < float(q / np.linalg.norm(q) @ disliked.mean(0))


def test_rocchio_that_cancels_out_keeps_the_brief() -> None:
    q = np.array([1.0, 0.0], dtype=np.float32)
    got = Rocchio(1.0, 0.0, 1.0).query(q, np.zeros((0, 2)), np.array([[1.0, 0.0]]))
    np.testing.assert_array_equal(got, q)


@pytest.mark.parametrize(
    ("kw", "msg"),
    [({"a": -1}, "a must be"), ({"c": float("nan")}, "c must be"), ({"a": 0, "b": 0}, "a \\+ b")],
)
def test_rocchio_weights_are_checked(kw: dict[str, float], msg: str) -> None:
    with pytest.raises(ValueError, match=msg):
        Rocchio(**kw)


def naive_ranks(values: list[float]) -> list[int]:
    return [sum(w > v for w in values) for v in values]  # ties share the best rank


def test_competition_ranks() -> None:
    assert competition_ranks(np.array([0.5, 0.9, 0.5, 0.1, 0.9])).tolist() == [2, 0, 2, 4, 0]
    rng = np.random.default_rng(2)
    v = rng.integers(0, 5, size=40).astype(float)
    assert competition_ranks(v).tolist() == naive_ranks(v.tolist())
    assert competition_ranks(np.zeros(0)).tolist() == []


def test_fused_order_is_reciprocal_rank_fusion() -> None:
    rng = np.random.default_rng(1)
    ids = [f"c{i:02d}" for i in range(30)]
    engine = rng.integers(0, 8, size=30).astype(float)  # with ties
    feedback = rng.normal(size=30)
    order, fused = fused_order(engine, feedback, ids)
    e, f = naive_ranks(engine.tolist()), naive_ranks(feedback.tolist())
    naive = [1 / (RRF_K + 1 + e[i]) + 1 / (RRF_K + 1 + f[i]) for i in range(30)]
    np.testing.assert_allclose(fused, naive)
    assert list(order) == sorted(range(30), key=lambda i: (-naive[i], -feedback[i], ids[i]))


def test_engine_ties_prefer_no_one_and_fused_ties_go_to_the_votes() -> None:
    ids = ["a", "b", "c", "d"]
    # the engine cannot tell them apart: the feedback decides
    order, _ = fused_order(np.ones(4), np.array([0.1, 0.4, 0.3, 0.2]), ids)
    assert [ids[i] for i in order] == ["b", "c", "d", "a"]
    # exactly opposite rankings tie in RRF: the one closer to the votes wins
    order, fused = fused_order(np.array([4.0, 3.0, 2.0, 1.0]), np.array([1.0, 2.0, 3.0, 4.0]), ids)
    assert fused[0] == fused[3] and [ids[i] for i in order][:2] == ["d", "a"]


@pytest.mark.parametrize(
    ("ok", "liked", "k", "want"),
    [
        ([0, 1, 2, 3, 4], set(), 3, [0, 1, 2]),
        ([0, 1, 2, 3, 4], {"c4"}, 3, [0, 1, 4]),  # a liked one below k takes the last place
        ([0, 1, 2, 3, 4], {"c1"}, 3, [0, 1, 2]),
        ([0, 1, 2, 3, 4], {"c3", "c4"}, 1, [3, 4]),  # more liked than k: all of them
        ([], {"c1"}, 3, []),
    ],
)
def test_keep_liked(ok: list[int], liked: set[str], k: int, want: list[int]) -> None:
    assert keep_liked(ok, [f"c{i}" for i in range(5)], liked, k) == want


# -- re-ranking a known catalogue (fake encoder) ---------------------------------------------------


def _catalogue() -> list[Creator]:
    def c(cid: str, bio: str, language: str = "en") -> Creator:
        return Creator(cid, bio=bio, followers=40_000, language=language, platform="instagram")

    # two kinds of runner, equally close to the brief, interleaved so neither comes first by row
    runners = [
        c(f"{kind}{i}", f"trail running shoes {words}")
        for i in range(4)
        for kind, words in (("mtn", "mountain ultra skyrace alpine"), ("road", "road marathon city tempo"))
    ]  # fmt: skip
    bakers = [c(f"bake{i}", "sourdough bread baking kitchen") for i in range(2)]
    french = [c("fr0", "trail running shoes road marathon city tempo", language="fr")]
    return runners + bakers + french


@pytest.fixture
def engine(tmp_path: Path, fake_encoder) -> Matcher:  # type: ignore[no-untyped-def]
    idx = CreatorIndex.load(build_and_save(_catalogue(), fake_encoder, tmp_path / "idx"))
    return Matcher(idx, fake_encoder, Settings(niche_gate=0.6), as_of=AS_OF)


TRAIL = Brief(brand="Salomon", description="trail running shoes", languages=("en",), k=4)


def ids(shortlist) -> list[str]:  # type: ignore[no-untyped-def]
    return [m.creator_id for m in shortlist.matches]


def test_no_votes_is_the_engines_answer(engine: Matcher) -> None:
    assert rerank(engine, TRAIL).to_dict() == engine.recommend(TRAIL).to_dict()
    assert rerank(engine, TRAIL, k=2).to_dict() == engine.recommend(TRAIL, 2).to_dict()


def test_likes_pull_their_kind_up_and_dislikes_go_out(engine: Matcher) -> None:
    before = ids(engine.recommend(TRAIL, 8))
    assert set(before) == {f"mtn{i}" for i in range(4)} | {f"road{i}" for i in range(4)}
    got = rerank(engine, TRAIL, likes=["road0"], dislikes=["mtn1"])
    assert set(ids(got)) == {"road0", "road1", "road2", "road3"}  # the road runners, k = 4
    assert got.matches[0].creator_id == "road0"  # first by both rankings
    assert [m.rank for m in got.matches] == [1, 2, 3, 4]
    scores = [m.score for m in got.matches]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 1 for s in scores)
    assert got.matches[0].score == pytest.approx(1.0)
    assert ("mtn1", "you disliked this creator") in [(e.creator_id, e.why) for e in got.excluded]
    assert "mtn1" not in ids(rerank(engine, TRAIL, dislikes=["mtn1"], k=8))
    assert got.notes[0] == "re-ranked by your feedback: 1 liked, 1 disliked"
    assert got.matches[0].reasons[0] == "you liked this creator"
    plain = {m.creator_id: m.reasons for m in engine.recommend(TRAIL, 11).matches}
    for m in got.matches[1:]:
        assert m.reasons[0].startswith("like the creators you liked (")
        assert m.reasons[1:] == plain[m.creator_id]  # the engine's reasons follow, unchanged
    for m in got.matches:  # the engine's signals, never a hard rule broken
        assert set(m.signals) >= {"niche", "tier"}


def test_the_other_kind_when_liked(engine: Matcher) -> None:
    got = rerank(engine, TRAIL, likes=["mtn2"], dislikes=["road3"])
    assert set(ids(got)) == {"mtn0", "mtn1", "mtn2", "mtn3"}


def test_liked_creators_stay_even_off_niche_but_never_against_hard_rules(engine: Matcher) -> None:
    # bake0 is outside the niche gate: the user's like keeps it; fr0 writes in French, the brief
    # wants English: a hard rule, which no like overrides
    plain = engine.recommend(TRAIL, 11)
    assert "bake0" not in ids(plain) and "fr0" not in ids(plain)
    got = rerank(engine, TRAIL, likes=["bake0", "fr0"], k=2)
    assert "bake0" in ids(got) and "fr0" not in ids(got)
    assert got.matches[ids(got).index("bake0")].reasons[0] == "you liked this creator"
    why = {e.creator_id: e.why for e in got.excluded}
    assert why["fr0"] == "writes in fr, brief wants en"
    for m in got.matches:
        c = engine.creator(m.creator_id)
        assert c is not None and hard_filter(TRAIL, c) is None


def test_more_liked_than_k_are_all_kept(engine: Matcher) -> None:
    got = rerank(engine, TRAIL, likes=["road0", "mtn0", "road2"], k=2)
    assert set(ids(got)) == {"road0", "mtn0", "road2"}


@pytest.mark.parametrize(
    ("kw", "msg"),
    [
        ({"likes": ["ghost"]}, r"unknown creator id\(s\) \['ghost'\]"),
        ({"likes": ["road0"], "dislikes": ["road0"]}, "both liked and disliked"),
        ({"dislikes": ["mtn0", "mtn0"]}, r"dislikes repeats creator id\(s\) \['mtn0'\]"),
        ({"likes": "road0"}, "likes must be a list"),
        ({"likes": ["road0"], "k": 0}, "k must be >= 1, got 0"),
    ],
)
def test_bad_votes_are_refused(engine: Matcher, kw: dict[str, Any], msg: str) -> None:
    with pytest.raises(ValueError, match=msg):
        rerank(engine, TRAIL, **kw)


# -- the API, unit level ------------------------------------------------------------------------


@pytest.fixture
def client(store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(FakeMatcher(), store, max_body_bytes=8192)) as c:
        yield c


def saved(client: TestClient, key: str, brief: dict | None = BRIEF, ids=("c1", "c2")) -> str:  # type: ignore[no-untyped-def]
    body = {"name": "s", "creator_ids": list(ids), **({"brief": brief} if brief else {})}
    r = client.post("/v1/shortlists", json=body, headers=auth(key))
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def vote(client: TestClient, key: str, sid: str, cid: str, v: str | None) -> Any:
    return client.put(f"/v1/shortlists/{sid}/feedback", json={"creator_id": cid, "vote": v},
                      headers=auth(key))  # fmt: skip


def test_votes_are_stored_changed_and_cleared(client: TestClient, keys) -> None:
    sid = saved(client, keys["acme"])
    r = vote(client, keys["acme"], sid, "c1", "like")
    assert r.status_code == 200 and r.json() == {"likes": ["c1"], "dislikes": []}
    FeedbackOut.model_validate(r.json())
    vote(client, keys["acme"], sid, "c3", "dislike")  # not in the list, but in the index
    assert vote(client, keys["acme"], sid, "c1", "dislike").json() == {
        "likes": [], "dislikes": ["c3", "c1"]}  # fmt: skip
    assert vote(client, keys["acme"], sid, "c3", None).json() == {"likes": [], "dislikes": ["c1"]}
    got = client.get(f"/v1/shortlists/{sid}/feedback", headers=auth(keys["acme"]))
    assert got.status_code == 200 and got.json() == {"likes": [], "dislikes": ["c1"]}


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"creator_id": "c1"}, ["body", "vote"]),  # null must be said, not implied
        ({"creator_id": "c1", "vote": "love"}, ["body", "vote"]),
        ({"creator_id": "c1", "vote": 1}, ["body", "vote"]),
        ({"creator_id": "ghost", "vote": "like"}, ["body", "creator_id"]),
        ({"creator_id": "", "vote": "like"}, ["body", "creator_id"]),
        ({"creator_id": ["c1"], "vote": "like"}, ["body", "creator_id"]),
        ({"creator_id": "c1", "vote": "like", "weight": 2}, ["body", "weight"]),
    ],
)
def test_bad_votes_are_422_and_store_nothing(client: TestClient, keys, body, loc) -> None:  # type: ignore[no-untyped-def]
    sid = saved(client, keys["acme"])
    r = client.put(f"/v1/shortlists/{sid}/feedback", json=body, headers=auth(keys["acme"]))
    assert locs(r) == [loc]
    got = client.get(f"/v1/shortlists/{sid}/feedback", headers=auth(keys["acme"])).json()
    assert got == {"likes": [], "dislikes": []}


def test_votes_on_another_workspaces_shortlist_are_404(client: TestClient, keys) -> None:
    sid = saved(client, keys["acme"])
    vote(client, keys["acme"], sid, "c1", "like")
    for theirs, missing in (
        (vote(client, keys["globex"], sid, "c2", "dislike"),
         vote(client, keys["globex"], "doesnotexist", "c2", "dislike")),
        (client.get(f"/v1/shortlists/{sid}/feedback", headers=auth(keys["globex"])),
         client.get("/v1/shortlists/doesnotexist/feedback", headers=auth(keys["globex"]))),
    ):  # fmt: skip
        assert theirs.status_code == missing.status_code == 404
        assert theirs.json()["detail"].replace(sid, "ID") == missing.json()["detail"].replace(
            "doesnotexist", "ID"
        )
    mine = client.get(f"/v1/shortlists/{sid}/feedback", headers=auth(keys["acme"])).json()
    assert mine == {"likes": ["c1"], "dislikes": []}


NEW_ROUTES = [
    ("put", "/v1/shortlists/x/feedback", {"creator_id": "c1", "vote": "like"}),
    ("get", "/v1/shortlists/x/feedback", None),
    ("patch", "/v1/shortlists/x", {"name": "y"}),
    ("delete", "/v1/shortlists/x", None),
    ("post", "/v1/rerank", {"brief": BRIEF, "likes": ["c1"]}),
    ("get", "/v1/feedback/labels.csv", None),
    ("get", "/v1/feedback/briefs.jsonl", None),
]


@pytest.mark.parametrize(("method", "path", "body"), NEW_ROUTES)
@pytest.mark.parametrize("key", [None, "mk_not-a-key", "Basic abc"])
def test_new_routes_need_a_valid_key(client: TestClient, method, path, body, key) -> None:  # type: ignore[no-untyped-def]
    headers = {} if key is None else {"Authorization": key if " " in key else f"Bearer {key}"}
    r = client.request(method, path, json=body, headers=headers)
    assert r.status_code == 401


def test_labels_export_in_the_formats_of_train(client: TestClient, keys, tmp_path: Path) -> None:
    a = saved(client, keys["acme"], {**BRIEF, "brief_id": "mine", "tiers": ["micro"]})
    plain = saved(client, keys["acme"], None)  # no brief: its votes cannot become labels
    b = saved(client, keys["acme"], {**BRIEF, "brand": "=Evil+Brand"})
    vote(client, keys["acme"], a, "c1", "like")
    vote(client, keys["acme"], a, "c2", "dislike")
    vote(client, keys["acme"], plain, "c1", "like")
    vote(client, keys["acme"], b, "c3", "like")
    saved(client, keys["acme"])  # no votes: not exported
    r = client.get("/v1/feedback/labels.csv", headers=auth(keys["acme"]))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"] == 'attachment; filename="labels.csv"'
    assert r.text == (f"brief_id,creator_id,relevance\nshortlist-{a},c1,3\nshortlist-{a},c2,0\n"
                      f"shortlist-{b},c3,3\n")  # fmt: skip
    j = client.get("/v1/feedback/briefs.jsonl", headers=auth(keys["acme"]))
    assert j.status_code == 200 and j.headers["content-type"].startswith("application/x-ndjson")
    briefs = [json.loads(line) for line in j.text.splitlines()]
    assert briefs == [{**BRIEF, "brief_id": f"shortlist-{a}", "tiers": ["micro"]},
                      {**BRIEF, "brand": "=Evil+Brand", "brief_id": f"shortlist-{b}"}]  # fmt: skip
    # the library's readers (those of matcher train) accept both, ids and all
    (tmp_path / "labels.csv").write_text(r.text)
    (tmp_path / "briefs.jsonl").write_text(j.text)
    read = read_briefs(tmp_path / "briefs.jsonl")
    labels = read_labels(tmp_path / "labels.csv", {x.brief_id for x in read}, {"c1", "c2", "c3"})
    assert [(x.brief_id, x.creator_id, x.relevance) for x in labels] == [
        (f"shortlist-{a}", "c1", 3), (f"shortlist-{a}", "c2", 0), (f"shortlist-{b}", "c3", 3)]  # fmt: skip
    # another workspace exports nothing of them
    theirs = client.get("/v1/feedback/labels.csv", headers=auth(keys["globex"]))
    assert theirs.text == "brief_id,creator_id,relevance\n"
    assert client.get("/v1/feedback/briefs.jsonl", headers=auth(keys["globex"])).text == ""


@pytest.mark.parametrize(
    ("body", "want"),
    [
        ({"brief": BRIEF, "likes": ["ghost"]}, [["body", "likes", 0]]),
        ({"brief": BRIEF, "likes": ["c1", "c1"]}, [["body", "likes", 1]]),
        ({"brief": BRIEF, "likes": ["c1"], "dislikes": ["c2", "c1"]}, [["body", "dislikes", 1]]),
        ({"brief": {**BRIEF, "goal": "viral"}, "likes": ["c1"]}, [["body", "brief", "goal"]]),
        ({"brief": "a brief", "likes": ["c1"]}, [["body", "brief"]]),
        ({"likes": ["c1"]}, [["body", "brief"]]),
        ({"brief": BRIEF, "likes": "c1"}, [["body", "likes"]]),
        ({"brief": BRIEF, "k": 0}, [["body", "k"]]),
        ({"brief": BRIEF, "k": 501}, [["body", "k"]]),
        ({"brief": BRIEF, "colour": "red"}, [["body", "colour"]]),
        ({"brief": {"description": "x"}, "likes": ["ghost"], "dislikes": ["c9"]},
         [["body", "brief", "brand"], ["body", "likes", 0], ["body", "dislikes", 0]]),
    ],
)  # fmt: skip
def test_rerank_reports_every_problem(client: TestClient, keys, body, want) -> None:  # type: ignore[no-untyped-def]
    r = client.post("/v1/rerank", json=body, headers=auth(keys["acme"]))
    assert locs(r) == want


def test_rerank_over_http_on_a_real_engine(engine: Matcher, store: Store, keys) -> None:
    with TestClient(create_app(engine, store)) as c:
        body = {"brief": {"brand": "Salomon", "description": "trail running shoes",
                          "languages": ["en"], "k": 4}, "likes": ["road0"], "dislikes": ["mtn1"]}  # fmt: skip
        r = c.post("/v1/rerank", json=body, headers=auth(keys["acme"]))
        assert r.status_code == 200, r.text
        out = r.json()
        ShortlistOut.model_validate(out)
        assert {m["creator_id"] for m in out["matches"]} == {f"road{i}" for i in range(4)}
        assert {"creator_id": "mtn1", "why": "you disliked this creator"} in out["excluded"]
        assert out["matches"][0]["reasons"][0] == "you liked this creator"
        assert all(m["facts"]["followers"] == 40_000 for m in out["matches"])  # as /v1/match
        plain = c.post("/v1/rerank", json={"brief": body["brief"]}, headers=auth(keys["acme"]))
        match = c.post("/v1/match", json=body["brief"], headers=auth(keys["acme"]))
        assert plain.json() == match.json()  # no votes: /v1/match's answer
        k2 = c.post("/v1/rerank", json={**body, "k": 2}, headers=auth(keys["acme"])).json()
        assert [m["rank"] for m in k2["matches"]] == [1, 2]


# -- /docs examples -----------------------------------------------------------------------------

EXAMPLE_MODELS: dict[str, type[BaseModel]] = {
    "match": ShortlistOut, "rerank": ShortlistOut, "creator": CreatorOut,
    "shortlist": SavedShortlist, "shortlists": SavedShortlists, "feedback": FeedbackOut,
}  # fmt: skip


def test_docs_show_the_stored_examples(client: TestClient) -> None:
    stored = load_examples()
    assert set(stored) == set(EXAMPLE_MODELS)
    for name, model in EXAMPLE_MODELS.items():
        model.model_validate(stored[name])
    paths = client.get("/openapi.json").json()["paths"]
    assert set(SHOWN.values()) == set(stored)
    for (path, method, status), name in SHOWN.items():
        content = paths[path][method]["responses"][status]["content"]["application/json"]
        assert content["example"] == stored[name], (path, method)  # nulls and all
        assert "$ref" in content["schema"], (path, method)  # beside the schema, not instead
    # an unknown signal is null in a real response, and so in the example
    assert None in stored["match"]["matches"][0]["signals"].values()


def test_examples_skip_what_is_missing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def spec() -> dict[str, Any]:
        return {"paths": {"/v1/match": {"post": {"responses": {"200": {"content": {
            "application/json": {"schema": {}}}}}}}}}  # fmt: skip

    shown = add_examples(spec())["paths"]["/v1/match"]["post"]["responses"]["200"]["content"]
    assert shown["application/json"]["example"] == load_examples()["match"]
    assert add_examples({}) == {}  # a route the spec lacks is skipped
    monkeypatch.setattr(examples, "EXAMPLES_FILE", tmp_path / "none.json")
    examples.load_examples.cache_clear()
    try:
        assert examples.load_examples() == {}
        assert add_examples(spec()) == spec()  # no file: no examples, no error
    finally:
        examples.load_examples.cache_clear()


def key_paths(obj: Any, prefix: str = "") -> set[str]:
    """Every field path of a JSON value (list items share ``[]``)."""
    out: set[str] = set()
    if isinstance(obj, dict):
        for k, v in obj.items():
            out |= {prefix + k} | key_paths(v, prefix + k + ".")
    elif isinstance(obj, list):
        for v in obj:
            out |= key_paths(v, prefix + "[].")
    return out


@pytest.mark.integration
def test_stored_examples_are_what_the_api_answers_today(sample_index_dir: Path, tmp_path) -> None:
    """Captured again as tools/docs_examples.py does (the first 400 sample creators, the first
    sample brief): every example must have exactly the fields of today's response. When this
    fails, run `python tools/docs_examples.py`."""
    brief = json.loads((SAMPLE / "briefs.jsonl").read_text(encoding="utf-8").splitlines()[0])
    m = Matcher.open(sample_index_dir, Settings(cache_dir=str(REPO / ".cache" / "test-embeddings")))
    with Store(tmp_path / "ex.db") as store:
        store.create_workspace("acme")
        key = store.create_key("acme")
        with TestClient(create_app(m, store)) as http:
            fresh = capture(http, auth(key), brief)
    stored = load_examples()
    assert set(fresh) == set(stored)
    for name in fresh:
        assert key_paths(stored[name]) == key_paths(fresh[name]), (
            f"{name}: the stored /docs example differs from today's response; "
            "run `python tools/docs_examples.py`"
        )


# -- end to end: a real server, real votes, and matcher train on them ----------------------------


@pytest.mark.integration
def test_feedback_through_the_real_api_trains_a_ranker(sample_index_dir: Path, tmp_path) -> None:
    db = tmp_path / "serve.db"
    keys = {ws: run_matcher("keys", "create", "--workspace", ws, "--db", str(db)).stdout.split()[-1]
            for ws in ("acme", "globex")}  # fmt: skip
    briefs = [json.loads(x) for x in (SAMPLE / "briefs.jsonl").read_text().splitlines()[:3]]
    with running_server(sample_index_dir, tmp_path / "server.log", "--db", str(db)) as base:
        h = auth(keys["acme"])
        with httpx.Client(base_url=base, timeout=120) as http:
            for brief in briefs:
                _vote_on(http, h, brief)
            labels = http.get("/v1/feedback/labels.csv", headers=h)
            jsonl = http.get("/v1/feedback/briefs.jsonl", headers=h)
            theirs = http.get("/v1/feedback/labels.csv", headers=auth(keys["globex"])).text
    assert theirs == "brief_id,creator_id,relevance\n"
    rows = list(csv.DictReader(io.StringIO(labels.text)))
    assert len(rows) == 3 * 5 and {r["relevance"] for r in rows} == {"0", "3"}
    exported = [json.loads(x) for x in jsonl.text.splitlines()]
    assert [b["brand"] for b in exported] == [b["brand"] for b in briefs]
    assert {r["brief_id"] for r in rows} == {b["brief_id"] for b in exported}

    (tmp_path / "labels.csv").write_text(labels.text)
    (tmp_path / "briefs.jsonl").write_text(jsonl.text)
    write_creators(tmp_path / "creators.jsonl", sample_creators_400())
    (tmp_path / "recipe.toml").write_text(
        '[train]\nfolds = 2\ncandidates = 200\nn_jobs = 1\nlearners = ["lightgbm"]\n'
    )
    done = subprocess.run(
        [sys.executable, "-m", "matcher", "train", "--creators", str(tmp_path / "creators.jsonl"),
         "--briefs", str(tmp_path / "briefs.jsonl"), "--labels", str(tmp_path / "labels.csv"),
         "--index", str(sample_index_dir), "--config", str(tmp_path / "recipe.toml"),
         "--out", str(tmp_path / "model"), "--strict", "--quiet",
         "--cache-dir", str(REPO / ".cache" / "test-embeddings")],
        capture_output=True, text=True, timeout=900, cwd=REPO, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    card = json.loads((tmp_path / "model" / "card.json").read_text())
    assert card["cv"]["n_briefs"] == 3
    assert "grouped 2-fold CV over 3 briefs" in done.stdout


def _vote_on(http: httpx.Client, h: dict[str, str], brief: dict[str, Any]) -> None:
    """Match, save with items, vote (3 likes, 2 dislikes) and check the re-ranked list."""
    r = http.post("/v1/match", json={**brief, "k": 10}, headers=h)
    assert r.status_code == 200, r.text
    matches = r.json()["matches"]
    assert len(matches) == 10
    items = [{k: m[k] for k in ("creator_id", "rank", "score", "reasons")} for m in matches]
    r = http.post("/v1/shortlists", json={"name": brief["brand"], "items": items, "brief": brief},
                  headers=h)  # fmt: skip
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    ids = [m["creator_id"] for m in matches]
    likes, dislikes = ids[5:8], ids[:2]
    for cid, v in [*((c, "like") for c in likes), *((c, "dislike") for c in dislikes)]:
        put = http.put(f"/v1/shortlists/{sid}/feedback", json={"creator_id": cid, "vote": v},
                       headers=h)  # fmt: skip
        assert put.status_code == 200, put.text
    votes = http.get(f"/v1/shortlists/{sid}/feedback", headers=h).json()
    assert votes == {"likes": likes, "dislikes": dislikes}
    body = {"brief": brief, "likes": likes, "dislikes": dislikes, "k": 10}
    r = http.post("/v1/rerank", json=body, headers=h)
    assert r.status_code == 200, r.text
    out = r.json()
    ShortlistOut.model_validate(out)
    got = [m["creator_id"] for m in out["matches"]]
    assert set(likes) <= set(got) and not set(dislikes) & set(got)
    assert [m["rank"] for m in out["matches"]] == list(range(1, len(got) + 1))
    assert [m["score"] for m in out["matches"]] == sorted(
        (m["score"] for m in out["matches"]), reverse=True
    )
    why = {e["creator_id"]: e["why"] for e in out["excluded"]}
    assert all(why[c] == "you disliked this creator" for c in dislikes)
    for m in out["matches"]:
        first = m["reasons"][0]
        assert first == "you liked this creator" or "the creators you liked (" in first, first
    kept = brief.get("platforms")
    if kept:  # the brief's hard rules hold for the re-ranked list too
        assert all(m["facts"]["platform"] in kept for m in out["matches"])


def sample_creators_400() -> list[Creator]:
    from conftest import sample_creators

    return list(sample_creators(400))
