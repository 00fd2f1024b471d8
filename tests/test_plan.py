"""The campaign mix planner: an exact knapsack under the budget (checked against brute force on
cases with a known optimum), the hybrid reach/conversion mix, the greedy baseline it beats, and
the library, CLI and HTTP API on the real sample index with a GBP brief."""

from __future__ import annotations

import dataclasses
import itertools
import json
from pathlib import Path

import httpx
import numpy as np
import pytest
from serving import CACHE, REPO, run_matcher, running_server

from matcher.errors import MatcherError
from matcher.money import convert
from matcher.plan import InfeasibleMix, PlannedCreator, choose, greedy, knapsack


def _brute(values, costs, budget, at_least=(), max_creators=None):  # type: ignore[no-untyped-def]
    best, best_set = -1.0, ()
    for r in range(len(values) + 1):
        if max_creators is not None and r > max_creators:
            break
        for s in itertools.combinations(range(len(values)), r):
            if sum(costs[i] for i in s) > budget:
                continue
            if any(sum(members[i] for i in s) < k for members, k in at_least):
                continue
            v = sum(values[i] for i in s)
            if v > best + 1e-12:
                best, best_set = v, s
    return best, best_set


@pytest.mark.parametrize("seed", range(40))
def test_the_knapsack_finds_the_brute_force_optimum(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(4, 11))
    values = list(rng.uniform(0.1, 10, n))
    costs = list(np.round(rng.uniform(50, 5_000, n), 2))
    budget = float(np.round(rng.uniform(0.2, 0.7) * sum(costs), 2))
    reach = [bool(x) for x in rng.integers(0, 2, n)]
    at_least = [(reach, 1), ([not r for r in reach], 1)] if seed % 2 else []
    cap = int(rng.integers(1, n)) if seed % 3 == 0 else None
    want, _ = _brute(values, costs, budget, at_least, cap)
    if want < 0:  # no set meets the mix: the solver must say so
        with pytest.raises(InfeasibleMix):
            knapsack(values, costs, budget, at_least=at_least, max_creators=cap)
        return
    got = knapsack(values, costs, budget, at_least=at_least, max_creators=cap)
    assert sum(costs[i] for i in got) <= budget  # the budget, exactly
    assert sum(values[i] for i in got) == pytest.approx(want, rel=1e-9)
    assert cap is None or len(got) <= cap


def _item(i: int, cost: float, value: float, tier: str = "micro") -> PlannedCreator:
    role = "reach" if tier in ("macro", "mega") else "conversion"
    return PlannedCreator(f"c{i}", None, tier, 50_000, "instagram", cost, False, 50_000.0,
                          3_900.0, value, 1.0 - i / 100, i + 1, role)  # fmt: skip


def test_a_known_optimum_that_greedy_by_rank_misses() -> None:
    """Budget 10,000: the best-ranked creator costs 6,000 (value 10), the next two 5,000 each
    (value 9 each). Greedy by rank takes the first and cannot afford another (value 10); the
    optimum is the two others together (value 18), spending the budget exactly."""
    items = [_item(0, 6_000, 10.0), _item(1, 5_000, 9.0), _item(2, 5_000, 9.0)]
    chosen, note = choose(items, 10_000.0, "conversion")
    assert sorted(chosen) == [1, 2] and note is None
    assert sum(items[i].cost for i in chosen) == 10_000.0
    assert greedy([c.cost for c in items], 10_000.0) == [0]


def test_a_hybrid_plan_mixes_reach_and_conversion_when_the_budget_allows() -> None:
    items = [_item(0, 1_000, 5.0), _item(1, 1_000, 5.0), _item(2, 1_000, 5.0),
             _item(3, 2_500, 4.0, "macro"), _item(4, 900, 0.5, "nano")]  # fmt: skip
    chosen, note = choose(items, 4_500.0, "hybrid")  # value alone: 0, 1, 2 (+ 4) = 15.5
    assert 3 in chosen and note is None  # the mix needs the macro creator
    assert sum(items[i].role == "conversion" for i in chosen) >= 2
    chosen, note = choose(items, 2_000.0, "hybrid")  # cannot buy a macro and two others
    assert 3 not in chosen and note is not None and "hybrid mix" in note


def test_greedy_respects_max_creators() -> None:
    assert greedy([1, 1, 1], 10, max_creators=2) == [0, 1]


# -- the real thing ------------------------------------------------------------------------------

GBP_BRIEF = {
    "brief_id": "gbp-trail", "brand": "Trailhead", "category": "Trail running footwear",
    "description": "Trail running shoes for long technical mountain days: runners who log dirt "
    "miles and whose followers trust their gear advice.",
    "goal": "hybrid", "budget": 12_000, "currency": "GBP", "competitors": ["HOKA"],
}  # fmt: skip


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("plan")
    out = tmp / "index"
    run_matcher("index", "--creators", str(REPO / "datasets" / "sample" / "creators.jsonl"),
                "--out", str(out), "--cache-dir", CACHE, "--quiet")  # fmt: skip
    return out


@pytest.mark.integration
def test_a_gbp_plan_uses_stated_prices_in_gbp_and_keeps_to_the_budget(index: Path) -> None:
    from matcher.config import Settings
    from matcher.engine import Matcher
    from matcher.plan import list_cost, plan
    from matcher.schema import Brief

    m = Matcher.open(index, Settings(cache_dir=CACHE))
    brief = Brief(**{k: v for k, v in GBP_BRIEF.items() if k != "competitors"},
                  competitors=("HOKA",))  # fmt: skip
    p = plan(m, brief)
    d = p.to_dict()
    assert d["currency"] == "GBP" and d["creators"] and d["total_cost"] <= 12_000
    stated = 0
    for c in p.creators:
        creator = m.creator(c.creator_id)
        assert creator is not None
        if creator.price_per_post is not None:  # the creator's own price, converted to GBP
            stated += 1
            assert not c.cost_estimated
            want = convert(creator.price_per_post, creator.currency, "GBP")
            assert c.cost == pytest.approx(want, abs=0.01)
        else:
            assert c.cost_estimated
    assert stated > 0
    assert d["value"] >= d["baseline"]["value"] - 1e-9  # never worse than greedy by rank
    assert sum(c.role == "reach" for c in p.creators) >= 1  # hybrid: reach ...
    assert sum(c.role == "conversion" for c in p.creators) >= 2  # ... and conversion
    with pytest.raises(MatcherError, match="no budget"):
        plan(m, dataclasses.replace(brief, budget=None))
    smaller = plan(m, brief, budget=3_000.0, max_creators=3)
    assert smaller.total_cost <= 3_000 and len(smaller.creators) <= 3
    # a plan's own total is the shortlist total of its creators
    total, estimated, unknown = list_cost(m, brief, [c.creator_id for c in p.creators])
    assert total == pytest.approx(p.total_cost, abs=0.01) and unknown == 0
    assert estimated == sum(c.cost_estimated for c in p.creators)


@pytest.mark.integration
def test_the_cli_and_the_api_answer_the_plan_contract(index: Path, tmp_path: Path) -> None:
    brief = tmp_path / "brief.json"
    brief.write_text(json.dumps(GBP_BRIEF), encoding="utf-8")
    out = run_matcher("plan", "--index", str(index), "--brief", str(brief), "--budget", "5000",
                      "--format", "json", "--cache-dir", CACHE, "--quiet").stdout  # fmt: skip
    cli = json.loads(out)
    for key in ("creators", "total_cost", "currency", "est_reach"):
        assert key in cli
    assert cli["currency"] == "GBP" and 0 < cli["total_cost"] <= 5_000 and cli["budget"] == 5_000
    table = run_matcher("plan", "--index", str(index), "--brief", str(brief),
                        "--cache-dir", CACHE, "--quiet").stdout  # fmt: skip
    assert "hybrid plan, budget GBP 12,000" in table
    shortlist = run_matcher("match", "--index", str(index), "--brief", str(brief), "--k", "5",
                            "--cache-dir", CACHE, "--quiet").stdout  # fmt: skip
    assert "one post from each of these 5: GBP " in shortlist

    key = run_matcher("keys", "create", "--workspace", "plan", "--index", str(index))
    auth = {"Authorization": f"Bearer {key.stdout.strip().splitlines()[-1]}"}
    with running_server(index, tmp_path / "server.log") as base:
        r = httpx.post(f"{base}/v1/plan", json={"brief": GBP_BRIEF, "budget": 5000},
                       headers=auth, timeout=120)  # fmt: skip
        assert r.status_code == 200, r.text
        assert [c["creator_id"] for c in r.json()["creators"]] == [
            c["creator_id"] for c in cli["creators"]
        ]  # the same plan through both doors
        bad = httpx.post(f"{base}/v1/plan", json={"brief": {**GBP_BRIEF, "budget": -1},
                                                  "budget": 0}, headers=auth, timeout=60)  # fmt: skip
        assert bad.status_code == 422
        fields = {tuple(p["loc"]) for p in bad.json()["detail"]}
        assert ("body", "budget") in fields and ("body", "brief", "budget") in fields
        assert httpx.post(f"{base}/v1/plan", json={"brief": GBP_BRIEF}).status_code == 401
        nobudget = {k: v for k, v in GBP_BRIEF.items() if k != "budget"}
        r = httpx.post(f"{base}/v1/plan", json={"brief": nobudget}, headers=auth, timeout=60)
        assert r.status_code == 400 and "budget" in r.text
    bad_cli = run_matcher_failing("plan", "--index", str(index), "--brief", str(brief),
                                  "--budget", "-5")  # fmt: skip
    assert "--budget must be > 0" in bad_cli


def run_matcher_failing(*args: str) -> str:
    import subprocess

    from serving import ENV, MATCHER

    done = subprocess.run([*MATCHER, *args], capture_output=True, text=True, env=ENV, cwd=REPO,
                          check=False, timeout=300)  # fmt: skip
    assert done.returncode != 0
    return done.stderr
