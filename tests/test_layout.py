"""House rules of the library's layout, checked on the source (STYLE.md: small modules)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from matcher.learn.features import FEATURES, PART_FEATURES
from matcher.signals import REGISTRY, SIGNALS

PACKAGE = Path(__file__).resolve().parents[1] / "matcher"
MODULES = sorted(PACKAGE.rglob("*.py"))
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 80


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_is_small(path: Path) -> None:
    n = len(path.read_text(encoding="utf-8").splitlines())
    assert n <= MAX_MODULE_LINES, f"{path.name} has {n} lines; split it"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_functions_are_short(path: Path) -> None:
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not long, f"{path.name}: {long}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_private_names_imported_across_modules(path: Path) -> None:
    private = [
        f"{node.module}.{alias.name}"
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("matcher")
        for alias in node.names
        if alias.name.startswith("_") and alias.name != "__version__"
    ]
    assert not private, f"{path.name} imports private names {private}"


def test_signal_names_are_listed_in_one_place() -> None:
    """No module but the registry spells out the list of signals."""
    listing = re.compile(r"[\"']niche[\"'],\s*[\"']tone[\"'],\s*[\"']audience[\"']")
    spelled = [
        str(p.relative_to(PACKAGE))
        for p in [*MODULES, *PACKAGE.rglob("*.js")]
        if listing.search(p.read_text(encoding="utf-8"))
    ]
    assert spelled == [], spelled
    assert tuple(spec.name for spec in REGISTRY) == SIGNALS


def test_every_signal_part_is_a_documented_feature() -> None:
    assert set(PART_FEATURES) <= set(FEATURES)
    for name, (signal, part) in PART_FEATURES.items():
        assert name == f"{signal}_{part}"


def test_every_package_directory_is_a_regular_package() -> None:
    """setuptools' find_packages (pyproject) skips a directory without ``__init__.py``: a
    non-editable install would lack it."""
    dirs = {p.parent for p in MODULES} - {PACKAGE / "models"}
    missing = [str(d.relative_to(PACKAGE)) for d in dirs if not (d / "__init__.py").exists()]
    assert not missing, f"add __init__.py to {missing}"


@pytest.mark.integration
def test_the_wheel_holds_every_module_and_the_default_model(tmp_path: Path) -> None:
    import subprocess
    import sys
    import zipfile

    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(PACKAGE.parent), "--no-deps",
         "--no-build-isolation", "-q", "-w", str(tmp_path)],
        check=True, capture_output=True,
    )  # fmt: skip
    (wheel,) = tmp_path.glob("matcher-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in MODULES:
        assert str(path.relative_to(PACKAGE.parent)) in names
    model = PACKAGE / "models" / "default"
    for path in model.rglob("*"):
        if path.is_file():
            assert str(path.relative_to(PACKAGE.parent)) in names
