"""CreatorIndex: FAISS equals exact search, save -> load is identical, mismatches are refused."""

from __future__ import annotations

import json

import numpy as np
import pytest

from matcher.errors import IndexMismatchError, MatcherError
from matcher.index import FORMAT_VERSION, CreatorIndex, build_and_save, profile_text, voice_text
from matcher.schema import Creator, Post

WORDS = [
    "run",
    "trail",
    "bake",
    "bread",
    "code",
    "python",
    "yoga",
    "calm",
    "money",
    "invest",
    "game",
    "play",
    "dog",
    "cat",
    "coffee",
    "bean",
]


def synthetic_creators(n: int = 300, seed: int = 0) -> list[Creator]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        bio = " ".join(rng.choice(WORDS, size=5))
        posts = tuple(
            Post(" ".join(rng.choice(WORDS, size=8))) for _ in range(int(rng.integers(0, 4)))
        )
        out.append(
            Creator(f"c{i:04d}", bio=bio, posts=posts, followers=int(rng.integers(100, 10**6)))
        )
    return out


def test_faiss_search_equals_exact_numpy(tmp_path, fake_encoder):
    creators = synthetic_creators()
    idx = CreatorIndex.build(creators, fake_encoder, workdir=tmp_path)
    for q_text in ("trail run", "bread bake coffee", "python code game"):
        q = fake_encoder.encode([q_text])[0]
        rows, sims = idx.search(q, 25)
        exact = idx.content @ q
        want = np.argsort(-exact, kind="stable")[:25]
        np.testing.assert_allclose(sims, exact[want], rtol=1e-5, atol=1e-5)
        # same set of rows up to ties at the cut-off
        assert set(rows.tolist()) ^ set(want.tolist()) <= set(
            np.flatnonzero(np.isclose(exact, exact[want[-1]])).tolist()
        )


def test_search_with_allowed_rows(tmp_path, fake_encoder):
    creators = synthetic_creators(100)
    idx = CreatorIndex.build(creators, fake_encoder, workdir=tmp_path)
    q = fake_encoder.encode(["trail run"])[0]
    allowed = list(range(0, 100, 3))
    rows, _ = idx.search(q, 10, allowed)
    assert set(rows.tolist()) <= set(allowed) and len(rows) == 10


def test_save_load_round_trip_gives_identical_results(tmp_path, fake_encoder):
    creators = synthetic_creators()
    out = build_and_save(creators, fake_encoder, tmp_path / "idx")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["count"] == 300 and manifest["dim"] == fake_encoder.dim
    assert (
        manifest["model_fingerprint"] == fake_encoder.fingerprint
        and manifest["format_version"] == FORMAT_VERSION
    )
    a = CreatorIndex.build(creators, fake_encoder, workdir=tmp_path / "mem")
    b = CreatorIndex.load(out, fingerprint=fake_encoder.fingerprint)
    q = fake_encoder.encode(["calm yoga money"])[0]
    ra, sa = a.search(q, 50)
    rb, sb = b.search(q, 50)
    np.testing.assert_array_equal(ra, rb)
    np.testing.assert_array_equal(sa, sb)
    assert b.catalogue.get_rows([5, 1]) == [creators[5], creators[1]]
    np.testing.assert_array_equal(np.asarray(b.voice_known), [bool(c.posts) for c in creators])
    # the lexical index comes back with the same settings and scores
    assert a.lexical is not None and b.lexical is not None
    np.testing.assert_array_equal(
        a.lexical.scores("calm yoga money"), b.lexical.scores("calm yoga money")
    )


def test_load_refuses_another_model(tmp_path, fake_encoder):
    out = build_and_save(synthetic_creators(20), fake_encoder, tmp_path / "idx")
    with pytest.raises(IndexMismatchError, match=r"built with model .* \(fingerprint fake-v1\)"):
        CreatorIndex.load(out, fingerprint="another-model")


def test_load_refuses_other_format_version_and_missing_manifest(tmp_path, fake_encoder):
    out = build_and_save(synthetic_creators(20), fake_encoder, tmp_path / "idx")
    m = json.loads((out / "manifest.json").read_text())
    m["format_version"] = 99
    (out / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(IndexMismatchError, match="format version 99"):
        CreatorIndex.load(out)
    with pytest.raises(MatcherError, match="not an index"):
        CreatorIndex.load(tmp_path / "nothing")


def test_rebuild_replaces_atomically_and_keeps_old_on_failure(tmp_path, fake_encoder):
    out = build_and_save(synthetic_creators(20), fake_encoder, tmp_path / "idx")

    class Broken:
        dim, fingerprint = fake_encoder.dim, "fake-v1"

        def encode(self, texts, *, progress=False):
            raise RuntimeError("model crashed")

    with pytest.raises(RuntimeError):
        build_and_save(synthetic_creators(30), Broken(), out)
    assert CreatorIndex.load(out).manifest.count == 20  # old index intact
    assert [p.name for p in tmp_path.iterdir()] == ["idx"]  # no temp leftovers


def test_duplicate_ids_rejected(tmp_path, fake_encoder):
    cs = synthetic_creators(3) + [Creator("c0001")]
    with pytest.raises(MatcherError, match="duplicate creator_id 'c0001'"):
        CreatorIndex.build(cs, fake_encoder, workdir=tmp_path)


def test_texts_embedded():
    c = Creator(
        "x",
        bio="Trail runner",
        categories=("Sports",),
        posts=(Post("old #ultra #fyp"), Post("new #ultra #trail")),
    )
    assert profile_text(c) == "Trail runner | Sports | #ultra #trail"
    assert voice_text(c) == "old #ultra #fyp\nnew #ultra #trail"
    assert voice_text(Creator("empty")) == ""


@pytest.mark.parametrize("index_type", ["flat", "hnsw", "ivf"])
def test_every_index_type_returns_the_candidates_asked_for(tmp_path, fake_encoder, index_type):
    """Recall of a large candidate set against exact search (HNSW's default efSearch of 16 used
    to cap a 3,000-candidate search at a few hundred rows)."""
    creators = synthetic_creators(1500, seed=3)
    idx = CreatorIndex.build(creators, fake_encoder, workdir=tmp_path, index_type=index_type)
    for q_text in ("trail run", "bread bake coffee", "python code game"):
        q = fake_encoder.encode([q_text])[0]
        rows, _ = idx.search(q, 600)
        assert len(rows) == 600
        exact = np.argsort(-(idx.content @ q), kind="stable")[:600]
        recall = len(set(rows.tolist()) & set(exact.tolist())) / 600
        assert recall >= 0.95, (index_type, recall)
        allowed = list(range(0, 1500, 2))
        rows, _ = idx.search(q, 300, allowed)
        assert len(rows) == 300 and set(rows.tolist()) <= set(allowed)


def test_catalogue_cache_past_its_bound_still_returns_every_row(tmp_path):
    """Clearing the bounded cache used to drop rows already counted as cached: KeyError."""
    from matcher.catalogue import CatalogueDB

    creators = synthetic_creators(40, seed=5)
    db = CatalogueDB(tmp_path / "c.sqlite", cache_max=10)
    db.insert(0, creators)
    assert [c.creator_id for c in db.get_rows([0, 1, 2, 3, 4, 5])] == [
        f"c{i:04d}" for i in range(6)
    ]
    for rows in ([3, 4, 5, 6, 7, 8, 9, 10, 11], list(range(40)), [39, 0, 39], [7, 8]):
        got = db.get_rows(rows)
        assert [c.creator_id for c in got] == [creators[r].creator_id for r in rows]
        assert len(db._cache) <= 10


def test_a_new_catalogue_has_16k_pages_and_an_older_one_keeps_its_own(tmp_path):
    import sqlite3

    from matcher.catalogue import PAGE_SIZE, CatalogueDB

    def page_size(path) -> int:  # type: ignore[no-untyped-def]
        con = sqlite3.connect(path)
        try:
            return int(con.execute("PRAGMA page_size").fetchone()[0])
        finally:
            con.close()

    creators = synthetic_creators(40, seed=5)
    db = CatalogueDB(tmp_path / "new.sqlite")
    db.insert(0, creators)
    db.close()
    assert PAGE_SIZE == page_size(tmp_path / "new.sqlite") == 16_384
    old = sqlite3.connect(tmp_path / "old.sqlite")  # written with SQLite's default pages
    old.executescript(
        "PRAGMA page_size = 4096; CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    )
    old.close()
    db = CatalogueDB(tmp_path / "old.sqlite")
    db.insert(0, creators)
    assert [c.creator_id for c in db.get_rows([39, 0])] == ["c0039", "c0000"]
    db.close()
    assert page_size(tmp_path / "old.sqlite") == 4096


def _cut(path, keep=0.5):
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def _manifest(out, change):
    m = json.loads((out / "manifest.json").read_text())
    (out / "manifest.json").write_text(json.dumps(change(m)))


DAMAGE = {
    "faiss.index cut in half": lambda out: _cut(out / "faiss.index"),
    "faiss.index missing": lambda out: (out / "faiss.index").unlink(),
    "content.npy truncated": lambda out: _cut(out / "content.npy", 0.9),
    "catalogue.sqlite truncated": lambda out: _cut(out / "catalogue.sqlite", 0.3),
    "manifest key missing": lambda out: _manifest(out, lambda m: {k: m[k] for k in m if k != "dim"}),
    "manifest a list": lambda out: _manifest(out, lambda m: [m]),
    "manifest count a string": lambda out: _manifest(out, lambda m: {**m, "count": "20"}),
    "manifest not UTF-8": lambda out: (out / "manifest.json").write_bytes(b"\xff\xfe{"),
}  # fmt: skip


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_index_says_rebuild_it_never_a_traceback(tmp_path, fake_encoder, damage):
    out = build_and_save(synthetic_creators(20), fake_encoder, tmp_path / "idx")
    DAMAGE[damage](out)
    with pytest.raises(MatcherError) as e:
        CreatorIndex.load(out)
    msg = str(e.value)
    assert str(out) in msg and "rebuild it with 'matcher index'" in msg and "\n" not in msg


def test_index_given_a_file_is_not_an_index(tmp_path):
    f = tmp_path / "creators.jsonl"
    f.write_text("{}\n")
    with pytest.raises(MatcherError, match="not an index \\(a file\\)"):
        CreatorIndex.load(f)


def _clustered(n: int, d: int = 64, seed: int = 0) -> np.ndarray:
    """Unit vectors around 200 topics, like creators around niches."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(200, d))
    x = centers[rng.integers(0, 200, n)] + 0.6 * rng.normal(size=(n, d))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def test_ivf_nprobe_is_calibrated_to_the_recall_target_and_holds_on_new_queries():
    from matcher import ann

    x = _clustered(30_000)
    index, info = ann.build(x, "ivf", candidates=500)
    assert info is not None and info["type"] == "ivf" and info["recall"] >= ann.TARGET_RECALL
    assert info["nlist"] == int(4 * np.sqrt(30_000)) and 1 <= info["nprobe"] <= info["nlist"]
    # fresh queries (not creators of the catalogue): recall of the 500-row candidate set
    import faiss

    q = _clustered(40, seed=9)
    exact = faiss.IndexFlatIP(x.shape[1])
    exact.add(x)
    _, truth = exact.search(q, 500)
    _, got = index.search(q, 500, params=ann.search_params(index, 500, info))
    recall = np.mean([len(set(t) & set(g)) / 500 for t, g in zip(truth, got, strict=True)])
    assert recall >= 0.97, recall
    # a smaller nprobe than calibrated would not have reached the target (the check is real)
    if info["nprobe"] > 1:
        params = faiss.SearchParametersIVF(nprobe=max(1, info["nprobe"] // 4))
        _, low = index.search(q, 500, params=params)
        worse = np.mean([len(set(t) & set(g)) / 500 for t, g in zip(truth, low, strict=True)])
        assert worse < recall


def test_auto_picks_by_size_and_the_manifest_keeps_the_measured_recall(
    tmp_path, fake_encoder, monkeypatch
):
    from matcher import ann

    small = build_and_save(synthetic_creators(300), fake_encoder, tmp_path / "small")
    m = json.loads((small / "manifest.json").read_text())
    assert m["index_type"] == "flat" and m["ann"] is None
    monkeypatch.setattr(ann, "AUTO_IVF_MIN", 1000)
    creators = synthetic_creators(6000, seed=5)
    big = build_and_save(creators, fake_encoder, tmp_path / "big")
    m = json.loads((big / "manifest.json").read_text())
    assert m["index_type"] == "ivf" and m["ann"]["recall"] >= ann.TARGET_RECALL
    assert m["ann"]["recall_at"] == 3000
    idx = CreatorIndex.load(big, fingerprint=fake_encoder.fingerprint)
    for text in ("trail run coffee", "python game", "bread"):
        q = fake_encoder.encode([text])[0]
        rows, sims = idx.search(q, 3000)
        # similarities are exact and in order, whatever the quantisation
        np.testing.assert_allclose(sims, idx.content[rows] @ q, rtol=1e-5, atol=1e-6)
        assert np.all(np.diff(sims) <= 1e-6)
        # recall of the candidate set, ties at the cut-off counted as found
        cut = np.sort(idx.content @ q)[::-1][2999]
        assert np.mean(sims >= cut - 1e-6) * len(sims) / 3000 >= 0.97
