"""Concurrent briefs: the server does not serialise them, and the engine answers each as alone.

* unit: two /v1/match requests that can only finish together (a barrier in a fake matcher) both
  finish, which they could not if requests were queued behind one lock; an index swap (the
  write side of the lock) waits for the requests in flight;
* integration (real model, FAISS, SQLite, a real `matcher serve`): briefs answered on many
  threads at once, with caches small enough to be cleared under them, give exactly the
  shortlists they give one at a time.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from conftest import SAMPLE, TEST_CACHE
from fastapi.testclient import TestClient
from serving import sample_server

from matcher.schema import Brief, Creator, Match, Shortlist
from matcher.serve.app import create_app
from matcher.serve.store import Store

BRIEF = {"brand": "Trailhead", "description": "Lightweight trail running shoes"}


class MeetingMatcher:
    """A fake matcher whose ``recommend`` returns only once ``parties`` calls are inside it."""

    def __init__(self, parties: int) -> None:
        self.barrier = threading.Barrier(parties, timeout=10)
        self.index = SimpleNamespace(manifest=SimpleNamespace(count=1, model="m",
                                                              model_fingerprint="fp"))  # fmt: skip
        self.ranker = SimpleNamespace(name="weighted")
        self.inside = 0
        self.events: list[str] = []

    def recommend(self, brief: Brief, k: int | None = None) -> Shortlist:
        self.inside += 1
        self.barrier.wait()  # BrokenBarrierError (a 500) when the other request never comes
        self.events.append("answered")
        match = Match("c1", 1, 0.5, {}, {}, ("fits",))
        return Shortlist(brief.brief_id, (match,), (), "weighted")

    def creator(self, creator_id: str) -> Creator | None:
        return Creator("c1") if creator_id == "c1" else None


@pytest.fixture
def meeting(store: Store) -> Iterator[tuple[TestClient, MeetingMatcher]]:
    fake = MeetingMatcher(parties=2)
    with TestClient(create_app(fake, store, concurrency=2)) as c:  # type: ignore[arg-type]
        yield c, fake


def test_past_the_concurrency_briefs_wait_their_turn(store: Store, keys) -> None:
    fake = MeetingMatcher(parties=2)
    fake.barrier = threading.Barrier(2, timeout=1)
    headers = {"Authorization": f"Bearer {keys['acme']}"}
    app = create_app(fake, store, concurrency=1)  # type: ignore[arg-type]
    with TestClient(app, raise_server_exceptions=False) as c, ThreadPoolExecutor(2) as pool:
        replies = list(pool.map(lambda _: c.post("/v1/match", json=BRIEF, headers=headers),
                                range(2)))  # fmt: skip
    # one at a time: neither meets the other at the barrier
    assert [r.status_code for r in replies] == [500, 500]


def test_default_concurrency_shares_the_cores_out(monkeypatch) -> None:
    import os

    from matcher.serve.app import default_concurrency

    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert [default_concurrency(w) for w in (1, 2, 3, 8, 16)] == [8, 4, 2, 1, 1]
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert default_concurrency(1) == 1


def test_two_briefs_are_answered_at_the_same_time(meeting, keys) -> None:
    client, _ = meeting
    headers = {"Authorization": f"Bearer {keys['acme']}"}
    with ThreadPoolExecutor(2) as pool:
        replies = list(pool.map(lambda _: client.post("/v1/match", json=BRIEF, headers=headers),
                                range(2)))  # fmt: skip
    assert [r.status_code for r in replies] == [200, 200]


def test_an_index_swap_waits_for_the_briefs_in_flight(meeting, keys) -> None:
    client, fake = meeting
    fake.barrier = threading.Barrier(2, timeout=10)  # this test and one request
    lock = client.app.state.services.lock  # type: ignore[attr-defined]
    headers = {"Authorization": f"Bearer {keys['acme']}"}
    events = fake.events

    def brief() -> None:
        assert client.post("/v1/match", json=BRIEF, headers=headers).status_code == 200

    def swap() -> None:
        with lock.write_lock():
            events.append("swapped")

    t = threading.Thread(target=brief)
    t.start()
    deadline = time.monotonic() + 10
    while fake.inside == 0 and time.monotonic() < deadline:  # the request is in recommend
        time.sleep(0.01)
    s = threading.Thread(target=swap)
    s.start()
    time.sleep(0.2)
    assert events == []  # the swap waits for the request holding the read side
    fake.barrier.wait()  # let the request finish
    t.join(10)
    s.join(10)
    assert events == ["answered", "swapped"]


# -- the real engine and server -----------------------------------------------------------------


def _briefs(n: int) -> list[Brief]:
    from matcher.io import read_briefs

    briefs = read_briefs(SAMPLE / "briefs.jsonl")
    # new texts: encoded (and written to the embedding cache) by threads at the same time
    stamp = f"{time.time_ns()}"
    return [dataclasses.replace(briefs[i % len(briefs)], brief_id=f"b{i}",
                                description=f"{briefs[i % len(briefs)].description} ({stamp} {i})")
            for i in range(n)]  # fmt: skip


@pytest.mark.integration
def test_threads_get_the_shortlists_briefs_get_alone(sample_index_dir: Path) -> None:
    from matcher.config import Settings
    from matcher.engine import Matcher

    alone = Matcher.open(sample_index_dir, Settings(cache_dir=TEST_CACHE), ranker="auto")
    briefs = _briefs(12)
    expected = {b.brief_id: alone.recommend(b).to_dict() for b in briefs}

    shared = Matcher.open(sample_index_dir, Settings(cache_dir=TEST_CACHE), ranker="auto")
    shared.index.catalogue.cache_max = 150  # cleared again and again while threads read it
    shared._events.max_size = 100
    with ThreadPoolExecutor(6) as pool:
        got = list(pool.map(lambda b: (b.brief_id, shared.recommend(b).to_dict()), briefs * 3))
    assert len(got) == 36
    for brief_id, shortlist in got:
        assert shortlist == expected[brief_id], brief_id


@pytest.mark.integration
def test_a_real_server_answers_concurrent_briefs_as_it_answers_one(tmp_path: Path) -> None:
    bodies: list[dict[str, Any]] = [
        {**BRIEF, "brief_id": f"r{i}", "description": f"{d} ({time.time_ns()})", "k": 5}
        for i, d in enumerate(["trail running shoes", "vegan skincare for sensitive skin",
                               "budget travel in south-east Asia", "mechanical keyboards",
                               "home espresso and latte art", "beginner strength training"])
    ]  # fmt: skip
    with (
        sample_server(tmp_path, "conc-test", n=300) as (base, key),
        httpx.Client(
            base_url=base, timeout=120, headers={"Authorization": f"Bearer {key}"}
        ) as http,
    ):
        with ThreadPoolExecutor(8) as pool:
            together = list(pool.map(lambda b: http.post("/v1/match", json=b), bodies * 3))
        alone = [http.post("/v1/match", json=b) for b in bodies]
    assert all(r.status_code == 200 for r in together + alone)
    by_id = {r.json()["brief_id"]: r.json() for r in alone}
    for r in together:
        assert r.json() == by_id[r.json()["brief_id"]]
