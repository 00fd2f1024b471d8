"""The lookup files (matcher.lookups): ids and sponsor search texts read by row from a memory
map give what SQLite holds; an index without them, or with them damaged, is handled."""

from __future__ import annotations

import json
import shutil
from datetime import date

import numpy as np
import pytest
from conftest import SAMPLE

from matcher.brands import BrandMatcher
from matcher.competitor_search import needles
from matcher.engine import Matcher
from matcher.errors import IndexMismatchError
from matcher.index import CreatorIndex
from matcher.io import read_briefs
from matcher.lookups import IDS, SEARCH, Strings, write
from matcher.serve.facts import shortlist_json

AS_OF = date(2026, 11, 24)


def test_values_read_back_by_row_with_rows_left_out(tmp_path):
    path = tmp_path / "s.bin"
    write(path, [(0, "a"), (2, ""), (3, "crème brûlée ☕"), (6, "x" * 5000)], 8)
    s = Strings(path, 8)
    assert s.take([0, 1, 2, 3, 4, 5, 6, 7]) == [
        "a", None, "", "crème brûlée ☕", None, None, "x" * 5000, None,
    ]  # fmt: skip
    assert s.take(np.array([6, 0, 0])) == ["x" * 5000, "a", "a"] and s.take([]) == []


@pytest.mark.parametrize("pairs", [[(1, "a"), (0, "b")], [(0, "a"), (0, "b")], [(3, "a")]])
def test_rows_out_of_order_or_past_the_count_are_refused(tmp_path, pairs):
    with pytest.raises(ValueError, match="out of order or past 3"):
        write(tmp_path / "s.bin", pairs, 3)


def test_a_file_of_another_length_or_kind_is_refused(tmp_path):
    path = tmp_path / "s.bin"
    write(path, [(0, "abc")], 2)
    with pytest.raises(ValueError, match="holds 2 rows, the manifest says 3"):
        Strings(path, 3)
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(ValueError, match="cut short"):
        Strings(path, 2)
    path.write_bytes(b"not a lookup file at all")
    with pytest.raises(ValueError, match="not a matcher lookup file"):
        Strings(path, 2)


def test_the_files_hold_what_sqlite_holds(sample_index_dir):
    idx = CreatorIndex.load(sample_index_dir)
    db = idx.catalogue
    assert db.id_lookup is not None and db.search_lookup is not None
    rows = np.random.default_rng(3).permutation(len(idx))[:300]
    matcher = BrandMatcher(["Salomon", "Hoka", "CeraVe", "Gymshark", "Glossier"])
    fast_ids, fast_texts = db.ids(rows), db.sponsor_texts(rows, needles(matcher))
    db.id_lookup = db.search_lookup = None  # as an index without the files reads them
    assert fast_ids == db.ids(rows)
    slow = db.sponsor_texts(rows, needles(matcher))
    assert fast_texts == slow and any(slow.values()) and None in slow.values()
    db.close()


def test_an_index_without_the_files_ranks_the_same(sample_index_dir, tmp_path):
    old = tmp_path / "old"
    shutil.copytree(sample_index_dir, old)
    (old / IDS).unlink()
    (old / SEARCH).unlink()
    new, before = (Matcher.open(p, ranker="weighted", as_of=AS_OF) for p in (sample_index_dir, old))
    assert before.index.catalogue.id_lookup is None
    for b in read_briefs(SAMPLE / "briefs.jsonl"):
        a, z = new.recommend(b, 10), before.recommend(b, 10)
        assert json.dumps(shortlist_json(new, a, b.currency), default=str) == json.dumps(
            shortlist_json(before, z, b.currency), default=str
        )


@pytest.mark.parametrize("name", [IDS, SEARCH])
def test_a_damaged_lookup_file_is_reported(sample_index_dir, tmp_path, name):
    bad = tmp_path / "bad"
    shutil.copytree(sample_index_dir, bad)
    data = (bad / name).read_bytes()
    (bad / name).write_bytes(data[: len(data) // 2])
    with pytest.raises(IndexMismatchError, match="damaged|rebuild"):
        CreatorIndex.load(bad)
