"""A sentence-transformers model run by ONNX Runtime: the same vectors, a fraction of the start-up.

``import sentence_transformers`` takes 5-10 s on this class of machine (torch, transformers);
ONNX Runtime and the ``tokenizers`` library load in well under a second and run the same
network at least as fast. The ONNX file is exported once from the local weights (never
downloaded) the first time the model is loaded through sentence-transformers, and kept in the
cache directory under the model's fingerprint. It is kept only if its vectors agree with
sentence-transformers' on :data:`PROBES` (cosine >= :data:`AGREEMENT_MIN` for every probe), so the
index fingerprint, the embedding cache and the rankings stay those of the model.

Only the usual architecture is exported: a Transformer, mean pooling, optional normalisation
(all-MiniLM-L6-v2 and most sentence-transformers models); anything else stays on
sentence-transformers.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

#: every probe's ONNX vector must have at least this cosine with sentence-transformers'
AGREEMENT_MIN = 0.999
#: how the export is made; a new one replaces files of an older revision. 2: attention exported
#: as plain operations ("eager"): torch's fused-attention path exports masking guards (Where,
#: IsNaN) that cost 8% of the forward pass on ONNX Runtime, for the same vectors
EXPORT_REVISION = 2
#: texts the export is checked on: short and long, several scripts, emoji, truncated ones
PROBES = (
    "trail running and ultra races in the Alps",
    "Organic skincare for sensitive skin, calm and honest reviews.",
    "x",
    "🍕🍕 pizza night!!! #ad @dominos",
    "Recette du jour : gratin dauphinois, simple et généreux.",
    "東京のカフェ巡りとラテアート",
    "Paid partnership with @hokaoneone. Use code RUN20 for 20% off " * 12,
    "budget travel hacks, hostels, street food and night trains across south-east Asia",
    "ASMR unboxing of mechanical keyboards; switches, keycaps, sound tests",
    "    spaced   out    text    ",
)


def _layout(model_dir: Path) -> tuple[list[str], dict[str, Any]] | None:
    """(module types in order, the pooling config) of a sentence-transformers model directory;
    None when they cannot be read."""
    try:
        modules = json.loads((model_dir / "modules.json").read_text(encoding="utf-8"))
        types = [m["type"].rsplit(".", 1)[-1] for m in modules]
        pooling = next(m["path"] for m in modules if m["type"].endswith("Pooling"))
        pool = json.loads((model_dir / pooling / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, StopIteration, TypeError, AttributeError):
        return None
    return (types, pool) if isinstance(pool, dict) else None


def supported(model_dir: Path) -> bool:
    """Whether the model is Transformer + mean pooling (+ Normalize), the one layout exported."""
    layout = _layout(model_dir)
    if layout is None:
        return False
    types, pool = layout
    modes = {k for k, v in pool.items() if k.startswith("pooling_mode") and v}
    return (
        types[:2] == ["Transformer", "Pooling"]
        and set(types[2:]) <= {"Normalize"}
        and modes == {"pooling_mode_mean_tokens"}
        and (model_dir / "tokenizer.json").is_file()
    )


def embedding_dim(model_dir: Path) -> int | None:
    """The vector size from the pooling config, without loading the model (None: unknown)."""
    layout = _layout(model_dir)
    with contextlib.suppress(KeyError, TypeError, ValueError):
        return int(layout[1]["word_embedding_dimension"]) if layout else None
    return None


def available() -> bool:
    """Whether ONNX Runtime and tokenizers can be imported."""
    try:
        import onnxruntime  # noqa: F401
        import tokenizers  # noqa: F401
    except ImportError:
        return False
    return True


class OnnxModel:
    """The exported network with its tokenizer: ``encode`` gives L2-normalised float32 rows."""

    def __init__(self, path: Path, model_dir: Path, max_seq_length: int, batch_size: int) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        opts = ort.SessionOptions()
        # the serving process asks for one thread per query (OMP_NUM_THREADS=1); else all cores
        threads = os.environ.get("OMP_NUM_THREADS", "")
        opts.intra_op_num_threads = int(threads) if threads.isdigit() else 0
        opts.log_severity_level = 3
        self._session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        tok.enable_truncation(max_length=max_seq_length)
        tok.no_padding()
        self._tok = tok
        self._inputs = {i.name for i in self._session.get_inputs()}
        self.batch_size = batch_size

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        encoded = self._tok.encode_batch(list(texts))
        lengths = np.array([len(e.ids) for e in encoded])
        order = np.argsort(lengths, kind="stable")  # similar lengths together: little padding
        out: np.ndarray | None = None
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            width = int(lengths[idx].max())
            ids = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for row, j in enumerate(idx):
                n = lengths[j]
                ids[row, :n] = encoded[j].ids
                mask[row, :n] = 1
            feed = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._inputs:
                feed["token_type_ids"] = np.zeros_like(ids)
            hidden = self._session.run(None, feed)[0]
            m = mask[:, :, None].astype(np.float32)
            vec = (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
            vec /= np.maximum(np.linalg.norm(vec, axis=1, keepdims=True), 1e-12)
            if out is None:
                out = np.zeros((len(texts), vec.shape[1]), dtype=np.float32)
            out[idx] = vec
        assert out is not None
        return out


def file_name(fingerprint: str) -> str:
    """The export's file name for a model fingerprint, at this :data:`EXPORT_REVISION`."""
    return f"{fingerprint}.r{EXPORT_REVISION}.onnx"


def stale(onnx_dir: Path, fingerprint: str) -> list[Path]:
    """Exports of this model made at other revisions of :func:`export` (to be removed)."""
    keep = file_name(fingerprint)
    return [p for p in onnx_dir.glob(f"{fingerprint}.*onnx") if p.name != keep]


@contextlib.contextmanager
def eager_attention(transformer: Any) -> Any:
    """The transformer with attention computed by plain operations, as it was afterwards."""
    before = getattr(transformer.config, "_attn_implementation", None)
    switch = before not in (None, "eager") and hasattr(transformer, "set_attn_implementation")
    if switch:
        transformer.set_attn_implementation("eager")
    try:
        yield transformer
    finally:
        if switch:
            transformer.set_attn_implementation(before)


def export(st: Any, model_dir: Path, path: Path, max_seq_length: int) -> float:
    """Export the loaded SentenceTransformer ``st`` to ``path`` (atomically) and return the
    smallest cosine between its vectors and ``st``'s on :data:`PROBES`; nothing is written when
    it is below :data:`AGREEMENT_MIN` (raises ValueError)."""
    import torch

    transformer = st[0].auto_model.eval()

    class _Hidden(torch.nn.Module):
        def __init__(self, model: Any) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        dummy = torch.ones((2, 8), dtype=torch.long)
        axes = {0: "batch", 1: "tokens"}
        with torch.no_grad(), warnings.catch_warnings(), eager_attention(transformer):
            warnings.simplefilter("ignore")  # the exporter's notes on operators it rewrites
            torch.onnx.export(
                _Hidden(transformer),
                (dummy, dummy, torch.zeros_like(dummy)),
                str(tmp),
                input_names=["input_ids", "attention_mask", "token_type_ids"],
                output_names=["last_hidden_state"],
                dynamic_axes={
                    "input_ids": axes,
                    "attention_mask": axes,
                    "token_type_ids": axes,
                    "last_hidden_state": axes,
                },
                opset_version=17,
                dynamo=False,
            )
        got = OnnxModel(tmp, model_dir, max_seq_length, 16).encode(PROBES)
        want = st.encode(list(PROBES), normalize_embeddings=True, convert_to_numpy=True)
        agreement = float(np.min(np.sum(got * want, axis=1)))
        if agreement < AGREEMENT_MIN:
            raise ValueError(f"ONNX vectors agree only to cosine {agreement:.6f}")
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        return agreement
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
