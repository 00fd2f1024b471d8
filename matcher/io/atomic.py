"""Writing files and directories all or nothing: a temporary sibling, then a rename.

Used by every writer in matcher: reports and split files (:func:`atomic_write_text`), the index
and model directories (:func:`replacing_dir`).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Collection, Iterator
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
def replacing_dir(
    out: PathArg, *, marker: str, what: str, contents: Collection[str] | None = None
) -> Iterator[Path]:
    """A temporary sibling directory of ``out`` to fill; it replaces ``out`` when the block ends.

    ``out`` may be missing, empty, or matcher's own directory: ``marker`` (a JSON file matcher
    wrote there) holding an object with a ``format_version``, and nothing but ``contents`` (the
    names matcher writes there) beside it. Anything else is refused before a byte is written, so
    a user's folder that happens to hold a ``manifest.json`` is never replaced. If the block
    raises, the temporary directory is removed and ``out`` is untouched.
    """
    out = Path(out)
    if out.exists():
        check_replaceable(out, marker, what, contents)
    out.parent.mkdir(parents=True, exist_ok=True)
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
