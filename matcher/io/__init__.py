"""Reading and writing the interchange formats of FORMATS.md, with file/line/field errors.

| module | what |
|---|---|
| :mod:`~matcher.io.files` | whole files: readers, ``validate_file``, ``detect_kind`` |
| :mod:`~matcher.io.decode` | bytes to text, JSON Lines / JSON / YAML / CSV / parquet to records |
| :mod:`~matcher.io.records`, :mod:`~matcher.io.values` | one record checked and turned into a noun |
| :mod:`~matcher.io.writers` | creators written as records |
| :mod:`~matcher.io.atomic` | temp file / temp directory and rename |
"""

from __future__ import annotations

from matcher.io.atomic import atomic_write_bytes, atomic_write_text, replacing_dir
from matcher.io.files import (
    KINDS,
    brief_from_dict,
    detect_kind,
    read_briefs,
    read_creators,
    read_labels,
    stream_creators,
    validate_file,
)
from matcher.io.values import UnknownFieldWarning
from matcher.io.writers import SafeCSVWriter, creator_to_dict, safe_cell, write_creators

__all__ = [
    "KINDS",
    "SafeCSVWriter",
    "UnknownFieldWarning",
    "atomic_write_bytes",
    "atomic_write_text",
    "brief_from_dict",
    "creator_to_dict",
    "detect_kind",
    "read_briefs",
    "read_creators",
    "read_labels",
    "replacing_dir",
    "safe_cell",
    "stream_creators",
    "validate_file",
    "write_creators",
]
