"""A trained LightGBM model through LightGBM's C library, without importing the ``lightgbm``
Python package (which imports scikit-learn and pandas: about 1.3 s of every ``matcher match``).

Only what ranking needs: load a model from its text, predict raw scores, and per-feature
contributions (TreeSHAP, ``pred_contrib``), by the same C functions ``lightgbm.Booster.predict``
calls, so the numbers are the same. Training still uses the ``lightgbm`` package.
"""

from __future__ import annotations

import ctypes
import functools
import importlib.util
import json
from pathlib import Path
from typing import Any

import numpy as np

from matcher.errors import MatcherError

_DTYPE_FLOAT32 = 0
_PREDICT_NORMAL = 0
_PREDICT_CONTRIB = 3


@functools.cache
def _lib() -> ctypes.CDLL:
    spec = importlib.util.find_spec("lightgbm")
    if spec is None or not spec.submodule_search_locations:
        raise MatcherError("the learned ranker needs the package 'lightgbm' (pip install lightgbm)")
    for folder in spec.submodule_search_locations:
        for name in ("lib/lib_lightgbm.so", "lib/lib_lightgbm.dylib", "lib/lib_lightgbm.dll"):
            path = Path(folder) / name
            if path.is_file():
                lib = ctypes.cdll.LoadLibrary(str(path))
                lib.LGBM_GetLastError.restype = ctypes.c_char_p
                return lib
    raise MatcherError("lightgbm is installed without its library lib_lightgbm")


def _check(code: int) -> None:
    if code != 0:
        raise MatcherError(f"LightGBM: {_lib().LGBM_GetLastError().decode('utf-8', 'replace')}")


class CBooster:
    """A LightGBM model loaded from its text (``model.txt``), for prediction only."""

    def __init__(self, model_str: str) -> None:
        lib = _lib()
        self._handle = ctypes.c_void_p()
        iterations = ctypes.c_int()
        _check(
            lib.LGBM_BoosterLoadModelFromString(
                ctypes.c_char_p(model_str.encode("utf-8")),
                ctypes.byref(iterations),
                ctypes.byref(self._handle),
            )
        )
        self._model_str = model_str
        n = ctypes.c_int()
        _check(lib.LGBM_BoosterGetNumFeature(self._handle, ctypes.byref(n)))
        self.num_feature = int(n.value)

    def __del__(self) -> None:
        handle = getattr(self, "_handle", None)
        if handle is not None and handle.value:
            _lib().LGBM_BoosterFree(handle)
            handle.value = None

    def feature_name(self) -> list[str]:
        """The feature names stored in the model (its ``feature_names=`` line)."""
        for line in self._model_str.splitlines():
            if line.startswith("feature_names="):
                return line.split("=", 1)[1].split()
        return [f"Column_{i}" for i in range(self.num_feature)]

    def model_to_string(self) -> str:
        return self._model_str

    def dump_model(self) -> dict[str, Any]:
        """The model as JSON (trees, splits, counts), as ``lightgbm.Booster.dump_model`` gives
        it (``LGBM_BoosterDumpModel``)."""
        size, needed = 1 << 20, ctypes.c_int64()
        while True:
            buf = ctypes.create_string_buffer(size)
            _check(
                _lib().LGBM_BoosterDumpModel(
                    self._handle, ctypes.c_int(0), ctypes.c_int(-1), ctypes.c_int(0),
                    ctypes.c_int64(size), ctypes.byref(needed), buf,
                )
            )  # fmt: skip
            if needed.value <= size:
                return dict(json.loads(buf.value.decode("utf-8")))
            size = int(needed.value)

    def predict(
        self, X: np.ndarray, *, pred_contrib: bool = False, num_threads: int = 0
    ) -> np.ndarray:
        """Raw scores (n,), or with ``pred_contrib`` per-feature contributions and the bias
        (n, features + 1), as ``lightgbm.Booster.predict`` gives them."""
        X = np.ascontiguousarray(X, dtype=np.float32)
        if X.ndim != 2 or X.shape[1] != self.num_feature:
            raise ValueError(f"X must have {self.num_feature} columns, got shape {X.shape}")
        n = X.shape[0]
        width = self.num_feature + 1 if pred_contrib else 1
        out = np.zeros(n * width, dtype=np.float64)
        if n == 0:
            return out.reshape(0, width) if pred_contrib else out
        out_len = ctypes.c_int64()
        params = f"num_threads={int(num_threads)}" if num_threads > 0 else ""
        _check(
            _lib().LGBM_BoosterPredictForMat(
                self._handle,
                X.ctypes.data_as(ctypes.c_void_p),
                ctypes.c_int(_DTYPE_FLOAT32),
                ctypes.c_int32(n),
                ctypes.c_int32(X.shape[1]),
                ctypes.c_int(1),  # row major
                ctypes.c_int(_PREDICT_CONTRIB if pred_contrib else _PREDICT_NORMAL),
                ctypes.c_int(0),  # start iteration
                ctypes.c_int(
                    -1
                ),  # every iteration, as lightgbm.Booster.predict does for a loaded model
                ctypes.c_char_p(params.encode("utf-8")),
                ctypes.byref(out_len),
                out.ctypes.data_as(ctypes.POINTER(ctypes.c_double)),
            )
        )
        if out_len.value != n * width:
            raise MatcherError(f"LightGBM returned {out_len.value} values for {n} x {width}")
        return out.reshape(n, width) if pred_contrib else out
