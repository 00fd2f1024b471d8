"""Reading the interchange files of FORMATS.md, with file/line/field errors.

Readers collect every problem in a file and raise one :class:`~matcher.errors.ValidationError`
carrying all of them; :func:`validate_file` returns the same problems without raising. Line
numbers are 1-based lines of the file (for CSV the header is line 1; a row that spans several
lines is reported at its first line); for parquet they are 1-based row numbers. Record-level
checks live in :mod:`matcher.io.records`. pandas is not needed; pyarrow and PyYAML are imported
only when a parquet or YAML file is read, so ``matcher validate`` starts quickly.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from matcher.errors import MatcherError, Problem, ValidationError
from matcher.io.decode import (
    csv_creator_items,
    csv_rows,
    json_items,
    jsonl_items,
    parquet_items,
    read_text,
    yaml_items,
)
from matcher.io.records import BRIEF_KEYS, CREATOR_KEYS, RecordChecker
from matcher.io.values import show
from matcher.schema import Brief, Creator, Label

PathArg = str | os.PathLike[str]
KINDS = ("creators", "briefs", "labels")
CREATOR_SUFFIXES = (".jsonl", ".json", ".csv", ".parquet")
BRIEF_SUFFIXES = (".jsonl", ".json", ".yaml", ".yml")
LABEL_HEADER = ("brief_id", "creator_id", "relevance")


# -- public readers -----------------------------------------------------------------------------


def read_creators(path: PathArg, *, strict: bool = False) -> list[Creator]:
    """Creators from a ``.jsonl`` / ``.json``, ``.csv`` or ``.parquet`` file, in file order.

    Values that are valid but likely wrong (see :class:`~matcher.io.values.PlausibilityWarning`)
    are warned about, or with ``strict`` reported as problems."""
    creators, problems = _check_creators(Path(path), str(path), strict)
    if problems:
        raise ValidationError(problems)
    return creators


def stream_creators(path: PathArg, *, strict: bool = False) -> tuple[int, Iterator[Creator]]:
    """(how many, the creators in file order) of a creators file, checked whole first: every
    problem is raised as by :func:`read_creators` before the first creator is given. A JSON Lines
    file is never held whole: it is read once to check it and again as the creators are taken,
    so an index build of millions stays in bounded memory. Other formats are read whole.
    A file that changes between the two reads raises :class:`MatcherError` when it is noticed."""
    path = Path(path)
    if path.suffix.lower() != ".jsonl":
        creators = read_creators(path, strict=strict)
        return len(creators), iter(creators)
    checker = _creator_checker(path, str(path), strict)
    count = sum(1 for _ in _each_creator(path, checker))
    checker.warn_doubts()
    if checker.problems:
        raise ValidationError(_in_file_order(checker.problems))
    return count, _read_again(path, checker, count)


def _read_again(path: Path, checker: RecordChecker, count: int) -> Iterator[Creator]:
    n = 0
    for creator in _each_creator(path, checker):  # the same checker: nothing warned twice
        n += 1
        yield creator
    if checker.problems or n != count:
        raise MatcherError(f"{path}: the file changed while it was read; run the command again")


def read_briefs(path: PathArg, *, strict: bool = False) -> list[Brief]:
    """Briefs from ``.jsonl`` (many), ``.json`` or ``.yaml`` (one object, or a list of them).

    A file holding a single brief object may leave out ``brief_id``: it then gets the file stem.
    """
    briefs, problems = _check_briefs(Path(path), str(path), strict)
    if problems:
        raise ValidationError(problems)
    return briefs


def read_labels(
    path: PathArg, brief_ids: set[str] | None = None, creator_ids: set[str] | None = None
) -> list[Label]:
    """Graded labels from a ``labels.csv``; with id sets given, unknown ids are problems too."""
    labels, problems = _check_labels(Path(path), str(path), brief_ids, creator_ids)
    if problems:
        raise ValidationError(problems)
    return labels


def brief_from_dict(d: Any, source: str = "<brief>", line: int | None = None) -> Brief:
    """One brief from a decoded object (e.g. an HTTP body); ``brief_id`` defaults to ``brief``.

    Raises ValidationError listing every bad field, each named by its dotted path.
    """
    checker = RecordChecker(source)
    checker.line = line
    if not isinstance(d, Mapping):
        checker.problem(None, f"a brief must be an object, got {_kind_of(d)}")
        raise ValidationError(checker.problems)
    brief = checker.brief(d, default_id="brief")
    if brief is None:
        raise ValidationError(checker.problems)
    return brief


def validate_file(path: PathArg, kind: str | None = None, *, strict: bool = False) -> list[Problem]:
    """Every problem of a creators, briefs or labels file (kind detected unless given): the
    same checks, by the same code, as the readers that ``index``, ``match``, ``eval`` and
    ``train`` use, so nothing ``validate`` accepts is refused by them later."""
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)} or None, got {kind!r}")
    p, source = Path(path), str(path)
    found = kind or detect_kind(p)
    if found == "creators":
        return _check_creators(p, source, strict)[1]
    if found == "briefs":
        return _check_briefs(p, source, strict)[1]
    if found == "labels":
        return _check_labels(p, source, None, None)[1]
    if not p.is_file():
        return [Problem(source, None, None, "file not found")]
    return [
        Problem(
            source,
            None,
            None,
            "cannot tell whether this is a creators, briefs or labels "
            "file: name it creators.*, briefs.* or labels.csv, or pass the kind",
        )
    ]


def detect_kind(path: PathArg) -> str | None:
    """``creators``, ``briefs`` or ``labels`` from a file's extension, first record and name."""
    p = Path(path)
    suffix, name = p.suffix.lower(), p.stem.lower()
    if suffix in (".yaml", ".yml"):
        return "briefs"
    if suffix == ".parquet":
        return "creators"
    keys: set[str] = set()
    with contextlib.suppress(OSError, ValueError):
        with p.open("rb") as f:
            first = f.readline(1 << 20).decode("utf-8-sig", errors="replace").strip()
        if suffix == ".csv":
            header = tuple(h.strip() for h in next(csv.reader([first]), []))
            if header == LABEL_HEADER:
                return "labels"
            keys = set(header)
        elif first.startswith("{") and _is_json_text(first):
            keys = set(json.loads(first))
        elif first[:1] in ("{", "[") and p.stat().st_size < (8 << 20):  # a pretty-printed .json
            value = json.loads(p.read_text("utf-8-sig"))
            value = value[0] if isinstance(value, list) and value else value
            keys = set(value) if isinstance(value, dict) else set()
    if "creator_id" in keys:
        return "creators"
    if "brief_id" in keys:
        return "briefs"
    for word, kind in (("label", "labels"), ("brief", "briefs"), ("creator", "creators")):
        if word in name:
            return kind
    if keys & (CREATOR_KEYS - BRIEF_KEYS):
        return "creators"
    if keys & (BRIEF_KEYS - CREATOR_KEYS):
        return "briefs"
    return None


# -- checking whole files -----------------------------------------------------------------------


def _check_creators(
    path: Path, source: str, strict: bool = False
) -> tuple[list[Creator], list[Problem]]:
    checker = _creator_checker(path, source, strict)
    if checker.problems:
        return [], checker.problems
    creators = list(_each_creator(path, checker))
    checker.warn_doubts()
    return creators, _in_file_order(checker.problems)


def _creator_checker(path: Path, source: str, strict: bool) -> RecordChecker:
    """The checker of a creators file; it already holds the problem of an unknown suffix."""
    suffix = path.suffix.lower()
    checker = RecordChecker(source, cells_are_text=suffix in (".csv", ".parquet"), strict=strict)
    checker.unit = "row" if suffix == ".parquet" else "line"
    if suffix not in CREATOR_SUFFIXES:
        checker.problems.append(_bad_suffix(source, suffix, "creators", CREATOR_SUFFIXES))
    return checker


def _each_creator(path: Path, checker: RecordChecker) -> Iterator[Creator]:
    """The valid creators of a file in file order, every problem going to ``checker``; JSON Lines
    are read a line at a time."""
    suffix = path.suffix.lower()
    items: Iterable[tuple[int, Any]]
    if suffix == ".parquet":
        items, blank = parquet_items(path, checker), False
    elif suffix == ".jsonl":  # each line not blank gives a record or a problem
        items, blank = jsonl_items(path, checker), True
    else:
        text = read_text(path, checker)
        if text is None:
            return
        blank = not text.strip()
        if suffix == ".csv":
            items = csv_creator_items(text, checker)
        else:
            items = json_items(text, checker, allow_document=True)[0]
    first_seen: dict[str, int] = {}
    any_record = False
    for line, record in items:
        any_record = True
        checker.line = line
        if not isinstance(record, dict):
            checker.problem(None, f"expected a creator object, got {_kind_of(record)}")
            continue
        creator = checker.creator(record)
        raw_id = record.get("creator_id")
        if isinstance(raw_id, str) and raw_id.strip():
            first = first_seen.setdefault(raw_id, line)
            if first != line:
                checker.problem(
                    "creator_id",
                    f"duplicate creator_id {raw_id!r}: first seen on {checker.unit} {first}",
                )
                continue
        if creator is not None:
            yield creator
    if not any_record and not checker.problems:
        what = "is empty" if blank else "has no records"
        checker.problem(None, f"file {what}: expected at least one creator", line=None)


def _check_briefs(
    path: Path, source: str, strict: bool = False
) -> tuple[list[Brief], list[Problem]]:
    suffix = path.suffix.lower()
    if suffix not in BRIEF_SUFFIXES:
        return [], [_bad_suffix(source, suffix, "briefs", BRIEF_SUFFIXES)]
    checker = RecordChecker(source, strict=strict)
    text = read_text(path, checker)
    if text is None:
        return [], checker.problems
    if suffix in (".yaml", ".yml"):
        items, single = yaml_items(text, checker)
    else:
        items, single = json_items(text, checker, allow_document=suffix == ".json")
    briefs: list[Brief] = []
    first_seen: dict[str, int] = {}
    for line, record in items:
        checker.line = line
        if not isinstance(record, dict):
            checker.problem(None, f"expected a brief object, got {_kind_of(record)}")
            continue
        brief = checker.brief(record, default_id=path.stem if single else None)
        raw_id = record.get("brief_id")
        if isinstance(raw_id, str) and raw_id.strip():
            first = first_seen.setdefault(raw_id, line)
            if first != line:
                checker.problem(
                    "brief_id", f"duplicate brief_id {raw_id!r}: first seen on line {first}"
                )
                continue
        if brief is not None:
            briefs.append(brief)
    if not items and not checker.problems:
        what = "is empty" if not text.strip() else "has no records"
        checker.problem(None, f"file {what}: expected at least one brief", line=None)
    checker.warn_doubts()
    return briefs, _in_file_order(checker.problems)


def _check_labels(
    path: Path, source: str, brief_ids: set[str] | None, creator_ids: set[str] | None
) -> tuple[list[Label], list[Problem]]:
    suffix = path.suffix.lower()
    if suffix != ".csv":
        return [], [_bad_suffix(source, suffix, "labels", (".csv",))]
    checker = RecordChecker(source)
    text = read_text(path, checker)
    if text is None:
        return [], checker.problems
    header, rows = csv_rows(text, checker)
    if header is None:
        if not checker.problems:
            checker.problem(
                None, "file is empty: expected the header brief_id,creator_id,relevance"
            )
        return [], checker.problems
    if tuple(header) != LABEL_HEADER:
        checker.problem(
            None,
            f"header must be exactly brief_id,creator_id,relevance, got {','.join(header)!r}",
            line=1,
        )
        return [], checker.problems
    labels: list[Label] = []
    first_seen: dict[tuple[str, str], int] = {}
    for line, row in rows:
        checker.line = line
        before = len(checker.problems)
        if len(row) != 3:
            checker.problem(
                None, f"row has {len(row)} cells, expected 3 (brief_id,creator_id,relevance)"
            )
            continue
        brief_id, creator_id, rel = (cell.strip() for cell in row)
        for field, value, known in (
            ("brief_id", brief_id, brief_ids),
            ("creator_id", creator_id, creator_ids),
        ):
            if not value:
                checker.problem(field, f"{field} is required: expected a non-empty string")
            elif known is not None and value not in known:
                checker.problem(
                    field, f"unknown {field} {value!r}: not among the {len(known)} known ids"
                )
        if rel not in ("0", "1", "2", "3"):
            got = rel if re.fullmatch(r"[+-]?\d+", rel) else show(rel)
            checker.problem("relevance", f"relevance must be an integer 0-3, got {got}")
        if brief_id and creator_id:
            first = first_seen.setdefault((brief_id, creator_id), line)
            if first != line:
                checker.problem(
                    "creator_id",
                    f"duplicate pair ({brief_id!r}, {creator_id!r}): first seen on line {first}",
                )
        if len(checker.problems) == before:
            labels.append(Label(brief_id, creator_id, int(rel)))
    if not rows and not checker.problems:
        checker.problem(
            None, "file has a header but no rows: expected at least one label", line=None
        )
    return labels, _in_file_order(checker.problems)


# -- helpers -------------------------------------------------------------------------------------


def _in_file_order(problems: list[Problem]) -> list[Problem]:
    """File-level problems first, then by line (stable: a record's problems keep their order)."""
    return sorted(problems, key=lambda p: -1 if p.line is None else p.line)


def _is_json_text(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


def _kind_of(value: Any) -> str:
    names = {
        bool: "a boolean",
        list: "an array",
        str: "a string",
        int: "a number",
        float: "a number",
    }
    return "null" if value is None else names.get(type(value), type(value).__name__)


def _bad_suffix(source: str, suffix: str, kind: str, allowed: tuple[str, ...]) -> Problem:
    return Problem(
        source,
        None,
        None,
        f"unknown file extension {suffix or '(none)'!r}: {kind} are read from {', '.join(allowed)}",
    )
