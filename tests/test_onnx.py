"""The encoder on ONNX Runtime gives sentence-transformers' vectors, and `matcher match` on it
starts without torch, transformers, sentence-transformers, scikit-learn or lightgbm."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, SAMPLE, TEST_CACHE

from matcher import onnx_backend
from matcher.encoder import SentenceTransformerEncoder
from matcher.onnx_backend import AGREEMENT_MIN

pytestmark = pytest.mark.integration


def sample_texts(n: int = 300) -> list[str]:
    texts: list[str] = []
    for line in (SAMPLE / "creators.jsonl").read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        texts.append(r.get("bio") or "")
        texts.extend(p["text"] for p in r.get("posts", [])[:2])
        if len(texts) >= n:
            break
    return texts[:n]


@pytest.fixture(scope="module")
def onnx_dir(tmp_path_factory) -> Path:
    """A cache with the ONNX export of the default model, made the way matcher makes it: the
    first load through sentence-transformers exports it, replacing an earlier revision's."""
    d = tmp_path_factory.mktemp("cache") / "onnx"
    d.mkdir()
    fingerprint = SentenceTransformerEncoder("default").fingerprint
    (d / f"{fingerprint}.onnx").write_bytes(b"an export made before revision 2")
    enc = SentenceTransformerEncoder("default", onnx_dir=d)
    enc.encode(["warm up"])
    assert enc.backend == "sentence-transformers"
    assert [p.name for p in d.iterdir()] == [onnx_backend.file_name(fingerprint)]
    return d


def test_attention_is_exported_as_plain_operations(onnx_dir):
    """Not torch's fused attention, whose exported masking guards (IsNaN, Where on the scores)
    slow ONNX Runtime down by about 8% for the same vectors."""
    import onnx

    (path,) = onnx_dir.iterdir()
    ops = {node.op_type for node in onnx.load(str(path)).graph.node}
    assert "Softmax" in ops and "IsNaN" not in ops, sorted(ops)


def test_onnx_vectors_agree_with_sentence_transformers(onnx_dir):
    texts = sample_texts()
    st = SentenceTransformerEncoder("default", onnx_dir=None)
    want = st.encode(texts)
    fast = SentenceTransformerEncoder("default", onnx_dir=onnx_dir)
    got = fast.encode(texts)
    assert fast.backend == "onnx" and st.backend == "sentence-transformers"
    assert fast.fingerprint == st.fingerprint and fast.dim == st.dim == got.shape[1]
    cos = np.sum(got * want, axis=1)
    assert cos.min() >= AGREEMENT_MIN, cos.min()
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


def test_a_damaged_export_falls_back_to_the_model(tmp_path, onnx_dir, caplog):
    d = tmp_path / "onnx"
    d.mkdir()
    (onnx_path,) = onnx_dir.iterdir()
    (d / onnx_path.name).write_bytes(onnx_path.read_bytes()[:1000])  # cut short
    enc = SentenceTransformerEncoder("default", onnx_dir=d)
    with caplog.at_level(logging.WARNING, logger="matcher.encoder"):
        v = enc.encode(["trail running in the Alps"])
    assert enc.backend == "sentence-transformers" and "cannot be loaded" in caplog.text
    ref = SentenceTransformerEncoder("default").encode(["trail running in the Alps"])
    assert float(v[0] @ ref[0]) > 0.9999


def test_match_starts_without_the_heavy_libraries(onnx_dir, tmp_path):
    """An index made by `matcher index` (adapted for the installed model's text model), then one
    new brief through `matcher match` with the learned ranker."""
    creators = tmp_path / "creators.jsonl"
    lines = (SAMPLE / "creators.jsonl").read_text(encoding="utf-8").splitlines()[:200]
    creators.write_text("\n".join(lines) + "\n", encoding="utf-8")
    sample_index_dir = tmp_path / "idx"
    built = subprocess.run(
        [sys.executable, "-m", "matcher", "index", "--creators", str(creators), "--out",
         str(sample_index_dir), "--quiet", "--cache-dir", str(TEST_CACHE)],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-2000:]
    brief = json.loads((SAMPLE / "briefs.jsonl").read_text(encoding="utf-8").splitlines()[0])
    brief["description"] += " (a brief never encoded before)"
    path = tmp_path / "brief.json"
    path.write_text(json.dumps(brief), encoding="utf-8")
    code = (
        "import sys; from matcher.cli import main; "
        f"rc = main(['match', '--index', {str(sample_index_dir)!r}, '--brief', {str(path)!r}, "
        f"'--format', 'json', '--quiet', '--cache-dir', {str(onnx_dir.parent)!r}]); "
        "heavy = [m for m in ('torch', 'transformers', 'sentence_transformers', 'sklearn', "
        "'lightgbm', 'pandas') if m in sys.modules]; "
        "print('HEAVY', heavy, file=sys.stderr); "
        # the learned ranker ran (through LightGBM's C library), not a weighted fallback
        "from matcher.learn.lgbm_c import _lib; "
        "print('CLIB', _lib.cache_info().currsize, file=sys.stderr); sys.exit(rc)"
    )
    r = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert r.returncode == 0, r.stderr[-2000:]
    assert "HEAVY []" in r.stderr and "CLIB 1" in r.stderr, r.stderr[-2000:]
    out = json.loads(r.stdout)
    assert out["matches"]
    assert "Loading weights" not in r.stderr
