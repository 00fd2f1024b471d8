"""Writing files and directories all or nothing: a temporary sibling, then a rename.

Used by every writer in matcher: reports and split files (:func:`atomic_write_text`), the index
and model directories (:func:`replacing_dir`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

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
    with contextlib.suppress(OSError):  # make the rename durable; not possible everywhere
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def atomic_write_text(path: PathArg, text: str) -> None:
    """:func:`atomic_write_bytes` of ``text`` encoded as UTF-8 (newlines written as given)."""
    atomic_write_bytes(path, text.encode("utf-8"))


@contextlib.contextmanager
def replacing_dir(out: PathArg, *, marker: str, what: str) -> Iterator[Path]:
    """A temporary sibling directory of ``out`` to fill; it replaces ``out`` when the block ends.

    ``out`` may be missing, empty, or a directory holding ``marker`` (a file matcher wrote there
    before); anything else is refused before a byte is written, so a user's folder is never
    replaced. If the block raises, the temporary directory is removed and ``out`` is untouched.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists() and any(out.iterdir()) and not (out / marker).exists():
        raise MatcherError(f"{out}: exists and is not {what}; refusing to overwrite it")
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        yield tmp
        if out.exists():
            old = out.with_name(f".{out.name}.old-{os.getpid()}")
            os.replace(out, old)
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
