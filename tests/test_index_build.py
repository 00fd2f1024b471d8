"""The chunked index build (matcher.index_build) and the streamed creators file it reads
(matcher.io.stream_creators): the same files as an index built in memory, and bad input refused
before anything is embedded or written."""

from __future__ import annotations

import json
import sqlite3
import warnings
from pathlib import Path

import numpy as np
import pytest
from conftest import FakeEncoder, sample_creators

import matcher.index_build as index_build
from matcher.catalogue import CatalogueDB
from matcher.errors import MatcherError, ValidationError
from matcher.index import CreatorIndex
from matcher.io import UnknownFieldWarning, stream_creators, write_creators

FILES = ["content.npy", "voice.npy", "voice_known.npy", "columns.npy", "faiss.index", "ids.bin",
         "search.bin"]  # fmt: skip


def tree(out: Path) -> dict[str, bytes]:
    """Every file of an index but the catalogue and manifest, by relative path."""
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name not in ("catalogue.sqlite", "manifest.json")
    }


def catalogue(out: Path) -> list[tuple]:
    """Every table's rows, the creators' JSON and the search texts decompressed (the
    dictionaries they were compressed with depend on how many rows the first write held, so
    they are left out)."""
    db = sqlite3.connect(out / "catalogue.sqlite")
    stored = CatalogueDB(out / "catalogue.sqlite", readonly=True)
    try:
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        texts = stored.records(range(len(stored))) if "creators" in names else {}
        searched = dict(stored.by_row("search")) if "sponsor_search" in names else {}
        return [
            (t, *r[:7], texts[r[0]], *r[8:]) if t == "creators"
            else (t, r[0], searched[r[0]]) if t == "sponsor_search"
            else (t, *r)
            for t in sorted(set(names) - {"row_dictionary", "search_dictionary"})
            for r in db.execute(f"SELECT * FROM {t} ORDER BY 1")
        ]  # fmt: skip
    finally:
        db.close()
        stored.close()


def manifest(out: Path) -> dict:
    m = json.loads((out / "manifest.json").read_text())
    m.pop("created_at")
    return m


def in_memory(creators, enc, out: Path, **kw) -> Path:  # type: ignore[no-untyped-def]
    idx = CreatorIndex.build(creators, enc, workdir=out.parent / (out.name + "-wd"), **kw)
    try:
        idx.save(out)
    finally:
        idx.catalogue.close()
    return out


@pytest.mark.parametrize(
    "index_type, vectors", [("flat", "auto"), ("ivf", "auto"), ("flat", "int8"), ("ivf", "float32")]
)
def test_a_chunked_build_writes_what_an_in_memory_build_writes(
    tmp_path, monkeypatch, index_type, vectors
):
    from matcher.learn.resolve import index_text_model

    creators = sample_creators(700)
    text = index_text_model(None)
    monkeypatch.setattr(index_build, "CHUNK", 97)  # 8 chunks, the last one short
    a = in_memory(creators, FakeEncoder(), tmp_path / "a", index_type=index_type,
                  text_model=text, candidates=50, vectors=vectors)  # fmt: skip
    b = index_build.build_and_save(iter(creators), FakeEncoder(), tmp_path / "b",
                                   index_type=index_type, text_model=text, candidates=50,
                                   vectors=vectors)  # fmt: skip
    ta, tb = tree(a), tree(b)
    assert set(FILES) <= set(ta)
    int8 = vectors == "int8" or (vectors == "auto" and index_type == "ivf")
    assert ("scales.npy" in ta) == int8 and manifest(b)["vectors"] == (
        "int8" if int8 else "float32"
    )
    assert np.load(b / "voice.npy").dtype == (np.int8 if int8 else np.float32)
    assert ("style.npy" in ta) == (text is not None)
    assert list(ta) == list(tb)
    for name in ta:
        assert ta[name] == tb[name], name
    assert catalogue(a) == catalogue(b)
    assert manifest(a) == manifest(b)
    assert (manifest(b)["ann"] is None) == (index_type == "flat")
    assert np.load(b / "content.npy").shape == (700, 64)


def test_vectors_are_written_with_their_row_count_in_the_header(tmp_path, monkeypatch):
    monkeypatch.setattr(index_build, "CHUNK", 10)
    out = index_build.build_and_save(sample_creators(25), FakeEncoder(), tmp_path / "i")
    for name in ("content.npy", "voice.npy"):
        x = np.load(out / name)
        assert x.shape == (25, 64) and x.dtype == np.float32
        assert np.load(out / name, mmap_mode="r").shape == (25, 64)
    loaded = CreatorIndex.load(out)
    assert len(loaded) == 25
    loaded.catalogue.close()


def test_a_duplicate_in_a_later_chunk_leaves_the_old_index(tmp_path, monkeypatch):
    monkeypatch.setattr(index_build, "CHUNK", 10)
    out = index_build.build_and_save(sample_creators(12), FakeEncoder(), tmp_path / "i")
    before = {**tree(out), "m": (out / "manifest.json").read_bytes()}
    creators = sample_creators(30)
    with pytest.raises(MatcherError, match="duplicate creator_id"):
        index_build.build_and_save(creators + [creators[3]], FakeEncoder(), out)
    assert {**tree(out), "m": (out / "manifest.json").read_bytes()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["i"]  # no scratch directory left


def test_no_creators_is_refused(tmp_path):
    with pytest.raises(MatcherError, match="no creators"):
        index_build.build_and_save([], FakeEncoder(), tmp_path / "i")
    assert not (tmp_path / "i").exists()


def test_a_streamed_file_is_checked_whole_before_the_first_creator(tmp_path):
    path = tmp_path / "c.jsonl"
    write_creators(path, sample_creators(40))
    with path.open("a", encoding="utf-8") as f:
        f.write('{"creator_id": "late", "followers": "lots"}\n')
    with pytest.raises(ValidationError) as e:
        stream_creators(path)
    assert "c.jsonl:41: field 'followers'" in str(e.value)


def test_a_streamed_build_equals_a_build_of_the_list(tmp_path):
    creators = sample_creators(120)
    path = tmp_path / "c.jsonl"
    write_creators(path, creators)
    count, stream = stream_creators(path)
    assert count == 120
    a = index_build.build_and_save(creators, FakeEncoder(), tmp_path / "a")
    b = index_build.build_and_save(stream, FakeEncoder(), tmp_path / "b", count=count)
    assert tree(a) == tree(b) and catalogue(a) == catalogue(b)


@pytest.mark.filterwarnings("ignore::matcher.io.UnknownFieldWarning")  # half-read lines
def test_a_file_changed_between_the_two_reads_is_reported(tmp_path):
    path = tmp_path / "c.jsonl"
    write_creators(path, sample_creators(20))
    count, stream = stream_creators(path)
    first = next(stream)
    path.write_text(path.read_text().replace(first.creator_id, "other", 1) + "{nope\n")
    with pytest.raises(MatcherError, match="changed while it was read"):
        list(stream)
    path.write_text("\n".join(path.read_text().split("\n")[:5]) + "\n")  # shorter
    count, stream = stream_creators(path)
    path.write_text(
        path.read_text() + path.read_text().replace('"creator_id": "', '"creator_id": "x')
    )
    with pytest.raises(MatcherError, match="changed while it was read"):
        list(stream)


def test_a_streamed_file_warns_once(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text('{"creator_id": "a", "folowers": 5}\n{"creator_id": "b", "folowers": 5}\n')
    with pytest.warns(UnknownFieldWarning, match="folowers"):
        count, stream = stream_creators(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert [c.creator_id for c in stream] == ["a", "b"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"\xef\xbb\xbf" + b'{"creator_id": "a"}\n' + b'{"creator_id": "b\xff"}\n',
         "c.jsonl:2: not valid UTF-8: byte 0xff at byte offset 40 (column 18)"),
        (b'{"creator_id": "a"}\n\n  \n{"creator_id": \n', "c.jsonl:4: malformed JSON"),
        (b"\n \n", "file is empty"),
        (b'{"creator_id": "a"}\r\n{"creator_id": "a"}\r\n', "duplicate creator_id 'a'"),
    ],
)  # fmt: skip
def test_json_lines_read_a_line_at_a_time_report_what_a_whole_read_did(tmp_path, text, message):
    path = tmp_path / "c.jsonl"
    path.write_bytes(text)
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        stream_creators(path)
