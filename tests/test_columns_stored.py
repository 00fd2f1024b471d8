"""columns.npy stores the audience shares as uint16 ten-thousandths: read back, a share of up to
4 decimals is the float the creator gives to the last bit; any other share leaves its record
read from the creator; an index with the older float64 layout still loads and ranks the same."""

from __future__ import annotations

import json
import shutil
from datetime import date

import numpy as np
from conftest import SAMPLE

from matcher import columns
from matcher.engine import Matcher
from matcher.io import read_briefs
from matcher.schema import Audience, Creator
from matcher.serve.facts import shortlist_json

AS_OF = date(2026, 11, 1)


def _creator(i: int, share: float) -> Creator:
    rest = max(round(1 - share, 4), 0.0)
    return Creator(
        f"c{i}",
        followers=20_000,
        audience=Audience(
            age={"18-24": share, "25-34": rest},
            gender={"female": share, "male": rest},
            countries={"US": share, "GB": rest},
        ),
    )


def test_shares_of_up_to_four_decimals_read_back_to_the_last_bit() -> None:
    rng = np.random.default_rng(0)
    places = rng.integers(0, 5, 3000)
    shares = [round(float(x), int(d)) for x, d in zip(rng.random(3000), places, strict=True)]
    shares += [0.0, 1.0, 0.0001, 0.9999, 6.5535]
    cols = columns.of_creators([_creator(i, s) for i, s in enumerate(shares)])
    stored = columns.narrow(cols)
    assert stored.dtype == columns.STORED and stored.dtype.itemsize < cols.dtype.itemsize / 1.8
    assert stored["exact"].all()
    back = columns.widen(stored)
    assert back.dtype == columns.DTYPE
    for name in columns.DTYPE.names:
        assert back[name].tobytes() == cols[name].tobytes(), name


def test_other_shares_leave_their_record_read_from_the_creator() -> None:
    odd = [0.12345, 6.5536, -0.25, 1 / 3]  # 5 decimals, past uint16, negative, a third
    cols = columns.of_creators(
        [_creator(0, 0.25)] + [_creator(i + 1, s) for i, s in enumerate(odd)]
    )
    stored = columns.narrow(cols)
    assert stored["exact"].tolist() == [True, False, False, False, False]
    assert columns.narrow(stored) is stored  # already stored: as it is
    assert columns.widen(cols) is cols


def test_an_index_of_float64_columns_loads_and_ranks_the_same(sample_index_dir, tmp_path):
    assert np.load(sample_index_dir / "columns.npy", mmap_mode="r").dtype == columns.STORED
    old = tmp_path / "old-index"
    shutil.copytree(sample_index_dir, old)
    np.save(old / "columns.npy", columns.widen(np.load(old / "columns.npy")))  # as written before
    new, before = (Matcher.open(p, ranker="weighted", as_of=AS_OF) for p in (sample_index_dir, old))
    assert before.index.columns is not None and before.index.columns.dtype == columns.DTYPE
    for b in read_briefs(SAMPLE / "briefs.jsonl"):
        a, z = new.recommend(b, 10), before.recommend(b, 10)
        assert json.dumps(shortlist_json(new, a, b.currency), default=str) == json.dumps(
            shortlist_json(before, z, b.currency), default=str
        )
