"""Incremental index updates (``matcher index --update/--remove``, :mod:`matcher.update`).

The reference is always a full build of the resulting creators, in the updated index's row
order: the update must rank every brief exactly as it does. Unit tests use the FakeEncoder;
the integration tests run the real `matcher` command, model, FAISS, SQLite and server.
"""

from __future__ import annotations

import dataclasses
import json
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import fasteners
import numpy as np
import pytest
from conftest import ROOT, SAMPLE, FakeEncoder, sample_creators

from matcher import lexical_counts
from matcher.config import Settings
from matcher.engine import Matcher
from matcher.errors import IndexMismatchError, MatcherError, ValidationError
from matcher.index import CreatorIndex, build_and_save, profile_text, voice_text
from matcher.io import read_briefs
from matcher.pricing import PriceModel
from matcher.ranking import WeightedRanker
from matcher.update import Removal, read_removals, update_index

N = 200  # creators in the index before an update


class CountingEncoder(FakeEncoder):
    """The FakeEncoder, remembering every text it was asked to encode."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def encode(self, texts, *, progress: bool = False) -> np.ndarray:  # type: ignore[no-untyped-def]
        self.texts.extend(texts)
        return super().encode(texts, progress=progress)


def changes() -> tuple[list, list[Removal], list]:
    """(creators to give, removals, every sample creator by id as the update leaves them)."""
    pool = sample_creators(N + 60)
    by_id = {c.creator_id: c for c in pool[:N]}
    followers_only = [dataclasses.replace(c, followers=(c.followers or 0) + 7) for c in pool[5:10]]
    new_text = [dataclasses.replace(c, bio=c.bio + " now all about sourdough") for c in pool[20:25]]
    added = pool[N : N + 60]
    unchanged = pool[40:50]
    removals = [Removal(c.creator_id, i + 1) for i, c in enumerate(pool[100:130] + pool[190:195])]
    for c in followers_only + new_text + added:
        by_id[c.creator_id] = c
    for r in removals:
        del by_id[r.creator_id]
    return followers_only + new_text + added + unchanged, removals, list(by_id.values())


def full_build_like(updated: Path, by_id: dict, enc, out: Path, index_type: str = "flat") -> Path:
    """A full build of the creators of the updated index, in its row order."""
    idx = CreatorIndex.load(updated)
    order = idx.catalogue.all_ids()
    idx.catalogue.close()
    return build_and_save([by_id[i] for i in order], enc, out, index_type=index_type,
                          vectors="float32")  # fmt: skip


def shortlists(index_dir: Path, enc) -> list[list[tuple[str, float]]]:
    s = Settings()
    idx = CreatorIndex.load(index_dir, fingerprint=enc.fingerprint)
    m = Matcher(idx, enc, s, WeightedRanker(s.weights, s.unknown_value))
    out = []
    for brief in read_briefs(SAMPLE / "briefs.jsonl"):
        sl = m.recommend(brief)
        out.append([(x.creator_id, x.score) for x in sl.matches])
        out.append([(e.creator_id, 0.0) for e in sl.excluded])
    idx.catalogue.close()
    return out


def assert_same_rankings(a: list, b: list) -> None:
    assert sum(len(x) for x in a) > 50  # briefs that find creators
    for x, y in zip(a, b, strict=True):
        assert [i for i, _ in x] == [i for i, _ in y]
        assert np.allclose([s for _, s in x], [s for _, s in y], atol=1e-6, rtol=0)


# -- the update equals a full build ------------------------------------------------------------


@pytest.mark.parametrize("index_type", ["flat", "hnsw"])
def test_update_ranks_exactly_like_a_full_build(tmp_path, index_type):
    enc = CountingEncoder()
    out = tmp_path / "idx"
    # float32: an update of int8 rows keeps the old scales, a full build takes new ones
    # (tests/test_vectors.py)
    build_and_save(sample_creators(N), enc, out, index_type=index_type, vectors="float32")
    given, removals, result = changes()
    enc.texts.clear()
    rep = update_index(out, enc, creators=given, removals=removals + [Removal("ghost", 99)])
    assert (rep.added, rep.changed, rep.unchanged, rep.removed) == (60, 10, 10, 35)
    assert rep.embedded == 65  # the 5 followers-only changes kept their vectors
    assert [r.creator_id for r in rep.unknown] == ["ghost"] and rep.count == N + 60 - 35
    full = full_build_like(out, {c.creator_id: c for c in result}, enc, tmp_path / "full",
                           index_type)  # fmt: skip
    a, b = CreatorIndex.load(out), CreatorIndex.load(full)
    for name in ("content", "voice", "voice_known"):
        assert np.array_equal(np.asarray(getattr(a, name)), np.asarray(getattr(b, name))), name
    assert a.columns is not None and b.columns is not None
    assert np.asarray(a.columns).tobytes() == np.asarray(b.columns).tobytes()  # the records too
    # and the sponsor search texts
    assert list(a.catalogue.by_row("search")) == list(b.catalogue.by_row("search"))
    for name in ("ids.bin", "search.bin"):  # and the lookup files made from the catalogue
        assert (out / name).read_bytes() == (full / name).read_bytes()
    assert a.manifest.count == b.manifest.count == rep.count
    assert a.manifest.prices == b.manifest.prices and a.manifest.index_type == index_type
    assert a.manifest.created_at > b.manifest.created_at - 60
    for q in ("vegan recipes for students", "sourdough", "gaming setup", "skincare routine"):
        assert np.array_equal(a.lexical.scores(q), b.lexical.scores(q))  # type: ignore[union-attr]
    assert_same_rankings(shortlists(out, enc), shortlists(full, enc))


def test_updated_prices_are_refitted_over_the_new_catalogue(tmp_path):
    """Enough new stated prices move the fit: the manifest's prices follow the catalogue."""
    enc = FakeEncoder()
    out = tmp_path / "idx"
    base = sample_creators(N)
    build_and_save(base, enc, out)
    priced = [dataclasses.replace(c, creator_id=f"p{i}", followers=20_000 + 100 * i,
                                  price_per_post=float(5_000 + 10 * i), platform="tiktok")
              for i, c in enumerate(sample_creators(80))]  # fmt: skip
    before = CreatorIndex.load(out).manifest.prices
    update_index(out, enc, creators=priced)
    after = CreatorIndex.load(out).manifest.prices
    full = build_and_save(base + priced, enc, tmp_path / "full")
    assert after != before and after == CreatorIndex.load(full).manifest.prices


def test_the_price_fit_reads_exactly_the_stated_prices(tmp_path):
    from matcher.catalogue import CatalogueDB

    creators = sample_creators(300)
    tricky = dataclasses.replace(creators[0], creator_id="t1", bio='"price_per_post":null',
                                 price_per_post=900.0, currency="EUR")  # fmt: skip
    free = dataclasses.replace(creators[1], creator_id="t2", price_per_post=None)
    db = CatalogueDB(tmp_path / "c.sqlite")
    db.insert(0, [*creators, tricky, free])
    got = [(c.creator_id, c.followers, c.price_per_post, c.currency) for c in db.priced()]
    want = [(c.creator_id, c.followers, c.price_per_post, c.currency)
            for c in [*creators, tricky, free] if c.price_per_post is not None]  # fmt: skip
    assert got == want and ("t1", tricky.followers, 900.0, "EUR") in got
    assert PriceModel.fit(db.priced()).to_dict() == PriceModel.fit(creators + [tricky]).to_dict()


def test_unchanged_creators_are_never_encoded_and_no_change_writes_nothing(tmp_path):
    enc = CountingEncoder()
    out = tmp_path / "idx"
    creators = sample_creators(N)
    build_and_save(creators, enc, out)
    inode = (out / "manifest.json").stat().st_ino
    enc.texts.clear()
    rep = update_index(out, enc, creators=creators)  # the same records again
    assert enc.texts == [] and not rep.written and rep.unchanged == N
    assert (out / "manifest.json").stat().st_ino == inode  # nothing written
    moved = dataclasses.replace(creators[3], country="ES", followers=123_456)
    rep = update_index(out, enc, creators=[*creators, moved])
    assert enc.texts == [] and rep.written and (rep.changed, rep.embedded) == (1, 0)
    idx = CreatorIndex.load(out)
    assert idx.catalogue.get_rows([3])[0] == moved  # the record replaced, vectors kept
    new = dataclasses.replace(creators[0], creator_id="brand-new", bio="sourdough starter tips")
    rep = update_index(out, enc, creators=[*creators, new])
    assert (rep.added, rep.changed, rep.unchanged, rep.embedded) == (1, 1, N - 1, 1)
    assert sorted(enc.texts) == sorted(t for t in (profile_text(new), voice_text(new)) if t)


@pytest.mark.parametrize("vectors", ["float32", "int8"])
def test_ivf_keeps_its_trained_quantizer_and_holds_exactly_the_new_vectors(tmp_path, vectors):
    """int8: the lists are written apart and refilled from content.npy at load
    (:mod:`matcher.ivf_codes`), so their codes must be the updated int8 vectors."""
    import faiss
    from faiss.contrib.inspect_tools import get_invlist

    enc = FakeEncoder()
    out = tmp_path / "idx"
    build_and_save(sample_creators(N), enc, out, index_type="ivf", candidates=50, vectors=vectors)
    old = CreatorIndex.load(out)
    centroids = old.faiss_index.quantizer.reconstruct_n(0, old.faiss_index.nlist)
    nlist = old.manifest.ann["nlist"]  # type: ignore[index]
    given, removals, _ = changes()
    update_index(out, enc, creators=given, removals=removals, candidates=50)
    new = CreatorIndex.load(out)
    ivf = new.faiss_index
    assert np.array_equal(ivf.quantizer.reconstruct_n(0, ivf.nlist), centroids)  # not retrained
    assert new.manifest.ann["nlist"] == nlist and ivf.ntotal == new.manifest.count  # type: ignore[index]
    assert new.manifest.ann["recall"] >= 0.99 or new.manifest.ann["nprobe"] == nlist  # type: ignore[index]
    # the reference: the same trained quantiser, emptied, given every updated vector
    ref = faiss.clone_index(old.faiss_index)
    ref.reset()
    ref.add(np.ascontiguousarray(new.content))

    def entries(index) -> set[tuple[int, int, bytes]]:  # type: ignore[no-untyped-def]
        out = set()
        for lst in range(index.nlist):
            ids, codes = get_invlist(index.invlists, lst)
            out |= {(lst, int(i), bytes(c)) for i, c in zip(ids, codes, strict=True)}
        return out

    assert entries(ivf) == entries(ref)
    rows, _ = new.search(np.asarray(new.content[7]), 5)
    assert rows[0] == 7


def test_an_index_without_term_counts_is_refitted_and_still_equal(tmp_path):
    enc = FakeEncoder()
    out = tmp_path / "idx"
    build_and_save(sample_creators(N), enc, out)
    lex = out / "lexical"  # as an index written before counts: bm25s' scores, no counts
    counts = lexical_counts.TermCounts.load(lex, N)
    assert counts is not None and not (lex / lexical_counts.SCORES_FILE).exists()
    np.save(
        lex / lexical_counts.SCORES_FILE, lexical_counts.bm25_scores(counts, 1.5, 0.75, "lucene")
    )
    del counts
    (lex / lexical_counts.TF_FILE).unlink()
    given, removals, result = changes()
    rep = update_index(out, enc, creators=given, removals=removals)
    assert rep.lexical == "refit"
    full = full_build_like(out, {c.creator_id: c for c in result}, enc, tmp_path / "full")
    a, b = CreatorIndex.load(out), CreatorIndex.load(full)
    assert np.array_equal(a.lexical.scores("sourdough bread"), b.lexical.scores("sourdough bread"))  # type: ignore[union-attr]
    assert (out / "lexical" / lexical_counts.TF_FILE).exists()  # the next update is incremental


@pytest.mark.parametrize("method", ["lucene", "robertson"])
def test_term_count_scores_are_bm25s_own(method):
    """The slow, obvious reference: bm25s indexing the same tokens."""
    import bm25s

    from matcher.lexical import creator_document, tokenize, tokenize_creators

    creators = sample_creators(600)
    tokens = tokenize_creators(creators, [creator_document(c) for c in creators])
    ref = bm25s.BM25(k1=1.2, b=0.7, method=method)
    ref.index(tokens, show_progress=False)
    ours = lexical_counts.retriever(lexical_counts.count_terms(tokens), 1.2, 0.7, method)
    for q in ("vegan recipes", "gaming", "marathon training", "skin care routine", "the"):
        (tk,) = tokenize([q])
        a = ref.get_scores_from_ids(ref.get_tokens_ids(tk))
        b = ours.get_scores_from_ids(ours.get_tokens_ids(tk))
        assert np.array_equal(a, b), q
    assert set(ref.vocab_dict) == set(ours.vocab_dict)
    with pytest.raises(ValueError, match="method must be one of"):
        lexical_counts.bm25_scores(lexical_counts.count_terms(tokens), 1.2, 0.7, "bm25+")


def test_a_new_term_and_a_term_that_disappears(tmp_path):
    enc = FakeEncoder()
    out = tmp_path / "idx"
    creators = sample_creators(40)
    odd = dataclasses.replace(creators[0], creator_id="odd", bio="zyzzyvaword", posts=())
    build_and_save([*creators, odd], enc, out)
    assert CreatorIndex.load(out).lexical.scores("zyzzyvaword").max() > 0  # type: ignore[union-attr]
    newer = dataclasses.replace(odd, creator_id="newer", bio="quokkaword")
    update_index(out, enc, creators=[newer], removals=[Removal("odd")])
    idx = CreatorIndex.load(out)
    assert idx.lexical.scores("zyzzyvaword").max() == 0  # type: ignore[union-attr]
    assert "zyzzyvaword" not in idx.lexical.retriever_.vocab_dict  # type: ignore[union-attr]
    row = idx.catalogue.row_of(["newer"])["newer"]
    assert int(np.argmax(idx.lexical.scores("quokkaword"))) == row  # type: ignore[union-attr]


# -- bad input: nothing stored changes ---------------------------------------------------------


def snapshot(d: Path) -> dict[str, bytes]:
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


@pytest.fixture
def cli_index(tmp_path, monkeypatch) -> Path:
    """A FakeEncoder index of 40 creators, and `matcher index` using the FakeEncoder."""
    import matcher.encoder

    class Cached(FakeEncoder):
        hits = misses = 0  # what the CLI reports of the embedding cache

    monkeypatch.setattr(matcher.encoder, "build_encoder", lambda *a, **k: Cached())
    out = tmp_path / "idx"
    build_and_save(sample_creators(40), FakeEncoder(), out)
    return out


def cli(*args: str) -> int:
    from matcher.cli import main

    return main(["index", *args, "--quiet"])


def test_cli_update_and_remove(cli_index, tmp_path, capsys):
    src = tmp_path / "up.jsonl"
    rows = [json.loads(x) for x in (SAMPLE / "creators.jsonl").read_text("utf-8").splitlines()]
    src.write_text("".join(json.dumps(r) + "\n" for r in rows[35:50]), encoding="utf-8")
    gone = tmp_path / "gone.txt"
    gone.write_text(f"\ufeff# people who left\n\n{rows[0]['creator_id']}\n  {rows[1]['creator_id']}  "
                    f"\n{rows[0]['creator_id']}\nnobody-1\nnobody-2\n", encoding="utf-8")  # fmt: skip
    assert cli("--update", str(src), "--remove", str(gone), "--out", str(cli_index)) == 0
    err = capsys.readouterr().err
    assert (
        "10 added, 0 changed, 5 unchanged, 2 removed (10 embedded, every other vector kept); 48 creators"
        in err
    )
    assert f"{gone}:6: creator_id 'nobody-1' is not in the index" in err and "nobody-2" in err
    assert CreatorIndex.load(cli_index).manifest.count == 48
    assert cli("--remove", str(gone), "--out", str(cli_index)) == 0  # alone: only unknown ids
    assert "nothing changed, nothing written" in capsys.readouterr().err


def test_cli_stores_int8_vectors_when_asked_and_an_update_keeps_them(cli_index, tmp_path, capsys):
    rows = (SAMPLE / "creators.jsonl").read_text("utf-8").splitlines()
    src, more = tmp_path / "c.jsonl", tmp_path / "more.jsonl"
    src.write_text("\n".join(rows[:60]) + "\n", encoding="utf-8")
    more.write_text("\n".join(rows[60:70]) + "\n", encoding="utf-8")
    out = tmp_path / "i8"
    assert cli("--creators", str(src), "--vectors", "int8", "--out", str(out)) == 0
    assert cli("--update", str(more), "--out", str(out)) == 0
    idx = CreatorIndex.load(out)
    assert idx.manifest.vectors == "int8" and idx.manifest.count == 70
    assert np.load(out / "content.npy", mmap_mode="r").dtype == np.int8
    idx.catalogue.close()
    capsys.readouterr()


BAD_UPDATES = {
    "bad field": ('{"creator_id": "x1", "followers": "12,000"}\n', ":1: field 'followers'"),
    "bad json": ('{"creator_id": "x1"\n', ":1"),
    "duplicate": ('{"creator_id": "x1"}\n{"creator_id": "x1"}\n', "duplicate creator_id 'x1'"),
    "empty": ("", "expected at least one creator"),
}


@pytest.mark.parametrize("case", list(BAD_UPDATES))
def test_bad_update_file_is_reported_like_a_full_build_and_changes_nothing(
    cli_index, tmp_path, capsys, case
):
    text, expected = BAD_UPDATES[case]
    src = tmp_path / "up.jsonl"
    src.write_text(text, encoding="utf-8")
    before = snapshot(cli_index)
    assert cli("--update", str(src), "--out", str(cli_index)) == 2
    assert expected in capsys.readouterr().err
    assert cli("--creators", str(src), "--out", str(tmp_path / "other")) == 2
    assert expected in capsys.readouterr().err  # the same message as a full build
    assert snapshot(cli_index) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_bad_removals_and_bad_combinations_change_nothing(cli_index, tmp_path, capsys):
    before = snapshot(cli_index)
    src = tmp_path / "up.jsonl"
    src.write_text(json.dumps({"creator_id": "both", "bio": "x"}) + "\n", encoding="utf-8")
    ids = tmp_path / "ids.txt"
    ids.write_text("# comment\nboth\n", encoding="utf-8")
    assert cli("--update", str(src), "--remove", str(ids), "--out", str(cli_index)) == 2
    assert f"{ids}:2: creator_id 'both' is also in {src}" in capsys.readouterr().err
    ids.write_bytes(b"ok\n\xff\xfe bad\n")
    assert cli("--remove", str(ids), "--out", str(cli_index)) == 2
    assert f"{ids}:2: not UTF-8 text" in capsys.readouterr().err
    assert cli("--remove", str(tmp_path / "missing.txt"), "--out", str(cli_index)) == 2
    assert "file not found" in capsys.readouterr().err
    all_ids = tmp_path / "all.txt"
    all_ids.write_text("\n".join(CreatorIndex.load(cli_index).catalogue.all_ids()), "utf-8")
    assert cli("--remove", str(all_ids), "--out", str(cli_index)) == 1
    assert "would remove every creator" in capsys.readouterr().err
    assert cli("--creators", str(src), "--remove", str(ids), "--out", str(cli_index)) == 1
    assert "use it with --update" in capsys.readouterr().err
    assert cli("--update", str(src), "--index-type", "ivf", "--out", str(cli_index)) == 1
    assert cli("--update", str(src), "--vectors", "int8", "--out", str(cli_index)) == 1
    assert "--index-type and --vectors are for a full build" in capsys.readouterr().err
    assert cli("--fill", "--vectors", "int8", "--out", str(cli_index)) == 1
    assert "no --remove, --index-type, --vectors" in capsys.readouterr().err
    assert cli("--out", str(cli_index)) == 1
    with pytest.raises(SystemExit):  # argparse: not allowed together
        cli("--creators", str(src), "--update", str(src), "--out", str(cli_index))
    capsys.readouterr()
    assert cli("--update", str(src), "--out", str(tmp_path / "nothing-here")) == 1
    assert "not an index" in capsys.readouterr().err
    assert snapshot(cli_index) == before
    assert not (tmp_path / "nothing-here").exists()


def test_read_removals_skips_blanks_comments_and_repeats(tmp_path):
    p = tmp_path / "ids.txt"
    p.write_text("\ufeffa\n\n  # not an id\n b \r\na\n#c\n", encoding="utf-8")
    assert read_removals(p) == [Removal("a", 1), Removal("b", 4)]
    with pytest.raises(ValidationError, match="file not found"):
        read_removals(tmp_path / "nope.txt")


def test_an_update_needs_the_indexs_model_and_text_model(tmp_path):
    out = tmp_path / "idx"
    build_and_save(sample_creators(30), FakeEncoder(), out)
    before = snapshot(out)
    with pytest.raises(IndexMismatchError, match="fingerprint"):
        update_index(out, FakeEncoder(fingerprint="other"), creators=sample_creators(31)[30:])

    class Model:
        fingerprint = "abc"

    with pytest.raises(IndexMismatchError, match="adapted for text model"):
        update_index(out, FakeEncoder(), creators=sample_creators(31)[30:], text_model=Model())  # type: ignore[arg-type]
    with pytest.raises(MatcherError, match="not an index"):
        update_index(tmp_path / "none", FakeEncoder(), creators=sample_creators(1))
    assert snapshot(out) == before


def test_an_index_replaced_during_the_update_is_not_overwritten(tmp_path, monkeypatch):
    import matcher.update as update

    enc = FakeEncoder()
    out = tmp_path / "idx"
    build_and_save(sample_creators(30), enc, out)
    real = update._write

    def write_then_rebuild(*a, **k):  # type: ignore[no-untyped-def]
        got = real(*a, **k)
        build_and_save(sample_creators(33), enc, out)  # another run replaced the index
        return got

    monkeypatch.setattr(update, "_write", write_then_rebuild)
    with pytest.raises(MatcherError, match="replaced while this update ran"):
        update_index(out, enc, creators=sample_creators(40)[30:])
    assert CreatorIndex.load(out).manifest.count == 33


# -- crash safety: SIGKILL at every stage ------------------------------------------------------

OLD = 30
STAGES = {
    "embedding": "FakeEncoder.encode = lambda self, texts, progress=False: die()",
    "catalogue": "CatalogueDB.update = lambda self, **k: die()",
    "lexical": "lexical_counts.update = lambda *a, **k: die()",
    "writing": "import faiss\nfaiss.write_index = lambda *a, **k: die()",
    "before-swap": "atomic.exchange = lambda a, b: die()",
    "after-swap": """
        real = atomic.exchange
        def swap_then_die(a, b):
            real(a, b)
            die()
        atomic.exchange = swap_then_die
    """,
}
CHILD = """
import os, signal, sys
sys.path.insert(0, {tests!r})
from conftest import FakeEncoder, sample_creators
from matcher import lexical_counts
from matcher.catalogue import CatalogueDB
from matcher.io import atomic
from matcher.update import Removal, update_index

def die(*a, **k):
    os.kill(os.getpid(), signal.SIGKILL)

{stage}
pool = sample_creators({old} + 10)
update_index({out!r}, FakeEncoder(), creators=pool[{old}:], removals=[Removal(pool[0].creator_id)])
print("not killed")
"""


def answers(out: Path, enc: FakeEncoder) -> int:
    idx = CreatorIndex.load(out, fingerprint=enc.fingerprint)
    rows, sims = idx.search(enc.encode(["skincare routine for dry skin"])[0], 10)
    assert len(rows) == 10 and np.all(np.isfinite(sims))
    assert all(c.creator_id for c in idx.catalogue.get_rows(rows.tolist()))
    assert idx.lexical is not None and idx.lexical.scores("skincare").shape == (len(idx),)
    idx.catalogue.close()
    return idx.manifest.count


@pytest.mark.parametrize("stage", list(STAGES))
def test_sigkill_during_an_update_leaves_a_loadable_index(tmp_path, stage):
    enc = FakeEncoder()
    out = tmp_path / "idx"
    build_and_save(sample_creators(OLD), enc, out)
    code = CHILD.format(tests=str(ROOT / "tests"), stage=textwrap.dedent(STAGES[stage]),
                        old=OLD, out=str(out))  # fmt: skip
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                       timeout=120)  # fmt: skip
    assert r.returncode == -signal.SIGKILL, (r.returncode, r.stdout, r.stderr[-2000:])
    assert out.is_dir()
    assert answers(out, enc) == (OLD + 9 if stage == "after-swap" else OLD)
    # the next update cleans up after the killed one and applies its changes
    update_index(out, enc, creators=sample_creators(OLD + 12)[OLD:])
    assert answers(out, enc) in (OLD + 11, OLD + 12)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


# -- the served index follows the directory ----------------------------------------------------


def test_the_server_swaps_in_an_updated_index(tmp_path):
    from fastapi.testclient import TestClient

    from matcher.serve.app import create_app
    from matcher.serve.reload import IndexReloader
    from matcher.serve.store import Store

    enc = FakeEncoder()
    out = tmp_path / "idx"
    build_and_save(sample_creators(OLD), enc, out)
    m = Matcher(CreatorIndex.load(out), enc)
    with Store(tmp_path / "api.db") as store, TestClient(create_app(m, store)) as client:
        store.create_workspace("w")
        auth = {"Authorization": f"Bearer {store.create_key('w')}"}
        new = sample_creators(OLD + 1)[OLD]
        assert client.get(f"/v1/creators/{new.creator_id}", headers=auth).status_code == 404
        update_index(out, enc, creators=[new])
        time.sleep(1.1)  # checks are at most once a second
        assert client.get("/healthz").json()["creators"] == OLD + 1
        assert client.get(f"/v1/creators/{new.creator_id}", headers=auth).status_code == 200
        assert client.post("/v1/match", json={"brand": "x", "description": "skincare"},
                           headers=auth).status_code == 200  # fmt: skip
        # a damaged index on disk: the loaded one is kept, and answers
        manifest = json.loads((out / "manifest.json").read_text())
        damaged = {**manifest, "count": 999, "created_at": time.time()}
        (out / "manifest.json").write_text(json.dumps(damaged))
        time.sleep(1.1)
        assert client.get("/healthz").json()["creators"] == OLD + 1
        assert client.get(f"/v1/creators/{new.creator_id}", headers=auth).status_code == 200
    assert IndexReloader.for_services(type("S", (), {"matcher": object()})()) is None  # type: ignore[arg-type]


def test_the_reloader_checks_at_most_once_per_interval(tmp_path):
    from matcher.serve.reload import IndexReloader
    from matcher.serve.routes import Services

    enc = FakeEncoder()
    out = tmp_path / "idx"
    build_and_save(sample_creators(OLD), enc, out)
    now = [0.0]
    svc = Services(Matcher(CreatorIndex.load(out), enc), None, fasteners.ReaderWriterLock())  # type: ignore[arg-type]
    r = IndexReloader(svc, out, interval=1.0, clock=lambda: now[0])
    assert not r.due()  # the loaded index
    update_index(out, enc, creators=sample_creators(OLD + 2)[OLD:])
    now[0] = 0.5
    assert not r.due()  # too soon
    now[0] = 1.6
    assert r.due() and r.reload() and svc.matcher.index.manifest.count == OLD + 2
    now[0] = 3.0
    assert not r.due()  # nothing changed since
    with pytest.raises(ValueError, match="interval must be >= 0"):
        IndexReloader(svc, out, interval=-1)


# -- integration: the real command, model, FAISS, SQLite and server ----------------------------


def write_creators(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


@pytest.mark.integration
def test_real_update_matches_a_full_build_and_the_server_follows(tmp_path):
    from serving import CACHE, run_matcher, running_server

    rows = [json.loads(x) for x in (SAMPLE / "creators.jsonl").read_text("utf-8").splitlines()]
    first, extra = rows[:300], rows[300:360]
    changed = [{**r, "bio": r.get("bio", "") + " Now mostly trail running."} for r in first[10:20]]
    changed += [{**r, "followers": (r.get("followers") or 0) + 1000} for r in first[20:30]]
    gone = [r["creator_id"] for r in first[200:230]]
    idx = tmp_path / "idx"
    opts = ("--cache-dir", CACHE, "--quiet")
    run_matcher("index", "--creators", str(write_creators(tmp_path / "a.jsonl", first)),
                "--out", str(idx), *opts)  # fmt: skip
    key = run_matcher("keys", "create", "--workspace", "w", "--index", str(idx))
    auth = {"Authorization": f"Bearer {key.stdout.strip().splitlines()[-1]}"}
    (tmp_path / "gone.txt").write_text("# left\n" + "\n".join(gone) + "\n", encoding="utf-8")
    import httpx

    with running_server(idx, tmp_path / "server.log") as base:
        assert httpx.get(f"{base}/healthz").json()["creators"] == 300
        new_id = extra[0]["creator_id"]
        assert httpx.get(f"{base}/v1/creators/{new_id}", headers=auth).status_code == 404
        t = time.perf_counter()
        done = run_matcher("index", "--update",
                           str(write_creators(tmp_path / "u.jsonl", changed + extra)),
                           "--remove", str(tmp_path / "gone.txt"), "--out", str(idx), *opts)  # fmt: skip
        assert "60 added, 20 changed, 0 unchanged, 30 removed (70 embedded" in done.stderr
        deadline = time.monotonic() + 30
        while httpx.get(f"{base}/healthz").json()["creators"] != 330:
            assert time.monotonic() < deadline, "the server did not pick the update up"
            time.sleep(0.3)
        print(f"update + reload seen after {time.perf_counter() - t:.1f}s")
        assert httpx.get(f"{base}/v1/creators/{new_id}", headers=auth).status_code == 200
        assert httpx.get(f"{base}/v1/creators/{gone[0]}", headers=auth).status_code == 404
    # the reference: a full build of the resulting creators, in the updated row order
    by_id = {r["creator_id"]: r for r in first + extra}
    by_id.update({r["creator_id"]: r for r in changed})
    ref = CreatorIndex.load(idx)
    assert ref.manifest.text_model and ref.style is not None  # adapted: style vectors updated too
    order = ref.catalogue.all_ids()
    ref.catalogue.close()
    full = tmp_path / "full"
    run_matcher("index", "--creators",
                str(write_creators(tmp_path / "all.jsonl", [by_id[i] for i in order])),
                "--out", str(full), *opts)  # fmt: skip
    briefs = str(SAMPLE / "briefs.jsonl")
    got = [run_matcher("match", "--index", str(d), "--brief", briefs, "--format", "json",
                       "--k", "20", "--as-of", "2026-11-01", *opts).stdout.splitlines()
           for d in (idx, full)]  # fmt: skip
    n = 0
    for a, b in zip(*got, strict=True):
        x, y = json.loads(a), json.loads(b)
        assert [m["creator_id"] for m in x["matches"]] == [m["creator_id"] for m in y["matches"]]
        assert np.allclose([m["score"] for m in x["matches"]], [m["score"] for m in y["matches"]],
                           atol=1e-6, rtol=0)  # fmt: skip
        assert [e["creator_id"] for e in x["excluded"]] == [e["creator_id"] for e in y["excluded"]]
        n += len(x["matches"])
    assert n > 50


@pytest.mark.integration
def test_real_update_killed_before_the_swap_leaves_the_old_index_answering(tmp_path):
    from serving import CACHE, ENV, run_matcher

    rows = [json.loads(x) for x in (SAMPLE / "creators.jsonl").read_text("utf-8").splitlines()]
    idx = tmp_path / "idx"
    opts = ["--cache-dir", CACHE, "--quiet"]
    run_matcher("index", "--creators", str(write_creators(tmp_path / "a.jsonl", rows[:80])),
                "--out", str(idx), *opts)  # fmt: skip
    before = snapshot(idx)
    cmd = ["index", "--update", str(write_creators(tmp_path / "u.jsonl", rows[80:100])),
           "--out", str(idx), *opts]  # fmt: skip
    code = textwrap.dedent(
        f"""
        import os, signal, sys
        from matcher.io import atomic
        atomic.exchange = lambda a, b: os.kill(os.getpid(), signal.SIGKILL)
        from matcher.cli import main
        sys.exit(main({cmd!r}))
        """
    )
    r = subprocess.run([sys.executable, "-c", code], env=ENV, capture_output=True, text=True,
                       cwd=ROOT, timeout=600)  # fmt: skip
    assert r.returncode == -signal.SIGKILL, r.stderr[-2000:]
    assert snapshot(idx) == before
    brief = tmp_path / "brief.json"
    brief.write_text((SAMPLE / "briefs.jsonl").read_text(encoding="utf-8").splitlines()[0])
    out = run_matcher("match", "--index", str(idx), "--brief", str(brief), "--format", "json",
                      *opts).stdout  # fmt: skip
    assert json.loads(out)["matches"]
    assert CreatorIndex.load(idx).manifest.count == 80
    run_matcher(*cmd)
    assert CreatorIndex.load(idx).manifest.count == 100
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
