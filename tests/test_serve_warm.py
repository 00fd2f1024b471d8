"""Warming a matcher up before it serves (matcher.serve.warm); the real one is checked in
test_same_ranking (a served matcher's TreeSHAP tables exist before its first request)."""

from __future__ import annotations

import logging

from matcher.schema import Brief
from matcher.serve.warm import warm_up


class Recorder:
    def __init__(self, fail: bool = False) -> None:
        self.briefs: list[Brief] = []
        self.fail = fail

    def recommend(self, brief: Brief) -> None:
        self.briefs.append(brief)
        if self.fail:
            raise KeyError("no such column")


def test_the_warm_up_brief_is_recommended_twice_and_takes_the_competitor_path():
    m = Recorder()
    warm_up(m)
    assert len(m.briefs) == 2 and m.briefs[0] == m.briefs[1]
    assert m.briefs[0].competitors and m.briefs[0].tone and m.briefs[0].budget


def test_a_failed_warm_up_is_logged_and_the_matcher_still_serves(caplog):
    m = Recorder(fail=True)
    with caplog.at_level(logging.WARNING):
        warm_up(m)  # no exception
    assert len(m.briefs) == 1
    assert "warming the matcher up failed (KeyError" in caplog.text
