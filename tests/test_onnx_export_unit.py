"""How the ONNX export names its file and switches attention, with a stand-in transformer."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from matcher import onnx_backend


class Transformer:
    def __init__(self, impl: str | None) -> None:
        self.config = SimpleNamespace(_attn_implementation=impl)
        self.calls: list[str] = []

    def set_attn_implementation(self, impl: str) -> None:
        self.calls.append(impl)
        self.config._attn_implementation = impl


def test_attention_is_eager_only_while_exporting():
    t = Transformer("sdpa")
    with onnx_backend.eager_attention(t):
        assert t.config._attn_implementation == "eager"
    assert t.config._attn_implementation == "sdpa" and t.calls == ["eager", "sdpa"]


def test_attention_is_restored_when_the_export_fails():
    t = Transformer("sdpa")
    with pytest.raises(RuntimeError), onnx_backend.eager_attention(t):
        raise RuntimeError("exporter failed")
    assert t.config._attn_implementation == "sdpa"


@pytest.mark.parametrize("impl", ["eager", None])
def test_a_model_already_eager_or_without_the_setting_is_left_alone(impl):
    t = Transformer(impl)
    with onnx_backend.eager_attention(t):
        pass
    assert t.calls == [] and t.config._attn_implementation == impl


def test_older_revisions_are_stale_and_the_current_one_is_kept(tmp_path):
    fp = "289c4f4ea5f045ac8fd0982f1f971ca8"
    current = tmp_path / onnx_backend.file_name(fp)
    for name in (f"{fp}.onnx", f"{fp}.r1.onnx", current.name, "0123.onnx", f".{fp}.onnx.x.tmp"):
        (tmp_path / name).write_bytes(b"")
    assert current.name.endswith(".onnx") and fp in current.name
    got = sorted(p.name for p in onnx_backend.stale(tmp_path, fp))
    assert got == [f"{fp}.onnx", f"{fp}.r1.onnx"]
