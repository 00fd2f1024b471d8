"""Writing files and directories all or nothing: a temporary sibling, then a rename.

Used by every writer in matcher: reports and split files (:func:`atomic_write_text`), the index
and model directories (:func:`replacing_dir`).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import json
import os
import re
import shutil
import stat
import sys
import tempfile
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any

from matcher.errors import MatcherError

PathArg = str | os.PathLike[str]


def atomic_write_bytes(path: PathArg, data: bytes) -> None:
    """Write ``data`` to ``path`` all or nothing: temp file beside it, fsync, rename into place.

    An existing file keeps its permission bits; a new one gets 0o644. The directory must exist.
    """
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        try:
            mode = stat.S_IMODE(os.stat(target).st_mode)
        except FileNotFoundError:
            mode = 0o644
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(target.parent)


def atomic_write_text(path: PathArg, text: str) -> None:
    """:func:`atomic_write_bytes` of ``text`` encoded as UTF-8 (newlines written as given)."""
    atomic_write_bytes(path, text.encode("utf-8"))


@contextlib.contextmanager
def replacing_dir(
    out: PathArg, *, marker: str, what: str, contents: Collection[str] | None = None
) -> Iterator[Path]:
    """A temporary sibling directory of ``out`` to fill; it replaces ``out`` when the block ends.

    ``out`` may be missing, empty, or matcher's own directory: ``marker`` (a JSON file matcher
    wrote there) holding an object with a ``format_version``, and nothing but ``contents`` (the
    names matcher writes there) beside it. Anything else is refused before a byte is written, so
    a user's folder that happens to hold a ``manifest.json`` is never replaced. If the block
    raises, the temporary directory is removed and ``out`` is untouched.

    The replacement is one atomic step where the system has one (Linux ``renameat2`` with
    ``RENAME_EXCHANGE``: the new and the old directory trade places), so at every instant ``out``
    holds a complete directory, the old or the new; a process killed at any point leaves one of
    the two. Elsewhere it takes two renames, and a run killed between them leaves the old
    directory beside ``out``, put back by :func:`recover` (called by every writer and loader).
    Leftovers of killed runs (``.NAME.build-PID-*``, ``.NAME.new-PID-*``, ``.NAME.old-PID-*``
    whose process is gone) are removed when the next run starts.
    """
    out = Path(out)
    recover(out)
    if out.exists():
        check_replaceable(out, marker, what, contents)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = scratch_dir(out, "new")
    try:
        yield tmp
        if out.exists():
            if exchange(tmp, out):
                _remove(tmp)  # tmp now holds the old directory (or the symlink ``out`` was)
            else:
                old = out.with_name(f".{out.name}.old-{os.getpid()}-{tmp.name.rsplit('-', 1)[1]}")
                os.replace(out, old)
                os.replace(tmp, out)
                _remove(old)
        else:
            os.replace(tmp, out)
        _fsync_dir(out.parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


_SCRATCH = re.compile(r"\.(?P<name>.+)\.(?P<kind>build|new|old)-(?P<pid>\d+)-[A-Za-z0-9_]+")


def scratch_dir(out: PathArg, kind: str) -> Path:
    """A new hidden sibling of ``out`` named ``.NAME.KIND-PID-RANDOM``, after removing the ones
    that killed runs left behind (see :func:`recover`)."""
    out = Path(out)
    recover(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{out.name}.{kind}-{os.getpid()}-", dir=out.parent))


def recover(out: PathArg) -> None:
    """Undo what a killed run left beside ``out``: an old directory set aside by the two-rename
    fallback is put back if ``out`` is missing; every other leftover of a process that is gone
    is removed. Directories of runs still going are left alone."""
    out = Path(out)
    try:
        siblings = list(out.parent.iterdir())
    except OSError:
        return
    for p in siblings:
        m = _SCRATCH.fullmatch(p.name)
        if m is None or m["name"] != out.name or _alive(int(m["pid"])):
            continue
        if m["kind"] == "old" and not out.exists() and not out.is_symlink():
            with contextlib.suppress(OSError):
                os.replace(p, out)
            continue  # put back, or left for the user if even that fails: never deleted
        _remove(p)


def _remove(p: Path) -> None:
    if p.is_symlink():
        with contextlib.suppress(OSError):
            p.unlink()
    else:
        shutil.rmtree(p, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def exchange(a: PathArg, b: PathArg) -> bool:
    """Swap two existing paths in one atomic step; False where the system cannot (then nothing
    has changed)."""
    fn = _renameat2()
    if fn is None:
        return False
    r = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if r == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), os.fspath(b))


@functools.cache
def _renameat2() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # make renames durable; not possible everywhere
        dir_fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def check_replaceable(
    out: Path, marker: str, what: str, contents: Collection[str] | None = None
) -> None:
    """Refuse (MatcherError naming ``out``) unless ``out`` is a directory :func:`replacing_dir`
    may replace; called early by commands, so nothing is computed for an output refused later."""
    if not out.exists():
        return
    if not out.is_dir():
        raise MatcherError(f"{out}: exists and is not a directory; refusing to overwrite it")
    names = {p.name for p in out.iterdir()}
    if not names:
        return
    refuse = f"{out}: exists and is not {what} written by matcher; refusing to overwrite it"
    try:
        head = json.loads((out / marker).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        raise MatcherError(f"{refuse} (no readable {marker}); choose another --out") from None
    if not isinstance(head, dict) or not isinstance(head.get("format_version"), int):
        raise MatcherError(f"{refuse} ({marker} is not matcher's); choose another --out")
    extra = sorted(names - set(contents)) if contents is not None else []
    if extra:
        shown = ", ".join(extra[:3]) + (", ..." if len(extra) > 3 else "")
        raise MatcherError(f"{refuse} (it also holds {shown}); choose another --out")


def sqlite_backup(src: Path, dst: Path) -> Path:
    """A consistent copy of the SQLite database ``src`` at ``dst`` (SQLite's backup API)."""
    import sqlite3

    a = sqlite3.connect(src)
    b = sqlite3.connect(dst)
    with b:
        a.backup(b)
    a.close()
    b.close()
    return dst
