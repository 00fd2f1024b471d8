"""An index (or model) being replaced is killed with SIGKILL at every stage of the replacement:
the path must still hold a complete index that loads and answers, and the next run must leave
no hidden build/old directories behind.

Each case runs a real child process that builds an index and kills itself (``os.kill(getpid(),
SIGKILL)``, no cleanup handlers run) at the stage under test.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, SAMPLE, TEST_CACHE, FakeEncoder, sample_creators

from matcher.index import CreatorIndex, build_and_save
from matcher.io import atomic

OLD, NEW = 30, 40  # creators in the index before and after the replacement

# code run in the child before it builds the new index: arranges the SIGKILL at one stage
STAGES = {
    # while embedding: only the build scratch directory exists
    "embedding": """
        FakeEncoder.encode = lambda self, texts, progress=False: die()
    """,
    # half-way through writing the new directory (vectors written, FAISS file not yet)
    "writing": """
        import faiss
        faiss.write_index = lambda *a, **k: die()
    """,
    # the new directory complete, the swap not yet made
    "before-swap": """
        atomic.exchange = lambda a, b: die()
    """,
    # swapped; the old directory (now under the scratch name) not yet removed
    "after-swap": """
        real = atomic.exchange
        def swap_then_die(a, b):
            real(a, b)
            die()
        atomic.exchange = swap_then_die
    """,
    # where no atomic exchange exists: between the two renames of the fallback
    "between-renames": """
        atomic.exchange = lambda a, b: False
        calls = []
        real_replace = os.replace
        def replace(a, b):
            calls.append(a)
            if len(calls) == 2:
                die()
            real_replace(a, b)
        atomic.os = type(os)("os_patched")
        atomic.os.__dict__.update(os.__dict__)
        atomic.os.replace = replace
    """,
    # removing the old directory after the swap
    "cleanup": """
        atomic.shutil = type(shutil)("shutil_patched")
        atomic.shutil.rmtree = lambda *a, **k: die()
    """,
}
AFTER_SWAP = {"after-swap", "cleanup"}  # stages at which the new index is already in place

CHILD = """
import os, shutil, signal, sys
sys.path.insert(0, {tests!r})
from conftest import FakeEncoder, sample_creators
from matcher.index import build_and_save
from matcher.io import atomic

def die(*a, **k):
    os.kill(os.getpid(), signal.SIGKILL)

{stage}
build_and_save(sample_creators({new}), FakeEncoder(), {out!r})
print("not killed")
"""


def run_child(stage: str, out: Path) -> subprocess.CompletedProcess[str]:
    code = CHILD.format(
        tests=str(ROOT / "tests"),
        stage=textwrap.dedent(STAGES[stage]),
        new=NEW,
        out=str(out),
    )
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )


def hidden(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


def answers(out: Path, enc: FakeEncoder) -> int:
    """Load the index at ``out`` and search it; the number of creators it holds."""
    idx = CreatorIndex.load(out, fingerprint=enc.fingerprint)
    rows, sims = idx.search(enc.encode(["skincare routine for dry skin"])[0], 10)
    assert len(rows) == 10 and np.all(np.isfinite(sims))
    got = idx.catalogue.get_rows(rows.tolist())
    assert all(c.creator_id for c in got)
    idx.catalogue.close()
    return idx.manifest.count


@pytest.mark.parametrize("stage", list(STAGES))
def test_sigkill_at_every_stage_leaves_a_loadable_index(tmp_path, stage):
    enc = FakeEncoder()
    out = tmp_path / "idx"
    build_and_save(sample_creators(OLD), enc, out)

    r = run_child(stage, out)
    assert r.returncode == -signal.SIGKILL, (r.returncode, r.stdout, r.stderr[-2000:])

    if stage != "between-renames":
        # at every instant the path held a complete index: it is there, untouched by any repair
        assert out.is_dir()
        assert answers(out, enc) == (NEW if stage in AFTER_SWAP else OLD)
    else:
        # the one non-atomic path: the old index sits beside the path until a loader puts it back
        assert not out.exists() and any(".old-" in n for n in hidden(tmp_path))
        assert answers(out, enc) == OLD
    # the next run cleans up after the killed one and replaces the index as asked
    build_and_save(sample_creators(OLD + 5), enc, out)
    assert answers(out, enc) == OLD + 5
    assert hidden(tmp_path) == []


def test_leftovers_of_a_running_build_are_not_removed(tmp_path):
    """Only directories of processes that are gone are cleaned: a concurrent build keeps its own."""
    out = tmp_path / "idx"
    mine = atomic.scratch_dir(out, "build")  # this process is alive
    dead = tmp_path / f".idx.build-{_dead_pid()}-abc123"
    dead.mkdir()
    (dead / "faiss.index").write_bytes(b"x" * 100)
    other = tmp_path / ".idx.build-notes"  # not matcher's naming: never touched
    other.mkdir()
    atomic.recover(out)
    assert mine.is_dir() and not dead.exists() and other.is_dir()


def test_exchange_swaps_two_directories_in_one_step(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "x").write_text("A")
    (b / "x").write_text("B")
    if not atomic.exchange(a, b):
        pytest.skip("no atomic exchange on this system (the two-rename fallback is tested)")
    assert (a / "x").read_text() == "B" and (b / "x").read_text() == "A"


@pytest.mark.integration
def test_matcher_index_killed_after_the_swap_with_the_real_model(tmp_path):
    """The real `matcher index` (real model, FAISS, SQLite) killed right after the swap: the new
    index answers `matcher match`, and the next `matcher index` leaves no hidden directories."""
    creators = tmp_path / "creators.jsonl"
    lines = (SAMPLE / "creators.jsonl").read_text(encoding="utf-8").splitlines()
    creators.write_text("\n".join(lines[:60]) + "\n", encoding="utf-8")
    out = tmp_path / "idx"
    env = {**os.environ, "MATCHER_CACHE": str(TEST_CACHE)}
    cmd = ["index", "--creators", str(creators), "--out", str(out), "--quiet"]
    first = subprocess.run(
        [sys.executable, "-m", "matcher", *cmd], env=env, capture_output=True, text=True
    )
    assert first.returncode == 0, first.stderr
    creators.write_text("\n".join(lines[:80]) + "\n", encoding="utf-8")
    code = textwrap.dedent(
        f"""
        import os, signal, sys
        from matcher.io import atomic
        real = atomic.exchange
        def swap_then_die(a, b):
            real(a, b)
            os.kill(os.getpid(), signal.SIGKILL)
        atomic.exchange = swap_then_die
        from matcher.cli import main
        sys.exit(main({cmd!r}))
        """
    )
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert r.returncode == -signal.SIGKILL, r.stderr[-2000:]
    assert any(n.startswith(".idx.") for n in hidden(tmp_path))  # the old index, set aside
    brief = tmp_path / "brief.json"
    brief.write_text((SAMPLE / "briefs.jsonl").read_text(encoding="utf-8").splitlines()[0])
    match = subprocess.run(
        [sys.executable, "-m", "matcher", "match", "--index", str(out), "--brief", str(brief)]
        + ["--k", "5", "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert match.returncode == 0, match.stderr
    assert '"creator_id"' in match.stdout
    assert CreatorIndex.load(out).manifest.count == 80
    again = subprocess.run(
        [sys.executable, "-m", "matcher", *cmd], env=env, capture_output=True, text=True
    )
    assert again.returncode == 0, again.stderr
    assert hidden(tmp_path) == []


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid
