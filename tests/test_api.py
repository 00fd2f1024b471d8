"""HTTP API: unit tests on a fake matcher, integration tests on a real index and a live server."""

from __future__ import annotations

import csv
import io
import json
import re
import socket
import threading
import time
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import anyio
import httpx
import pytest
from fastapi.testclient import TestClient

from matcher.io import UnknownFieldWarning
from matcher.money import convert
from matcher.schema import Brief, Creator, Excluded, Match, Shortlist
from matcher.serve.app import create_app
from matcher.serve.models import ShortlistOut, field_loc
from matcher.serve.routes import CSV_COLUMNS
from matcher.serve.store import Store
from matcher.signals import SIGNALS

REPO = Path(__file__).resolve().parents[1]
WORLD = Path("/work/shared/data/world")
BRIEF = {"brand": "Trailhead", "description": "Lightweight trail running shoes for mountain races"}


# -- a fake matcher (unit tests only) -----------------------------------------------------------


class FakeMatcher:
    """Three creators; recommend returns them in id order with one unknown signal."""

    def __init__(self) -> None:
        self.creators = {
            "c1": Creator("c1", handle="runner_anna", platform="instagram", followers=25_000,
                          engagement_rate=0.051, language="en", country="US", price_per_post=900.0),
            "c2": Creator("c2", handle="=HYPERLINK(evil)", followers=500),
            "c3": Creator("c3"),
        }  # fmt: skip
        self.index = SimpleNamespace(
            manifest=SimpleNamespace(count=3, model="default", model_fingerprint="fp123")
        )
        self.ranker = SimpleNamespace(name="weighted")
        self.briefs: list[Brief] = []

    def recommend(self, brief: Brief, k: int | None = None) -> Shortlist:
        self.briefs.append(brief)
        signals: dict[str, float | None] = dict.fromkeys(SIGNALS, 0.5)
        signals["audience"] = None
        matches = tuple(
            Match(cid, rank, 1.0 - rank / 10, dict(signals), {"niche": 0.2}, ("fits the niche",),
                  handle=c.handle)
            for rank, (cid, c) in enumerate(list(self.creators.items())[: k or brief.k], start=1)
        )  # fmt: skip
        return Shortlist(brief.brief_id, matches, (Excluded("c9", "promoted Hoka"),), "weighted")

    def creator(self, creator_id: str) -> Creator | None:
        return self.creators.get(creator_id)


@pytest.fixture
def fake() -> FakeMatcher:
    return FakeMatcher()


@pytest.fixture
def client(fake: FakeMatcher, store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(fake, store, max_body_bytes=4096)) as c:
        yield c


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def locs(resp: Any) -> list[list[Any]]:
    assert resp.status_code == 422, resp.text
    detail = resp.json()["detail"]
    assert all(set(d) >= {"loc", "msg"} and d["msg"] for d in detail)
    return [d["loc"] for d in detail]


# -- service routes -----------------------------------------------------------------------------


def test_healthz_needs_no_key(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "creators": 3, "model": "default",
                        "model_fingerprint": "fp123", "ranker": "weighted"}  # fmt: skip


def test_docs_and_openapi_are_served(client: TestClient) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200
    # offline: Swagger UI comes from the package, not a CDN
    assert "cdn.jsdelivr" not in docs.text and "https://" not in docs.text
    assets = re.findall(r'(?:src|href)="(/static-offline-docs/[^"]+)"', docs.text)
    assert assets and all(client.get(a).status_code == 200 for a in assets)
    spec = client.get("/openapi.json").json()
    for path in (
        "/v1/match",
        "/v1/creators/{creator_id}",
        "/v1/shortlists",
        "/v1/shortlists/{shortlist_id}",
        "/v1/shortlists/{shortlist_id}.csv",
        "/healthz",
    ):
        assert path in spec["paths"], path  # fmt: skip
    brief = spec["components"]["schemas"]["BriefIn"]
    assert set(brief["required"]) == {"brand", "description"}
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
    match_responses = spec["paths"]["/v1/match"]["post"]["responses"]
    assert {"200", "401", "413", "422"} <= set(match_responses)


def test_web_page_and_assets(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert 'id="brief-form"' in r.text
    for asset in ("/static/app.js", "/static/style.css"):
        assert client.get(asset).status_code == 200
    assert "http" not in client.get("/static/style.css").text  # no external fonts or CDNs


# -- authentication -----------------------------------------------------------------------------

V1 = [("post", "/v1/match", BRIEF), ("get", "/v1/creators/c1", None),
      ("post", "/v1/shortlists", {"name": "x", "creator_ids": ["c1"]}), ("get", "/v1/shortlists", None),
      ("get", "/v1/shortlists/abc", None), ("get", "/v1/shortlists/abc.csv", None)]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "body"), V1)
def test_v1_without_key_is_401(client: TestClient, method: str, path: str, body: Any) -> None:
    r = client.request(method, path, json=body)
    assert r.status_code == 401
    assert r.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("method", "path", "body"), V1)
@pytest.mark.parametrize(
    "header", ["Bearer mk_wrong", "Bearer ", "Basic dXNlcjpwYXNz", "mk_notbearer", "Bearer a b"]
)
def test_v1_with_wrong_key_is_401(
    client: TestClient, keys: dict[str, str], method: str, path: str, body: Any, header: str
) -> None:
    r = client.request(method, path, json=body, headers={"Authorization": header})
    assert r.status_code == 401
    assert r.headers["www-authenticate"].startswith("Bearer")


def test_key_is_checked_before_the_body(client: TestClient) -> None:
    r = client.post("/v1/match", json={"goal": "viral"}, headers=auth("mk_wrong"))
    assert r.status_code == 401


# -- matching -----------------------------------------------------------------------------------


def test_match_returns_the_shortlist_format(client: TestClient, fake: FakeMatcher, keys) -> None:
    r = client.post("/v1/match", json={**BRIEF, "k": 2, "tone": "calm"}, headers=auth(keys["acme"]))
    assert r.status_code == 200, r.text
    body = r.json()
    ShortlistOut.model_validate(body)
    assert body["brief_id"] == "brief" and body["ranker"] == "weighted"
    assert [m["rank"] for m in body["matches"]] == [1, 2]
    m = body["matches"][0]
    assert set(m["signals"]) == set(SIGNALS)
    assert m["signals"]["audience"] is None  # unknown stays null, never 0
    assert m["reasons"] == ["fits the niche"] and m["handle"] == "runner_anna"
    assert body["excluded"] == [{"creator_id": "c9", "why": "promoted Hoka"}]
    assert fake.briefs[-1].k == 2 and fake.briefs[-1].tone == ("calm",)


def test_match_accepts_any_case_and_extra_keys(client: TestClient, fake: FakeMatcher, keys) -> None:
    body = {**BRIEF, "goal": "Awareness", "tiers": ["MICRO"], "platforms": ["TikTok"],
            "campaign_owner": "Dana"}  # fmt: skip
    with pytest.warns(UnknownFieldWarning, match="campaign_owner"):
        r = client.post("/v1/match", json=body, headers=auth(keys["acme"]))
    assert r.status_code == 200, r.text
    b = fake.briefs[-1]
    assert (b.goal, b.tiers, b.platforms) == ("awareness", ("micro",), ("tiktok",))


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"goal": "viral"}, ["body", "goal"]),
        ({"tiers": ["micro", "giga"]}, ["body", "tiers", 1]),
        ({"audience": {"gender": {"female": 0.5, "male": 0.3}}}, ["body", "audience", "gender"]),
        ({"audience": {"age": {"18-25": 1.0}}}, ["body", "audience", "age", "18-25"]),
        ({"audience": {"countries": {"US": 0.8, "CA": 0.7}}}, ["body", "audience", "countries"]),
        ({"k": 0}, ["body", "k"]),
        ({"k": "5"}, ["body", "k"]),
        ({"k": True}, ["body", "k"]),
        ({"budget": -10}, ["body", "budget"]),
        ({"currency": "dollars"}, ["body", "currency"]),
        ({"brand": None}, ["body", "brand"]),
        ({"description": "   "}, ["body", "description"]),
        ({"platforms": ["myspace"]}, ["body", "platforms", 0]),
        ({"competitors": "Hoka"}, ["body", "competitors"]),
        ({"tone": 5}, ["body", "tone"]),
        ({"exclusivity_days": -1}, ["body", "exclusivity_days"]),
    ],
)
def test_invalid_brief_is_422_with_the_field_path(
    client: TestClient, keys, change: dict[str, Any], loc: list[Any]
) -> None:
    r = client.post("/v1/match", json={**BRIEF, **change}, headers=auth(keys["acme"]))
    assert locs(r) == [loc]


def test_every_problem_is_reported_at_once(client: TestClient, keys) -> None:
    body = {"description": "x", "goal": "viral", "tiers": ["giga"], "k": 0}
    r = client.post("/v1/match", json=body, headers=auth(keys["acme"]))
    assert sorted(map(str, locs(r))) == sorted(
        map(str, [["body", "brand"], ["body", "goal"], ["body", "tiers", 0], ["body", "k"]])
    )


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b'"brief"', b""])
def test_body_that_is_not_a_brief_object_is_422(client: TestClient, keys, content: bytes) -> None:
    headers = {**auth(keys["acme"]), "Content-Type": "application/json"}
    r = client.post("/v1/match", content=content, headers=headers)
    assert all(loc[0] == "body" for loc in locs(r))


def test_422_detail_does_not_echo_the_input(client: TestClient, keys) -> None:
    r = client.post("/v1/match", json={**BRIEF, "goal": "secret-plan"}, headers=auth(keys["acme"]))
    assert "secret-plan" not in json.dumps([d.get("input") for d in r.json()["detail"]])


# -- body size limit ----------------------------------------------------------------------------


def big_brief(size: int) -> bytes:
    return json.dumps({**BRIEF, "description": "x" * size}).encode()


def test_body_over_limit_by_content_length_is_413(client: TestClient, keys) -> None:
    r = client.post("/v1/match", content=big_brief(5000), headers={**auth(keys["acme"]),
                    "Content-Type": "application/json"})  # fmt: skip
    assert r.status_code == 413
    assert "4096" in r.json()["detail"]


def test_chunked_body_over_limit_is_413(client: TestClient, keys) -> None:
    data = big_brief(5000)

    def chunks() -> Iterator[bytes]:
        for i in range(0, len(data), 1000):
            yield data[i : i + 1000]

    headers = {**auth(keys["acme"]), "Content-Type": "application/json"}
    r = client.post("/v1/match", content=chunks(), headers=headers)
    assert r.status_code == 413


def test_body_under_limit_passes(client: TestClient, keys) -> None:
    r = client.post("/v1/match", content=big_brief(3000), headers={**auth(keys["acme"]),
                    "Content-Type": "application/json"})  # fmt: skip
    assert r.status_code == 200


def test_lying_content_length_is_caught_by_counting(fake: FakeMatcher, store: Store, keys) -> None:
    """An ASGI request that claims 10 bytes and streams 5,000 still gets 413."""
    app = create_app(fake, store, max_body_bytes=4096)
    body = big_brief(5000)
    sent: list[MutableMapping[str, Any]] = []

    async def run() -> None:
        parts = [body[i : i + 512] for i in range(0, len(body), 512)]
        messages = [{"type": "http.request", "body": p, "more_body": i < len(parts) - 1}
                    for i, p in enumerate(parts)]  # fmt: skip

        async def receive() -> dict[str, Any]:
            return messages.pop(0) if messages else {"type": "http.disconnect"}

        async def send(message: MutableMapping[str, Any]) -> None:
            sent.append(message)

        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                 "method": "POST", "scheme": "http", "path": "/v1/match", "raw_path": b"/v1/match",
                 "query_string": b"", "root_path": "", "client": ("127.0.0.1", 1),
                 "server": ("127.0.0.1", 80), "headers": [
                     (b"content-type", b"application/json"), (b"content-length", b"10"),
                     (b"authorization", f"Bearer {keys['acme']}".encode())]}  # fmt: skip
        await app(scope, receive, send)

    anyio.run(run)
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 413
    assert fake.briefs == []


def test_max_body_bytes_must_be_positive(fake: FakeMatcher, store: Store) -> None:
    with pytest.raises(ValueError, match="max_body_bytes must be >= 1, got 0"):
        create_app(fake, store, max_body_bytes=0)


# -- creators -----------------------------------------------------------------------------------


def test_creator_lookup(client: TestClient, keys) -> None:
    r = client.get("/v1/creators/c1", headers=auth(keys["acme"]))
    assert r.status_code == 200
    assert r.json()["handle"] == "runner_anna" and r.json()["followers"] == 25_000
    r = client.get("/v1/creators/nope", headers=auth(keys["acme"]))
    assert r.status_code == 404 and "nope" in r.json()["detail"]


# -- shortlists ---------------------------------------------------------------------------------


def save(client: TestClient, key: str, **body: Any) -> Any:
    return client.post("/v1/shortlists", json=body, headers=auth(key))


def test_shortlist_create_get_list(client: TestClient, keys) -> None:
    brief = {**BRIEF, "tiers": ["micro"]}
    r = save(client, keys["acme"], name="Spring", creator_ids=["c3", "c1"], brief=brief)
    assert r.status_code == 201, r.text
    saved = r.json()
    assert set(saved) == {"id", "name", "creator_ids", "brief", "created_at", "items"}
    assert saved["items"] is None  # ids alone: nothing else was shown
    assert saved["creator_ids"] == ["c3", "c1"] and saved["brief"] == brief
    assert r.headers["location"] == f"/v1/shortlists/{saved['id']}"
    got = client.get(f"/v1/shortlists/{saved['id']}", headers=auth(keys["acme"]))
    assert got.status_code == 200
    facts = got.json().pop("facts")  # one shortlist comes with its creators' facts today
    assert got.json() | {"facts": facts} == {**saved, "facts": facts}
    assert set(facts) == {"c3", "c1"} and facts["c1"]["followers"] == 25_000
    assert facts["c1"]["price"] == 900.0 and facts["c1"]["price_currency"] == "USD"
    gbp = save(client, keys["acme"], name="GBP", creator_ids=["c1"],
               brief={**BRIEF, "currency": "gbp"}).json()  # fmt: skip
    got = client.get(f"/v1/shortlists/{gbp['id']}", headers=auth(keys["acme"])).json()
    assert got["facts"]["c1"]["price_currency"] == "GBP"
    assert got["facts"]["c1"]["price"] == pytest.approx(convert(900.0, "USD", "GBP"), abs=0.01)
    other = save(client, keys["acme"], name="Plain", creator_ids=["c2"]).json()
    listed = client.get("/v1/shortlists", headers=auth(keys["acme"])).json()["shortlists"]
    assert [s["id"] for s in listed] == [other["id"], gbp["id"], saved["id"]]
    assert other["brief"] is None


def test_shortlist_unknown_creators_are_named(client: TestClient, keys) -> None:
    r = save(client, keys["acme"], name="x", creator_ids=["c1", "ghost", "c2", "phantom"])
    assert locs(r) == [["body", "creator_ids", 1], ["body", "creator_ids", 3]]
    msgs = " ".join(d["msg"] for d in r.json()["detail"])
    assert "'ghost'" in msgs and "'phantom'" in msgs


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"name": "x", "creator_ids": ["c1", "c1"]}, ["body", "creator_ids", 1]),
        ({"name": "", "creator_ids": ["c1"]}, ["body", "name"]),
        ({"name": "x", "creator_ids": []}, ["body", "creator_ids"]),
        ({"name": "x", "creator_ids": ["c1"], "brief": {**BRIEF, "goal": "viral"}},
         ["body", "brief", "goal"]),
        ({"name": "x", "creator_ids": ["c1"], "brief": {**BRIEF, "audience": {
            "gender": {"female": 0.9}}}}, ["body", "brief", "audience", "gender"]),
        ({"name": "x", "creator_ids": ["c1"], "colour": "red"}, ["body", "colour"]),
    ],
)  # fmt: skip
def test_shortlist_invalid_body_is_422(client: TestClient, keys, body: dict, loc: list) -> None:
    r = client.post("/v1/shortlists", json=body, headers=auth(keys["acme"]))
    assert locs(r) == [loc]


def test_other_workspaces_shortlist_is_404_exactly_like_a_missing_one(
    client: TestClient, keys
) -> None:
    sid = save(client, keys["acme"], name="Secret", creator_ids=["c1"]).json()["id"]
    for path in (f"/v1/shortlists/{sid}", f"/v1/shortlists/{sid}.csv"):
        assert client.get(path, headers=auth(keys["acme"])).status_code == 200
        theirs = client.get(path, headers=auth(keys["globex"]))
        missing = client.get(path.replace(sid, "doesnotexist"), headers=auth(keys["globex"]))
        assert theirs.status_code == missing.status_code == 404
        assert theirs.json()["detail"].replace(sid, "ID") == missing.json()["detail"].replace(
            "doesnotexist", "ID"
        )
    listed = client.get("/v1/shortlists", headers=auth(keys["globex"])).json()
    assert listed == {"shortlists": []}


def test_csv_export(client: TestClient, keys) -> None:
    sid = save(client, keys["acme"], name="Spring / EU", creator_ids=["c2", "c1", "c3"]).json()[
        "id"
    ]
    r = client.get(f"/v1/shortlists/{sid}.csv", headers=auth(keys["acme"]))
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"] == f'attachment; filename="Spring-EU-{sid}.csv"'
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [(row["rank"], row["creator_id"]) for row in rows] == [
        ("1", "c2"),
        ("2", "c1"),
        ("3", "c3"),
    ]
    anna = rows[1]
    assert anna == {"rank": "2", "creator_id": "c1", "handle": "runner_anna",
                    "platform": "instagram", "followers": "25000", "tier": "micro",
                    "engagement_rate": "0.051", "country": "US", "language": "en",
                    "price_per_post": "900.0", "score": "", "reasons": ""}  # fmt: skip
    assert rows[0]["handle"] == "'=HYPERLINK(evil)"  # no formula injection into spreadsheets
    assert rows[0]["tier"] == "emerging"
    assert rows[2]["handle"] == "" and rows[2]["followers"] == ""


ITEMS = [
    {"creator_id": "c2", "rank": 1, "score": 0.91, "reasons": ["=HYPERLINK(\"http://x\")", "ok"]},
    {"creator_id": "c1", "rank": 4, "score": 0.5, "reasons": ["writes about trails", "+1 budget"]},
    {"creator_id": "c3", "reasons": ["@SUM(A1)"]},
]  # fmt: skip


def test_shortlist_with_items_round_trips(client: TestClient, keys) -> None:
    r = save(client, keys["acme"], name="Ranked", items=ITEMS, brief=BRIEF)
    assert r.status_code == 201, r.text
    saved = r.json()
    assert saved["creator_ids"] == ["c2", "c1", "c3"]
    # a missing rank is the position; reasons are stored verbatim (the CSV writer neutralises)
    c3 = {"creator_id": "c3", "rank": 3, "score": None, "reasons": ["@SUM(A1)"]}
    assert saved["items"] == [ITEMS[0], ITEMS[1], c3]
    got = client.get(f"/v1/shortlists/{saved['id']}", headers=auth(keys["acme"])).json()
    assert set(got.pop("facts")) == {"c1", "c2", "c3"} and got == saved
    listed = client.get("/v1/shortlists", headers=auth(keys["acme"])).json()["shortlists"]
    assert listed == [saved]
    both = save(client, keys["acme"], name="Both", creator_ids=["c2", "c1", "c3"], items=ITEMS)
    assert both.status_code == 201 and both.json()["items"] == saved["items"]


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"name": "x"}, ["body", "creator_ids"]),
        ({"name": "x", "items": []}, ["body", "items"]),
        ({"name": "x", "creator_ids": ["c1", "c2"], "items": ITEMS[:2]}, ["body", "items"]),
        ({"name": "x", "items": [{"creator_id": "c1", "rank": 0}]}, ["body", "items", 0, "rank"]),
        ({"name": "x", "items": [{"creator_id": "c1", "score": "high"}]},
         ["body", "items", 0, "score"]),
        ({"name": "x", "items": [{"creator_id": "c1", "reasons": "fits"}]},
         ["body", "items", 0, "reasons"]),
        ({"name": "x", "items": [{"creator_id": "c1", "reasons": [1]}]},
         ["body", "items", 0, "reasons", 0]),
        ({"name": "x", "items": [{"creator_id": "c1", "reasons": ["x" * 1001]}]},
         ["body", "items", 0, "reasons", 0]),
        ({"name": "x", "items": [{"creator_id": "c1", "colour": "red"}]},
         ["body", "items", 0, "colour"]),
        ({"name": "x", "items": [{"rank": 1}]}, ["body", "items", 0, "creator_id"]),
        ({"name": "x", "items": ["c1"]}, ["body", "items", 0]),
        ({"name": "x", "items": [{"creator_id": "c1"}, {"creator_id": "c1"}]},
         ["body", "items", 1, "creator_id"]),
        ({"name": "x", "items": [{"creator_id": "c1"}, {"creator_id": "ghost"}]},
         ["body", "items", 1, "creator_id"]),
    ],
)  # fmt: skip
def test_shortlist_items_invalid_is_422(client: TestClient, keys, body: dict, loc: list) -> None:
    r = client.post("/v1/shortlists", json=body, headers=auth(keys["acme"]))
    assert locs(r) == [loc]
    assert client.get("/v1/shortlists", headers=auth(keys["acme"])).json() == {"shortlists": []}


def test_shortlist_item_score_must_be_finite(client: TestClient, keys) -> None:
    body = '{"name": "x", "items": [{"creator_id": "c1", "score": NaN}]}'
    r = client.post("/v1/shortlists", content=body, headers={**auth(keys["acme"]),
                    "Content-Type": "application/json"})  # fmt: skip
    assert locs(r) == [["body", "items", 0, "score"]]


def test_csv_export_carries_rank_score_and_reasons_safely(client: TestClient, keys) -> None:
    hostile = '=cmd|" /C calc"!A0 @evil'
    sid = save(client, keys["acme"], name=hostile, items=ITEMS).json()["id"]
    r = client.get(f"/v1/shortlists/{sid}.csv", headers=auth(keys["acme"]))
    assert r.status_code == 200
    disposition = r.headers["content-disposition"]
    assert disposition == f'attachment; filename="cmd-C-calc-A0-evil-{sid}.csv"'
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [(x["rank"], x["creator_id"], x["score"]) for x in rows] == [
        ("1", "c2", "0.91"), ("4", "c1", "0.5"), ("3", "c3", "")]  # fmt: skip
    assert rows[0]["reasons"] == '\'=HYPERLINK("http://x") | ok'  # a formula no more
    assert rows[1]["reasons"] == "writes about trails | +1 budget"  # not at the start: harmless
    assert rows[2]["reasons"] == "'@SUM(A1)"
    assert rows[0]["handle"] == "'=HYPERLINK(evil)"
    assert rows[1]["followers"] == "25000" and rows[1]["price_per_post"] == "900.0"
    for row in rows:  # no cell a spreadsheet would run
        assert not any(v.startswith(("=", "+", "-", "@")) for v in row.values())


def test_rename_shortlist(client: TestClient, keys) -> None:
    saved = save(client, keys["acme"], name="Draft", items=ITEMS[:1], brief=BRIEF).json()
    sid = saved["id"]
    r = client.patch(f"/v1/shortlists/{sid}", json={"name": "Final 🌱"}, headers=auth(keys["acme"]))
    assert r.status_code == 200, r.text
    assert r.json() == {**saved, "name": "Final 🌱"}
    got = client.get(f"/v1/shortlists/{sid}", headers=auth(keys["acme"])).json()
    assert got["name"] == "Final 🌱"


@pytest.mark.parametrize(
    ("body", "loc"),
    [({"name": ""}, ["body", "name"]), ({"name": "x" * 201}, ["body", "name"]),
     ({"name": 5}, ["body", "name"]), ({}, ["body", "name"]),
     ({"name": "x", "creator_ids": ["c1"]}, ["body", "creator_ids"])],
)  # fmt: skip
def test_rename_is_validated_like_create(client: TestClient, keys, body: dict, loc: list) -> None:
    sid = save(client, keys["acme"], name="Keep", creator_ids=["c1"]).json()["id"]
    assert locs(client.patch(f"/v1/shortlists/{sid}", json=body, headers=auth(keys["acme"]))) == [
        loc
    ]
    assert client.get(f"/v1/shortlists/{sid}", headers=auth(keys["acme"])).json()["name"] == "Keep"


def test_delete_shortlist(client: TestClient, store: Store, keys) -> None:
    sid = save(client, keys["acme"], name="Gone", creator_ids=["c1", "c2"]).json()["id"]
    keep = save(client, keys["acme"], name="Kept", creator_ids=["c1"]).json()["id"]
    assert store.set_feedback("acme", sid, "c1", "like")
    r = client.delete(f"/v1/shortlists/{sid}", headers=auth(keys["acme"]))
    assert r.status_code == 204 and r.content == b""
    for path in (f"/v1/shortlists/{sid}", f"/v1/shortlists/{sid}.csv",
                 f"/v1/shortlists/{sid}/feedback"):  # fmt: skip
        assert client.get(path, headers=auth(keys["acme"])).status_code == 404
    assert client.delete(f"/v1/shortlists/{sid}", headers=auth(keys["acme"])).status_code == 404
    listed = client.get("/v1/shortlists", headers=auth(keys["acme"])).json()["shortlists"]
    assert [x["id"] for x in listed] == [keep]
    assert store.workspace_feedback("acme") == []  # its votes went with it


def test_rename_and_delete_of_another_workspace_are_404_and_change_nothing(
    client: TestClient, keys
) -> None:
    sid = save(client, keys["acme"], name="Secret", creator_ids=["c1"]).json()["id"]
    h = auth(keys["globex"])
    for theirs, missing in (
        (client.patch(f"/v1/shortlists/{sid}", json={"name": "x"}, headers=h),
         client.patch("/v1/shortlists/doesnotexist", json={"name": "x"}, headers=h)),
        (client.delete(f"/v1/shortlists/{sid}", headers=h),
         client.delete("/v1/shortlists/doesnotexist", headers=h)),
    ):  # fmt: skip
        assert theirs.status_code == missing.status_code == 404
        assert theirs.json()["detail"].replace(sid, "ID") == missing.json()["detail"].replace(
            "doesnotexist", "ID"
        )
    got = client.get(f"/v1/shortlists/{sid}", headers=auth(keys["acme"]))
    assert got.status_code == 200 and got.json()["name"] == "Secret"


def test_shortlist_management_needs_a_key(client: TestClient, keys) -> None:
    sid = save(client, keys["acme"], name="x", creator_ids=["c1"]).json()["id"]
    assert client.patch(f"/v1/shortlists/{sid}", json={"name": "y"}).status_code == 401
    assert client.delete(f"/v1/shortlists/{sid}").status_code == 401
    bad = {"Authorization": "Bearer mk_nope"}
    assert client.delete(f"/v1/shortlists/{sid}", headers=bad).status_code == 401
    assert client.get(f"/v1/shortlists/{sid}", headers=auth(keys["acme"])).status_code == 200


@pytest.mark.parametrize(
    ("field", "loc"),
    [(None, []), ("k", ["k"]), ("tiers[1]", ["tiers", 1]),
     ("audience.age.18-24", ["audience", "age", "18-24"]), ("posts[2].likes", ["posts", 2, "likes"])],
)  # fmt: skip
def test_field_loc(field: str | None, loc: list[Any]) -> None:
    assert field_loc(field) == loc


# -- integration: the real matcher on a real index ------------------------------------------------


def sample_creators(tmp: Path) -> Path:
    """The first 200 creators of the sample catalogue (of the world one while it is missing)."""
    path = REPO / "datasets" / "sample" / "creators.jsonl"
    if not path.exists():
        # TODO: drop this fallback once datasets/sample/creators.jsonl is committed
        path = WORLD / "creators.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()[:200]
    out = tmp / "creators.jsonl"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def world_brief(i: int = 0) -> dict[str, Any]:
    sample = REPO / "datasets" / "sample" / "briefs.jsonl"
    path = sample if sample.exists() else WORLD / "briefs.jsonl"
    return dict(json.loads(path.read_text(encoding="utf-8").splitlines()[i]))


@pytest.fixture(scope="session")
def real_matcher(tmp_path_factory: pytest.TempPathFactory):
    from matcher.config import Settings
    from matcher.encoder import build_encoder
    from matcher.engine import Matcher
    from matcher.index import CreatorIndex
    from matcher.io import read_creators

    tmp = tmp_path_factory.mktemp("api-index")
    cache = REPO / ".cache" / "test-embeddings"
    creators = read_creators(sample_creators(tmp))
    enc = build_encoder(cache_dir=cache)
    idx = CreatorIndex.build(creators, enc, workdir=tmp / "work")
    idx.save(tmp / "index")
    idx.catalogue.close()
    m = Matcher.open(tmp / "index", Settings(cache_dir=str(cache)))
    return m, creators


@pytest.fixture
def real_client(real_matcher, store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(real_matcher[0], store)) as c:
        yield c


@pytest.mark.integration
def test_real_healthz(real_client: TestClient, real_matcher) -> None:
    m, creators = real_matcher
    h = real_client.get("/healthz").json()
    assert h["creators"] == len(creators)
    assert h["model_fingerprint"] == m.index.manifest.model_fingerprint
    assert h["ranker"] == m.ranker.name


@pytest.mark.integration
def test_real_match(real_client: TestClient, keys) -> None:
    brief = {**world_brief(0), "k": 5}
    r = real_client.post("/v1/match", json=brief, headers=auth(keys["acme"]))
    assert r.status_code == 200, r.text
    body = r.json()
    ShortlistOut.model_validate(body)
    assert body["brief_id"] == brief["brief_id"]
    assert [m["rank"] for m in body["matches"]] == [1, 2, 3, 4, 5]
    scores = [m["score"] for m in body["matches"]]
    assert scores == sorted(scores, reverse=True)
    for m in body["matches"]:
        assert set(m) >= {"creator_id", "rank", "score", "signals", "reasons"}
        assert set(m["signals"]) == set(SIGNALS)
        assert all(v is None or 0.0 <= v <= 1.0 for v in m["signals"].values())
        assert m["reasons"] and all(isinstance(x, str) and x for x in m["reasons"])
    for e in body["excluded"]:
        assert set(e) == {"creator_id", "why"} and e["why"]


@pytest.mark.integration
def test_real_invalid_brief(real_client: TestClient, keys) -> None:
    bad = {**world_brief(0), "goal": "viral", "tiers": ["giga"], "k": 0}
    r = real_client.post("/v1/match", json=bad, headers=auth(keys["acme"]))
    assert sorted(map(str, locs(r))) == sorted(
        map(str, [["body", "goal"], ["body", "tiers", 0], ["body", "k"]])
    )
    bad = {**world_brief(0), "audience": {"gender": {"female": 0.2, "male": 0.2}}}
    r = real_client.post("/v1/match", json=bad, headers=auth(keys["acme"]))
    assert locs(r) == [["body", "audience", "gender"]]


@pytest.mark.integration
def test_real_shortlist_and_csv(real_client: TestClient, real_matcher, keys) -> None:
    _, creators = real_matcher
    r = real_client.post("/v1/match", json={**world_brief(1), "k": 3}, headers=auth(keys["acme"]))
    ids = [m["creator_id"] for m in r.json()["matches"]]
    r = real_client.post("/v1/shortlists", headers=auth(keys["acme"]),
                         json={"name": "Launch", "creator_ids": ids, "brief": world_brief(1)})  # fmt: skip
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    rows = list(csv.DictReader(io.StringIO(
        real_client.get(f"/v1/shortlists/{sid}.csv", headers=auth(keys["acme"])).text)))  # fmt: skip
    by_id = {c.creator_id: c for c in creators}
    assert [row["creator_id"] for row in rows] == ids
    for row in rows:
        c = by_id[row["creator_id"]]
        assert row["followers"] == ("" if c.followers is None else str(c.followers))
        assert row["tier"] == (c.tier or "")
        assert row["handle"] == (c.handle or "")
    assert (
        real_client.get(f"/v1/shortlists/{sid}.csv", headers=auth(keys["globex"])).status_code
        == 404
    )
    r = real_client.post("/v1/shortlists", headers=auth(keys["acme"]),
                         json={"name": "x", "creator_ids": [ids[0], "no-such-creator"]})  # fmt: skip
    assert locs(r) == [["body", "creator_ids", 1]]


@pytest.mark.integration
def test_real_creator(real_client: TestClient, real_matcher, keys) -> None:
    c = real_matcher[1][0]
    r = real_client.get(f"/v1/creators/{c.creator_id}", headers=auth(keys["acme"]))
    assert r.status_code == 200 and r.json()["creator_id"] == c.creator_id
    assert real_client.get("/v1/creators/zzz-none", headers=auth(keys["acme"])).status_code == 404


# -- integration: a live uvicorn server over real HTTP ----------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live(real_matcher, store: Store, keys) -> Iterator[str]:
    import uvicorn

    port = free_port()
    app = create_app(real_matcher[0], store, max_body_bytes=8192)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.mark.integration
def test_live_server_limits_chunked_and_concurrent_requests(live: str, keys) -> None:
    headers = {**auth(keys["acme"]), "Content-Type": "application/json"}
    data = big_brief(20_000)

    def chunks() -> Iterator[bytes]:
        for i in range(0, len(data), 1024):
            yield data[i : i + 1024]

    with httpx.Client(base_url=live, timeout=30) as http:
        r = http.post("/v1/match", content=chunks(), headers=headers)
        assert r.status_code == 413
        r = http.post("/v1/match", content=data, headers=headers)
        assert r.status_code == 413
        assert http.get("/healthz").status_code == 200

    results: list[int] = []

    def one(i: int) -> None:
        with httpx.Client(base_url=live, timeout=60) as http:
            r = http.post("/v1/match", json={**world_brief(i), "k": 5}, headers=headers)
            results.append(r.status_code)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert results == [200] * 6
