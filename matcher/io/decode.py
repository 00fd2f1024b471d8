"""Decoding files into records: bytes to text, JSON Lines / JSON / YAML / CSV / parquet to
(line, value) pairs. Helpers of :mod:`matcher.io`; every problem goes to the RecordChecker.

Lines are 1-based lines of the file (a CSV row spanning several lines is reported at its first
line; the header is line 1); parquet "lines" are 1-based row numbers.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from matcher.io.records import RecordChecker
from matcher.io.values import show

#: creator columns that CSV (and optionally parquet) holds as JSON-encoded text
JSON_CELLS = {
    "posts": "list of post objects",
    "categories": "list of strings",
    "audience": "object",
}
_INDEX_COLUMN = re.compile(r"__index_level_\d+__")  # pandas index saved as a column
Items = list[tuple[int, Any]]


def read_text(path: Path, checker: RecordChecker) -> str | None:
    """The file as text. Undecodable lines are reported and blanked; None if unreadable."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        checker.problem(None, "file not found", line=None)
        return None
    except OSError as e:
        checker.problem(None, f"cannot read file: {e.strerror or e}", line=None)
        return None
    base = 0
    if data.startswith(codecs.BOM_UTF8):
        data, base = data[len(codecs.BOM_UTF8) :], len(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    lines: list[str] = []
    offset = base
    for number, raw in enumerate(data.split(b"\n"), 1):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError as e:
            checker.problem(None, _not_utf8(raw, e, offset), line=number)
            lines.append("")
        offset += len(raw) + 1
    return "\n".join(lines)


def jsonl_items(path: Path, checker: RecordChecker) -> Iterator[tuple[int, Any]]:
    """(line, value) per line of a JSON Lines file, read a line at a time (a catalogue of millions
    is never held whole); each problem reported as :func:`read_text` and :func:`json_items` report
    it. Every line that is not blank gives a value or a problem."""
    try:
        f = path.open("rb")
    except FileNotFoundError:
        checker.problem(None, "file not found", line=None)
        return
    except OSError as e:
        checker.problem(None, f"cannot read file: {e.strerror or e}", line=None)
        return
    offset = 0
    with f:
        for number, raw in enumerate(f, 1):
            start = offset
            offset += len(raw)
            raw = raw.removesuffix(b"\n")
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw, start = raw[len(codecs.BOM_UTF8) :], start + len(codecs.BOM_UTF8)
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                checker.problem(None, _not_utf8(raw, e, start), line=number)
                continue
            if not line.strip():
                continue
            try:
                yield number, _loads(line)
            except json.JSONDecodeError as e:
                checker.problem(None, f"malformed JSON: {e.msg} at column {e.colno}", line=number)


def _not_utf8(raw: bytes, e: UnicodeDecodeError, offset: int) -> str:
    """The problem of a line ``raw`` starting at byte ``offset`` of the file that ``e`` failed."""
    return (
        f"not valid UTF-8: byte 0x{raw[e.start]:02x} at byte offset {offset + e.start} "
        f"(column {e.start + 1}); save the file as UTF-8"
    )


def json_items(text: str, checker: RecordChecker, *, allow_document: bool) -> tuple[Items, bool]:
    """(line, value) per JSON value, and whether the file was a single JSON object.

    JSON Lines always; with ``allow_document`` also one (pretty-printed) object or an array.
    """
    body = text.lstrip()
    start_line = text.count("\n", 0, len(text) - len(body)) + 1
    if allow_document and body.startswith("["):
        return _json_array(text, checker), False
    if allow_document and body.startswith("{"):
        try:
            return [(start_line, _loads(text))], True
        except json.JSONDecodeError as e:
            if not _is_json(body.split("\n", 1)[0]):  # not JSON Lines: one broken document
                checker.problem(None, f"malformed JSON: {e.msg} at column {e.colno}", line=e.lineno)
                return [], False
    items: Items = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            items.append((number, _loads(line)))
        except json.JSONDecodeError as e:
            checker.problem(None, f"malformed JSON: {e.msg} at column {e.colno}", line=number)
    return items, False


def _loads(text: str) -> Any:
    """``json.loads``, with nesting too deep for the parser reported as malformed JSON."""
    try:
        return json.loads(text)
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", text, 0) from None


def _json_array(text: str, checker: RecordChecker) -> Items:
    decoder = json.JSONDecoder()
    items: Items = []
    pos = _skip_ws(text, text.index("[") + 1)
    line, counted = 1, 0
    while not text.startswith("]", pos):
        try:
            value, end = decoder.raw_decode(text, pos)
        except RecursionError:
            checker.problem(
                None, "malformed JSON: nested too deeply", line=text.count("\n", 0, pos) + 1
            )
            return items
        except json.JSONDecodeError as e:
            checker.problem(None, f"malformed JSON: {e.msg} at column {e.colno}", line=e.lineno)
            return items
        line, counted = line + text.count("\n", counted, pos), pos
        items.append((line, value))
        pos = _skip_ws(text, end)
        if text.startswith(",", pos):
            pos = _skip_ws(text, pos + 1)
        elif not text.startswith("]", pos):
            where = text.count("\n", 0, pos) + 1
            checker.problem(
                None, "malformed JSON: expected ',' or ']' after an array item", line=where
            )
            return items
    if text[pos + 1 :].strip():
        checker.problem(
            None,
            "malformed JSON: extra data after the closing ']'",
            line=text.count("\n", 0, pos) + 1,
        )
    return items


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\n\r":
        pos += 1
    return pos


def _is_json(line: str) -> bool:
    try:
        _loads(line)
    except json.JSONDecodeError:
        return False
    return True


#: the most values a YAML document may expand to (a brief has a few dozen; the "billion laughs"
#: of nested aliases expands to billions from a few hundred bytes)
YAML_MAX_VALUES = 100_000


def _expanded_size(node: Any, memo: dict[int, int]) -> int:
    """How many values ``node`` expands to once every alias is copied out (an alias is the same
    node object again, so this is counted over the node graph, memoised per node)."""
    key = id(node)
    if key not in memo:
        memo[key] = 1  # a cycle counts once, it cannot be constructed anyway
        value = node.value
        if isinstance(value, list):
            items = (x for pair in value for x in (pair if isinstance(pair, tuple) else (pair,)))
            memo[key] = 1 + sum(min(_expanded_size(c, memo), YAML_MAX_VALUES + 1) for c in items)
    return memo[key]


def yaml_items(text: str, checker: RecordChecker) -> tuple[Items, bool]:
    import yaml

    loader = yaml.SafeLoader(text)
    data: Any = None
    try:
        node = loader.get_single_node()
        if node is not None and _expanded_size(node, {}) > YAML_MAX_VALUES:
            checker.problem(
                None,
                f"YAML expands to more than {YAML_MAX_VALUES} values (aliases inside aliases); "
                "write the brief out without anchors",
                line=node.start_mark.line + 1,
            )
            return [], False
        if node is not None:
            data = loader.construct_document(node)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        what = getattr(e, "problem", None) or str(e)
        checker.problem(
            None, f"malformed YAML: {what}", line=None if mark is None else mark.line + 1
        )
        return [], False
    except RecursionError:
        checker.problem(None, "YAML nested too deeply to be a brief", line=None)
        return [], False
    finally:
        loader.dispose()
    if node is None:
        return [], False
    if isinstance(node, yaml.SequenceNode):
        return [(n.start_mark.line + 1, v) for n, v in zip(node.value, data, strict=True)], False
    return [(node.start_mark.line + 1, data)], True


def csv_rows(
    text: str, checker: RecordChecker
) -> tuple[list[str] | None, list[tuple[int, list[str]]]]:
    """Stripped header and (first line, cells) of each non-blank row."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    last = 0
    try:
        for row in reader:
            first, last = last + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = [h.strip() for h in row]
            else:
                rows.append((first, row))
    except csv.Error as e:
        checker.problem(None, f"malformed CSV: {e}", line=reader.line_num)
    return header, rows


def csv_creator_items(text: str, checker: RecordChecker) -> Items:
    header, rows = csv_rows(text, checker)
    if header is None:
        return []
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes or "creator_id" not in header:
        what = (
            f"repeats column(s) {dupes}"
            if dupes
            else f"has no creator_id column (got {','.join(header)!r})"
        )
        checker.problem(None if dupes else "creator_id", f"header {what}", line=1)
        return []
    items: Items = []
    for line, row in rows:
        if len(row) != len(header):
            checker.problem(
                None, f"row has {len(row)} cells, the header has {len(header)}", line=line
            )
            continue
        record: dict[str, Any] = {}
        for name, cell in zip(header, row, strict=True):
            if cell.strip():
                record[name] = _json_cell(name, cell, checker, line) if name in JSON_CELLS else cell
        items.append((line, {k: v for k, v in record.items() if v is not None}))
    return items


def _json_cell(name: str, cell: str, checker: RecordChecker, line: int) -> Any:
    try:
        return _loads(cell)
    except json.JSONDecodeError as e:
        checker.problem(
            name,
            f"{name} must be a JSON-encoded {JSON_CELLS[name]}, got {show(cell)} ({e.msg})",
            line=line,
        )
        return None


def parquet_items(path: Path, checker: RecordChecker) -> Items:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not path.is_file():
        checker.problem(None, "file not found", line=None)
        return []
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError, ValueError) as e:
        checker.problem(None, f"not a readable parquet file: {e}", line=None)
        return []
    table = table.select([n for n in table.column_names if not _INDEX_COLUMN.fullmatch(n)])
    items: Items = []
    for number, row in enumerate(table.to_pylist(), 1):
        record: dict[str, Any] = {}
        for name, value in row.items():
            value = _native(value)
            if isinstance(value, str) and name in JSON_CELLS:
                value = _json_cell(name, value, checker, number) if value.strip() else None
            if value is not None and value != "":
                record[name] = value
        items.append((number, record))
    return items


def _native(value: Any) -> Any:
    """Parquet values as JSON would give them: NaN and null struct fields dropped, maps as dicts."""
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, dict):
        return {k: v for k, v in ((k, _native(v)) for k, v in value.items()) if v is not None}
    if isinstance(value, list):
        if value and all(isinstance(x, tuple) and len(x) == 2 for x in value):
            return {k: _native(v) for k, v in value if _native(v) is not None}
        return [_native(x) for x in value]
    return value
