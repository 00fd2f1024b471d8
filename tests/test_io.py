"""Reading the formats of FORMATS.md: happy paths in every format, and every bad input reported
with its file, line and field."""

from __future__ import annotations

import csv
import json
import os
import stat
import subprocess
import sys
import warnings
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher.errors import Problem, ValidationError
from matcher.io import (
    UnknownFieldWarning,
    atomic_write_bytes,
    atomic_write_text,
    brief_from_dict,
    detect_kind,
    read_briefs,
    read_creators,
    read_labels,
    validate_file,
    write_creators,
)
from matcher.schema import AGE_BUCKETS, PLATFORMS, Audience, Brief, Creator, Label, Post

SHARED = Path(__file__).resolve().parents[2] / "shared"

# -- helpers ----------------------------------------------------------------------------------


def jsonl(path: Path, records: list[Any]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def problems_of(path: Path, kind: str) -> list[Problem]:
    """The problems validate_file reports; the reader must raise with exactly the same ones."""
    found = validate_file(path, kind=kind)
    reader = {"creators": read_creators, "briefs": read_briefs, "labels": read_labels}[kind]
    with pytest.raises(ValidationError) as info:
        reader(path)
    assert info.value.problems == found
    return found


def one_problem(path: Path, kind: str = "creators") -> Problem:
    found = problems_of(path, kind)
    assert len(found) == 1, found
    return found[0]


FULL = {
    "creator_id": "c1",
    "handle": "trailrunner",
    "platform": "instagram",
    "bio": "Ultra runner 🏃‍♀️ | coach",
    "posts": [
        {
            "text": "Long run in the Alps #ultra",
            "posted_at": "2025-05-02",
            "sponsored": True,
            "brands": ["Hoka"],
            "likes": 120,
            "comments": 4,
            "views": 900,
        },
        {"text": "rest day", "posted_at": "2025-04-30T18:20:00Z", "sponsored": None},
    ],
    "followers": 15300,
    "engagement_rate": 0.054,
    "language": "en",
    "country": "CH",
    "categories": ["running", "outdoors"],
    "audience": {
        "age": {"18-24": 0.3, "25-34": 0.5, "35-44": 0.2},
        "gender": {"female": 0.6, "male": 0.39, "other": 0.01},
        "countries": {"CH": 0.4, "DE": 0.3},
    },
    "price_per_post": 450.0,
    "currency": "EUR",
}
MINIMAL = {"creator_id": "c2", "bio": "baker", "followers": 800}
RECORDS = [FULL, MINIMAL]

EXPECTED = [
    Creator(
        creator_id="c1",
        handle="trailrunner",
        platform="instagram",
        bio="Ultra runner 🏃‍♀️ | coach",
        posts=(
            Post("Long run in the Alps #ultra", date(2025, 5, 2), True, ("Hoka",), 120, 4, 900),
            Post("rest day", date(2025, 4, 30)),
        ),
        followers=15300,
        engagement_rate=0.054,
        language="en",
        country="CH",
        categories=("running", "outdoors"),
        audience=Audience(
            age={"18-24": 0.3, "25-34": 0.5, "35-44": 0.2},
            gender={"female": 0.6, "male": 0.39, "other": 0.01},
            countries={"CH": 0.4, "DE": 0.3},
        ),
        price_per_post=450.0,
        currency="EUR",
    ),
    Creator(creator_id="c2", bio="baker", followers=800),
]

CSV_COLUMNS = list(FULL)


def write_csv(path: Path, records: list[dict[str, Any]], columns: list[str] = CSV_COLUMNS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(columns)
        for r in records:
            cells = []
            for c in columns:
                v = r.get(c)
                if v is None:
                    cells.append("")
                elif c in ("posts", "categories", "audience"):
                    cells.append(json.dumps(v, ensure_ascii=False))
                else:
                    cells.append(str(v))
            w.writerow(cells)
    return path


# -- creators: happy paths ----------------------------------------------------------------------


def test_creators_jsonl(tmp_path: Path) -> None:
    assert read_creators(jsonl(tmp_path / "creators.jsonl", RECORDS)) == EXPECTED


def test_creators_csv_with_json_cells(tmp_path: Path) -> None:
    assert read_creators(write_csv(tmp_path / "creators.csv", RECORDS)) == EXPECTED


def test_creators_parquet_with_json_string_columns(tmp_path: Path) -> None:
    import pandas as pd

    rows = [
        {k: json.dumps(v) if k in ("posts", "categories", "audience") else v for k, v in r.items()}
        for r in RECORDS
    ]
    path = tmp_path / "creators.parquet"
    pd.DataFrame(rows, columns=CSV_COLUMNS).to_parquet(path)  # followers becomes float64 + NaN
    assert read_creators(path) == EXPECTED


def test_creators_parquet_with_native_nested_columns(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "creators.parquet"
    pq.write_table(pa.Table.from_pylist(RECORDS), path)  # structs with null fields, list<struct>
    assert read_creators(path) == EXPECTED


def test_same_content_reads_equal_in_all_formats(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(RECORDS), tmp_path / "c.parquet")
    got = [
        read_creators(jsonl(tmp_path / "c.jsonl", RECORDS)),
        read_creators(write_csv(tmp_path / "c.csv", RECORDS)),
        read_creators(tmp_path / "c.parquet"),
    ]
    assert got[0] == got[1] == got[2]


def test_flat_csv_with_three_columns(tmp_path: Path) -> None:
    path = tmp_path / "flat.csv"
    path.write_text('creator_id,bio,followers\na1,"cooking, baking",1200\na2,,\n', "utf-8")
    assert read_creators(path) == [
        Creator("a1", bio="cooking, baking", followers=1200),
        Creator("a2"),
    ]


def test_json_extension_holds_json_lines_or_an_array(tmp_path: Path) -> None:
    lines = jsonl(tmp_path / "lines.json", RECORDS)
    array = tmp_path / "array.json"
    array.write_text(json.dumps(RECORDS, indent=2), "utf-8")
    assert read_creators(lines) == read_creators(array) == EXPECTED


def test_problem_in_json_array_names_the_line_of_its_item(tmp_path: Path) -> None:
    path = tmp_path / "creators.json"
    path.write_text(
        '[\n  {"creator_id": "a"},\n  {"creator_id": "b",\n   "followers": -1}\n]\n', "utf-8"
    )
    p = one_problem(path)
    assert (p.line, p.field) == (3, "followers")


def test_blank_lines_bom_and_crlf_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "creators.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"creator_id": "a"}\r\n\r\n{"creator_id": "b"}\r\n')
    assert [c.creator_id for c in read_creators(path)] == ["a", "b"]


def test_handle_loses_its_at_sign_and_platform_its_case(tmp_path: Path) -> None:
    path = jsonl(
        tmp_path / "c.jsonl", [{"creator_id": "a", "handle": "@ann", "platform": "TikTok"}]
    )
    (c,) = read_creators(path)
    assert (c.handle, c.platform) == ("ann", "tiktok")


def test_empty_distribution_and_empty_audience_are_missing(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "c.jsonl", [{"creator_id": "a", "audience": {"age": {}}}])
    assert read_creators(path)[0].audience is None


def test_countries_may_cover_less_than_one(tmp_path: Path) -> None:
    rec = {"creator_id": "a", "audience": {"countries": {"US": 0.5, "GB": 0.2}}}
    (c,) = read_creators(jsonl(tmp_path / "c.jsonl", [rec]))
    assert c.audience == Audience(countries={"US": 0.5, "GB": 0.2})


def test_integral_floats_count_as_integers(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "c.jsonl", [{"creator_id": "a", "followers": 1500.0}])
    assert read_creators(path)[0].followers == 1500


def test_unknown_keys_warn_once_per_key_per_file(tmp_path: Path) -> None:
    recs = [
        {"creator_id": f"c{i}", "shoe_size": 42, "posts": [{"text": "x", "mood": 1}]}
        for i in range(3)
    ]
    path = jsonl(tmp_path / "creators.jsonl", recs)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert len(read_creators(path)) == 3
    messages = sorted(str(w.message) for w in caught if w.category is UnknownFieldWarning)
    assert len(messages) == 2
    assert str(path) in messages[0] and "'posts[].mood'" in messages[0]
    assert "'shoe_size'" in messages[1] and "line 1" in messages[1]


# -- creators: every bad input, with file, line and field ---------------------------------------


def test_malformed_json_line(tmp_path: Path) -> None:
    path = tmp_path / "creators.jsonl"
    path.write_text('{"creator_id": "a"}\n{"creator_id": "b",\n', "utf-8")
    p = one_problem(path)
    assert (p.file, p.line, p.field) == (str(path), 2, None)
    assert p.message.startswith("malformed JSON")


def test_line_that_is_not_an_object(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "creators.jsonl", [{"creator_id": "a"}, ["c2", 10]])
    p = one_problem(path)
    assert (p.line, p.field) == (2, None)
    assert p.message == "expected a creator object, got an array"


@pytest.mark.parametrize(
    "record", [{"bio": "no id"}, {"creator_id": ""}, {"creator_id": "  "}, {"creator_id": None}]
)
def test_missing_or_empty_creator_id(tmp_path: Path, record: dict[str, Any]) -> None:
    path = jsonl(tmp_path / "creators.jsonl", [{"creator_id": "ok"}, record])
    p = one_problem(path)
    assert (p.file, p.line, p.field) == (str(path), 2, "creator_id")


def test_creator_id_must_be_a_string(tmp_path: Path) -> None:
    p = one_problem(jsonl(tmp_path / "creators.jsonl", [{"creator_id": 7}]))
    assert (p.line, p.field, p.message) == (1, "creator_id", "creator_id must be a string, got 7")


def test_duplicate_creator_id_names_the_first_line(tmp_path: Path) -> None:
    path = jsonl(
        tmp_path / "creators.jsonl", [{"creator_id": "a"}, {"creator_id": "b"}, {"creator_id": "a"}]
    )
    p = one_problem(path)
    assert (p.file, p.line, p.field) == (str(path), 3, "creator_id")
    assert p.message == "duplicate creator_id 'a': first seen on line 1"


def test_negative_followers(tmp_path: Path) -> None:
    p = one_problem(jsonl(tmp_path / "creators.jsonl", [{"creator_id": "a", "followers": -5}]))
    assert (p.line, p.field, p.message) == (
        1,
        "followers",
        "followers must be an integer >= 0, got -5",
    )


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("abc", "'abc'"),
        (12.5, "12.5"),
        (True, "True (a boolean)"),
        ("1000", "'1000': write 1000 (a plain number)"),
        ("12,000", "'12,000': write 12000 (a plain number)"),
        ("12.5k", "'12.5k': write 12500 (a plain number)"),
        ("1.2M", "'1.2M': write 1200000 (a plain number)"),
        ("1.2345k", "'1.2345k'"),  # not a whole number: no fix to offer
        ("12.000", "'12.000'"),  # a European thousands separator or a decimal: ambiguous
    ],
)
def test_followers_of_the_wrong_type(tmp_path: Path, value: object, shown: str) -> None:
    """Followers written as text are refused, never reinterpreted; the message gives the fix."""
    p = one_problem(jsonl(tmp_path / "creators.jsonl", [{"creator_id": "a", "followers": value}]))
    assert (p.line, p.field) == (1, "followers")
    assert p.message == f"followers must be an integer >= 0, got {shown}"


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"engagement_rate": -0.1}, "engagement_rate"),
        ({"engagement_rate": "high"}, "engagement_rate"),
        ({"price_per_post": -20}, "price_per_post"),
        ({"posts": [{"text": "a"}, {"text": "b", "likes": -1}]}, "posts[1].likes"),
        ({"posts": [{"text": "a", "comments": -3}]}, "posts[0].comments"),
        ({"posts": [{"text": "a", "views": 2.5}]}, "posts[0].views"),
        ({"posts": [{"text": "a", "sponsored": "yes"}]}, "posts[0].sponsored"),
        ({"posts": [{"text": "a", "brands": "Hoka"}]}, "posts[0].brands"),
        ({"posts": "not a list"}, "posts"),
        ({"posts": ["just text"]}, "posts[0]"),
        ({"categories": ["ok", 3]}, "categories[1]"),
        ({"bio": 12}, "bio"),
        ({"currency": "dollars"}, "currency"),
        ({"audience": [0.5, 0.5]}, "audience"),
    ],
)
def test_bad_creator_fields(tmp_path: Path, patch: dict[str, Any], field: str) -> None:
    p = one_problem(
        jsonl(tmp_path / "creators.jsonl", [{"creator_id": "x"}, {"creator_id": "a", **patch}])
    )
    assert (p.file, p.line, p.field) == (str(tmp_path / "creators.jsonl"), 2, field)
    assert field in p.message


def test_platform_not_in_platforms(tmp_path: Path) -> None:
    p = one_problem(
        jsonl(tmp_path / "creators.jsonl", [{"creator_id": "a", "platform": "myspace"}])
    )
    assert (p.line, p.field) == (1, "platform")
    assert p.message == f"platform must be one of {', '.join(PLATFORMS)}; got 'myspace'"


@pytest.mark.parametrize(
    ("audience", "field", "message"),
    [
        (
            {"age": {"18-24": 0.5, "25-34": 0.3}},
            "audience.age",
            "audience.age shares must sum to 1 (within 0.02), got 0.8",
        ),
        (
            {"gender": {"female": 0.7, "male": 0.7}},
            "audience.gender",
            "audience.gender shares must sum to 1 (within 0.02), got 1.4",
        ),
        (
            {"countries": {"US": 0.9, "GB": 0.3}},
            "audience.countries",
            "audience.countries shares must sum to at most 1 (within 0.02), got 1.2",
        ),
        (
            {"gender": {"female": 1.2, "male": -0.2}},
            "audience.gender.male",
            "audience.gender.male must be a number >= 0, got -0.2",
        ),
        ({"age": {"12-17": 0.2, "18-24": 0.8}}, "audience.age.12-17", None),
        ({"gender": {"f": 0.5, "male": 0.5}}, "audience.gender.f", None),
        ({"age": {"18-24": "half", "25-34": 0.5}}, "audience.age.18-24", None),
        ({"age": "young"}, "audience.age", None),
    ],
)
def test_bad_audience_distribution(
    tmp_path: Path, audience: dict[str, Any], field: str, message: str | None
) -> None:
    p = one_problem(jsonl(tmp_path / "creators.jsonl", [{"creator_id": "a", "audience": audience}]))
    assert (p.line, p.field) == (1, field)
    if message is not None:
        assert p.message == message


def test_unknown_age_bucket_lists_the_known_ones(tmp_path: Path) -> None:
    rec = {"creator_id": "a", "audience": {"age": {"12-17": 1.0}}}
    p = one_problem(jsonl(tmp_path / "creators.jsonl", [rec]))
    assert "'12-17'" in p.message and ", ".join(AGE_BUCKETS) in p.message


def test_distribution_within_tolerance_is_accepted(tmp_path: Path) -> None:
    rec = {"creator_id": "a", "audience": {"gender": {"female": 0.5, "male": 0.485}}}
    assert read_creators(jsonl(tmp_path / "c.jsonl", [rec]))[0].audience is not None


@pytest.mark.parametrize("post", [{"likes": 3}, {"text": None}, {"text": 42}])
def test_post_without_text(tmp_path: Path, post: dict[str, Any]) -> None:
    rec = {"creator_id": "a", "posts": [{"text": "fine"}, post]}
    p = one_problem(jsonl(tmp_path / "creators.jsonl", [rec]))
    assert (p.line, p.field) == (1, "posts[1].text")


@pytest.mark.parametrize("when", ["2025-13-01", "yesterday", "02/05/2025", 20250502])
def test_bad_posted_at(tmp_path: Path, when: object) -> None:
    rec = {"creator_id": "a", "posts": [{"text": "x", "posted_at": when}]}
    p = one_problem(jsonl(tmp_path / "creators.jsonl", [rec]))
    assert (p.line, p.field) == (1, "posts[0].posted_at")
    assert "ISO 8601" in p.message


def test_posted_at_accepts_dates_and_datetimes(tmp_path: Path) -> None:
    whens = [
        "2025-05-02",
        "2025-05-02T23:10:00",
        "2025-05-02T23:10:00+02:00",
        "2025-05-02T21:10:00Z",
    ]
    rec = {"creator_id": "a", "posts": [{"text": "x", "posted_at": w} for w in whens]}
    (c,) = read_creators(jsonl(tmp_path / "c.jsonl", [rec]))
    assert {p.posted_at for p in c.posts} == {date(2025, 5, 2)}


@pytest.mark.parametrize("content", ["", "\n\n  \n"])
def test_empty_file(tmp_path: Path, content: str) -> None:
    path = tmp_path / "creators.jsonl"
    path.write_text(content, "utf-8")
    p = one_problem(path)
    assert p == Problem(str(path), None, None, "file is empty: expected at least one creator")


def test_non_utf8_bytes_name_line_and_offset(tmp_path: Path) -> None:
    path = tmp_path / "creators.jsonl"
    first = b'{"creator_id": "a"}\n'
    path.write_bytes(first + b'{"creator_id": "b", "bio": "caf\xe9"}\n{"creator_id": "c"}\n')
    p = one_problem(path)
    assert (p.file, p.line, p.field) == (str(path), 2, None)
    offset = len(first) + len(b'{"creator_id": "b", "bio": "caf')
    assert (
        "not valid UTF-8" in p.message
        and "0xe9" in p.message
        and f"byte offset {offset}" in p.message
    )


def test_unknown_file_extension(tmp_path: Path) -> None:
    path = tmp_path / "creators.txt"
    path.write_text('{"creator_id": "a"}\n', "utf-8")
    p = one_problem(path)
    assert (p.file, p.line, p.field) == (str(path), None, None)
    assert p.message.startswith("unknown file extension '.txt'")


def test_missing_file(tmp_path: Path) -> None:
    p = one_problem(tmp_path / "nope.jsonl")
    assert (p.line, p.message) == (None, "file not found")


def test_every_problem_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "creators.jsonl"
    path.write_text(
        '{"creator_id": "a", "followers": -1}\n'
        '{"creator_id": "b"}\n'
        "{not json}\n"
        '{"creator_id": "c", "platform": "myspace"}\n',
        "utf-8",
    )
    found = problems_of(path, "creators")
    assert [(p.line, p.field) for p in found] == [(1, "followers"), (3, None), (4, "platform")]
    with pytest.raises(ValidationError, match=r"and 2 more problem"):
        read_creators(path)


def test_several_problems_in_one_record_are_all_reported(tmp_path: Path) -> None:
    rec = {"creator_id": "a", "followers": "many", "engagement_rate": -1, "platform": "fax"}
    found = problems_of(jsonl(tmp_path / "creators.jsonl", [rec]), "creators")
    assert {p.field for p in found} == {"followers", "engagement_rate", "platform"}


def test_csv_problems_use_the_line_of_the_row(tmp_path: Path) -> None:
    path = tmp_path / "creators.csv"
    path.write_text(
        'creator_id,bio,followers\na,"two\nlines",10\nb,fine,abc\nc,"x",-3\n', "utf-8"
    )  # header line 1; row a spans lines 2-3
    found = problems_of(path, "creators")
    assert [(p.line, p.field, p.message) for p in found] == [
        (4, "followers", "followers must be an integer >= 0, got 'abc'"),
        (5, "followers", "followers must be an integer >= 0, got '-3'"),
    ]


def test_csv_non_utf8_row(tmp_path: Path) -> None:
    path = tmp_path / "creators.csv"
    path.write_bytes(b"creator_id,bio\na,fine\nb,na\xefve\n")
    p = one_problem(path)
    assert (p.line, p.field) == (3, None)
    assert "byte offset 26" in p.message


def test_csv_unknown_column_warns(tmp_path: Path) -> None:
    path = tmp_path / "creators.csv"
    path.write_text("creator_id,mood\na,happy\nb,sad\n", "utf-8")
    with pytest.warns(
        UnknownFieldWarning, match=r"creators.csv: unknown field 'mood' ignored"
    ) as rec:
        read_creators(path)
    assert len([w for w in rec if w.category is UnknownFieldWarning]) == 1


def test_csv_bad_json_cell(tmp_path: Path) -> None:
    path = tmp_path / "creators.csv"
    path.write_text('creator_id,categories\na,"[""ok""]"\nb,fitness\n', "utf-8")
    p = one_problem(path)
    assert (p.line, p.field) == (3, "categories")
    assert "JSON-encoded list of strings" in p.message


def test_csv_without_creator_id_column(tmp_path: Path) -> None:
    path = tmp_path / "creators.csv"
    path.write_text("id,bio\na,x\n", "utf-8")
    p = one_problem(path)
    assert (p.line, p.field) == (1, "creator_id")


def test_csv_row_with_wrong_cell_count(tmp_path: Path) -> None:
    path = tmp_path / "creators.csv"
    path.write_text("creator_id,bio\na,x\nb,y,extra\n", "utf-8")
    p = one_problem(path)
    assert (p.line, p.message) == (3, "row has 3 cells, the header has 2")


def test_csv_duplicate_id(tmp_path: Path) -> None:
    path = tmp_path / "creators.csv"
    path.write_text("creator_id,bio\na,x\nb,y\na,z\n", "utf-8")
    p = one_problem(path)
    assert (p.line, p.field, p.message) == (
        4,
        "creator_id",
        "duplicate creator_id 'a': first seen on line 2",
    )


def test_csv_header_only_has_no_records(tmp_path: Path) -> None:
    path = tmp_path / "creators.csv"
    path.write_text("creator_id,bio,followers\n", "utf-8")
    p = one_problem(path)
    assert (p.line, p.message) == (None, "file has no records: expected at least one creator")


def test_parquet_problems_use_row_numbers(tmp_path: Path) -> None:
    import pandas as pd

    path = tmp_path / "creators.parquet"
    pd.DataFrame({"creator_id": ["a", "b", "a"], "followers": [10, -4, 3]}).to_parquet(path)
    found = problems_of(path, "creators")
    assert [(p.line, p.field) for p in found] == [(2, "followers"), (3, "creator_id")]
    assert found[1].message == "duplicate creator_id 'a': first seen on row 1"


def test_unreadable_parquet(tmp_path: Path) -> None:
    path = tmp_path / "creators.parquet"
    path.write_text("not parquet", "utf-8")
    p = one_problem(path)
    assert p.line is None and p.message.startswith("not a readable parquet file")


# -- briefs ---------------------------------------------------------------------------------------

BRIEF = {
    "brief_id": "b1",
    "brand": "Trailco",
    "description": "Trail shoes for ultra runners",
    "category": "running",
    "tone": "playful",
    "audience": {"age": {"25-34": 0.6, "35-44": 0.4}},
    "goal": "conversion",
    "tiers": ["micro", "macro"],
    "budget": 20000,
    "competitors": ["Hoka"],
    "exclusivity_days": 60,
    "platforms": ["instagram"],
    "languages": ["en"],
    "countries": ["US"],
    "exclude_creators": ["c9"],
    "k": 10,
}
BRIEF_EXPECTED = Brief(
    brief_id="b1",
    brand="Trailco",
    description="Trail shoes for ultra runners",
    category="running",
    tone=("playful",),
    audience=Audience(age={"25-34": 0.6, "35-44": 0.4}),
    goal="conversion",
    tiers=("micro", "macro"),
    budget=20000.0,
    competitors=("Hoka",),
    exclusivity_days=60,
    platforms=("instagram",),
    languages=("en",),
    countries=("US",),
    exclude_creators=("c9",),
    k=10,
)


def test_briefs_jsonl(tmp_path: Path) -> None:
    second = {
        "brief_id": "b2",
        "brand": "Oat",
        "description": "oat milk",
        "tone": ["calm", "expert"],
    }
    got = read_briefs(jsonl(tmp_path / "briefs.jsonl", [BRIEF, second]))
    assert got == [
        BRIEF_EXPECTED,
        Brief(brand="Oat", description="oat milk", brief_id="b2", tone=("calm", "expert")),
    ]


def test_single_json_brief_without_id_takes_the_file_stem(tmp_path: Path) -> None:
    path = tmp_path / "spring_launch.json"
    path.write_text(
        json.dumps({k: v for k, v in BRIEF.items() if k != "brief_id"}, indent=2), "utf-8"
    )
    (b,) = read_briefs(path)
    assert b.brief_id == "spring_launch"
    assert b == Brief(**{**BRIEF_EXPECTED.__dict__, "brief_id": "spring_launch"})


def test_json_list_of_briefs(tmp_path: Path) -> None:
    path = tmp_path / "briefs.json"
    path.write_text(json.dumps([BRIEF, {**BRIEF, "brief_id": "b2"}], indent=2), "utf-8")
    assert [b.brief_id for b in read_briefs(path)] == ["b1", "b2"]


def test_yaml_brief_and_yaml_list(tmp_path: Path) -> None:
    import yaml

    single = tmp_path / "brief.yaml"
    single.write_text(yaml.safe_dump(BRIEF), "utf-8")
    many = tmp_path / "briefs.yml"
    many.write_text(yaml.safe_dump([BRIEF, {**BRIEF, "brief_id": "b2"}]), "utf-8")
    assert read_briefs(single) == [BRIEF_EXPECTED]
    assert [b.brief_id for b in read_briefs(many)] == ["b1", "b2"]


def test_yaml_list_problem_names_the_line_of_the_item(tmp_path: Path) -> None:
    path = tmp_path / "briefs.yaml"
    path.write_text(
        "- brief_id: a\n  brand: X\n  description: d\n- brief_id: b\n  brand: Y\n  description: d\n  k: 0\n",
        "utf-8",
    )
    p = one_problem(path, "briefs")
    assert (p.line, p.field, p.message) == (4, "k", "k must be an integer >= 1, got 0")


def test_malformed_yaml(tmp_path: Path) -> None:
    path = tmp_path / "brief.yaml"
    path.write_text("brand: X\ndescription: [unclosed\n", "utf-8")
    p = one_problem(path, "briefs")
    assert p.message.startswith("malformed YAML") and p.line is not None


def test_yaml_alias_bomb_is_refused_before_it_is_expanded(tmp_path: Path) -> None:
    """Nine levels of nine aliases: 9**9 values from 400 bytes ("billion laughs")."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    path = tmp_path / "brief.yaml"
    path.write_text("\n".join([*lines, "brand: X", "description: *a8"]) + "\n", "utf-8")
    p = one_problem(path, "briefs")
    assert p.line == 1 and "expands to more than" in p.message


def test_yaml_nested_too_deeply_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "brief.yaml"
    path.write_text("brand: X\ndescription: " + "[" * 5000 + "]" * 5000 + "\n", "utf-8")
    p = one_problem(path, "briefs")
    assert "nested too deeply" in p.message


@pytest.mark.parametrize(
    ("patch", "field", "message"),
    [
        (
            {"goal": "virality"},
            "goal",
            "goal must be one of awareness, conversion, hybrid; got 'virality'",
        ),
        (
            {"tiers": ["micro", "giga"]},
            "tiers[1]",
            "tiers[1] must be one of nano, micro, macro, mega; got 'giga'",
        ),
        ({"tiers": "micro"}, "tiers", "tiers must be a list of strings, got 'micro'"),
        ({"budget": 0}, "budget", "budget must be a number > 0, got 0"),
        ({"budget": -100}, "budget", "budget must be a number > 0, got -100"),
        ({"budget": "lots"}, "budget", "budget must be a number > 0, got 'lots'"),
        ({"k": 0}, "k", "k must be an integer >= 1, got 0"),
        ({"k": 2.5}, "k", "k must be an integer >= 1, got 2.5"),
        ({"k": True}, "k", "k must be an integer >= 1, got True (a boolean)"),
        (
            {"exclusivity_days": -1},
            "exclusivity_days",
            "exclusivity_days must be an integer >= 0, got -1",
        ),
        ({"platforms": ["instagram", "fax"]}, "platforms[1]", None),
        ({"tone": ["calm", 3]}, "tone[1]", "tone[1] must be a string, got 3"),
        ({"brand": ""}, "brand", None),
        ({"description": None}, "description", None),
        ({"audience": {"age": {"18-24": -0.5, "25-34": 1.5}}}, "audience.age.18-24", None),
    ],
)
def test_bad_brief_field(
    tmp_path: Path, patch: dict[str, Any], field: str, message: str | None
) -> None:
    path = jsonl(tmp_path / "briefs.jsonl", [{**BRIEF, "brief_id": "ok"}, {**BRIEF, **patch}])
    p = one_problem(path, "briefs")
    assert (p.file, p.line, p.field) == (str(path), 2, field)
    if message is not None:
        assert p.message == message


def test_briefs_jsonl_needs_unique_brief_ids(tmp_path: Path) -> None:
    no_id = {k: v for k, v in BRIEF.items() if k != "brief_id"}
    path = jsonl(tmp_path / "briefs.jsonl", [BRIEF, no_id, BRIEF])
    found = problems_of(path, "briefs")
    assert [(p.line, p.field) for p in found] == [(2, "brief_id"), (3, "brief_id")]
    assert found[1].message == "duplicate brief_id 'b1': first seen on line 1"


def test_empty_briefs_file(tmp_path: Path) -> None:
    path = tmp_path / "briefs.jsonl"
    path.write_text("", "utf-8")
    assert one_problem(path, "briefs") == Problem(
        str(path), None, None, "file is empty: expected at least one brief"
    )


def test_brief_from_dict_lists_every_bad_field() -> None:
    bad = {
        **BRIEF,
        "goal": "fame",
        "tiers": ["nano", "huge"],
        "budget": -1,
        "k": 0,
        "audience": {"age": {"18-24": -0.2, "25-34": 1.2}},
    }
    with pytest.raises(ValidationError) as info:
        brief_from_dict(bad, source="POST /match")
    assert {p.field for p in info.value.problems} == {
        "goal",
        "tiers[1]",
        "budget",
        "k",
        "audience.age.18-24",
    }
    assert {p.file for p in info.value.problems} == {"POST /match"}


def test_brief_from_dict_reports_the_given_line() -> None:
    with pytest.raises(ValidationError) as info:
        brief_from_dict({"brand": "X"}, source="briefs.jsonl", line=7)
    assert info.value.problems == [
        Problem(
            "briefs.jsonl", 7, "description", "description is required: expected a non-empty string"
        )
    ]


def test_brief_from_dict_defaults() -> None:
    b = brief_from_dict({"brand": "X", "description": "d", "tone": "calm"})
    assert (b.brief_id, b.tone, b.k, b.exclusivity_days, b.currency) == (
        "brief",
        ("calm",),
        20,
        None,  # the exclusivity_days setting applies
        "USD",
    )


def test_brief_from_dict_rejects_non_objects() -> None:
    with pytest.raises(ValidationError, match="a brief must be an object, got an array"):
        brief_from_dict(["brand", "X"])


# -- labels ---------------------------------------------------------------------------------------


def write_labels(tmp_path: Path, body: str, header: str = "brief_id,creator_id,relevance") -> Path:
    path = tmp_path / "labels.csv"
    path.write_text(f"{header}\n{body}", "utf-8")
    return path


def test_labels(tmp_path: Path) -> None:
    path = write_labels(tmp_path, "b1,c1,3\nb1,c2,0\nb2,c1,2\n")
    assert read_labels(path, {"b1", "b2"}, {"c1", "c2"}) == [
        Label("b1", "c1", 3),
        Label("b1", "c2", 0),
        Label("b2", "c1", 2),
    ]


@pytest.mark.parametrize(
    ("rel", "shown"), [("5", "5"), ("-1", "-1"), ("x", "'x'"), ("2.0", "'2.0'"), ("", "''")]
)
def test_bad_relevance(tmp_path: Path, rel: str, shown: str) -> None:
    path = write_labels(tmp_path, f"b1,c1,2\nb1,c2,{rel}\n")
    p = one_problem(path, "labels")
    assert (p.file, p.line, p.field) == (str(path), 3, "relevance")
    assert p.message == f"relevance must be an integer 0-3, got {shown}"


def test_duplicate_label_pair(tmp_path: Path) -> None:
    p = one_problem(write_labels(tmp_path, "b1,c1,2\nb1,c2,1\nb1,c1,3\n"), "labels")
    assert (p.line, p.field, p.message) == (
        4,
        "creator_id",
        "duplicate pair ('b1', 'c1'): first seen on line 2",
    )


def test_unknown_ids_are_errors_only_when_the_sets_are_given(tmp_path: Path) -> None:
    path = write_labels(tmp_path, "b1,c1,2\nbX,c1,1\nb1,cX,0\n")
    assert len(read_labels(path)) == 3
    with pytest.raises(ValidationError) as info:
        read_labels(path, brief_ids={"b1"}, creator_ids={"c1"})
    found = info.value.problems
    assert [(p.file, p.line, p.field) for p in found] == [
        (str(path), 3, "brief_id"),
        (str(path), 4, "creator_id"),
    ]
    assert found[0].message.startswith("unknown brief_id 'bX'")


@pytest.mark.parametrize(
    "header", ["brief,creator,relevance", "brief_id,creator_id", "creator_id,brief_id,relevance"]
)
def test_wrong_labels_header(tmp_path: Path, header: str) -> None:
    p = one_problem(write_labels(tmp_path, "b1,c1,2\n", header=header), "labels")
    assert (p.line, p.field) == (1, None)
    assert p.message == f"header must be exactly brief_id,creator_id,relevance, got {header!r}"


def test_labels_row_with_missing_cells(tmp_path: Path) -> None:
    p = one_problem(write_labels(tmp_path, "b1,c1\n"), "labels")
    assert (p.line, p.field) == (2, None)


def test_empty_labels_and_header_only(tmp_path: Path) -> None:
    empty = tmp_path / "labels.csv"
    empty.write_text("", "utf-8")
    assert one_problem(empty, "labels").message.startswith("file is empty")
    assert one_problem(write_labels(tmp_path, ""), "labels").message.startswith(
        "file has a header but no rows"
    )


# -- validate_file and kind detection -------------------------------------------------------------


def test_detect_kind_by_content_then_name(tmp_path: Path) -> None:
    creators = jsonl(tmp_path / "catalogue.jsonl", [{"creator_id": "a"}])
    briefs = jsonl(tmp_path / "campaigns.jsonl", [BRIEF])
    labels = write_labels(tmp_path, "b1,c1,1\n")
    gold = labels.rename(tmp_path / "gold.csv")
    by_name = jsonl(tmp_path / "my_briefs.jsonl", [{"x": 1}])
    unknown = jsonl(tmp_path / "stuff.jsonl", [{"x": 1}])
    assert [detect_kind(p) for p in (creators, briefs, gold, by_name, unknown)] == [
        "creators",
        "briefs",
        "labels",
        "briefs",
        None,
    ]
    pretty = tmp_path / "spring.json"
    pretty.write_text(json.dumps({"brand": "X", "description": "d"}, indent=2), "utf-8")
    assert detect_kind(pretty) == "briefs"
    assert detect_kind(tmp_path / "b.yaml") == "briefs"
    assert detect_kind(tmp_path / "c.parquet") == "creators"


def test_validate_file_returns_problems_without_raising(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "catalogue.jsonl", [{"creator_id": "a", "followers": -1}])
    assert validate_file(path) == [
        Problem(str(path), 1, "followers", "followers must be an integer >= 0, got -1")
    ]
    assert validate_file(jsonl(tmp_path / "ok.jsonl", [{"creator_id": "a"}])) == []


def test_validate_file_when_the_kind_cannot_be_told(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "stuff.jsonl", [{"x": 1}])
    (p,) = validate_file(path)
    assert p.line is None and "cannot tell" in p.message
    with pytest.warns(UnknownFieldWarning, match="'x'"):
        assert validate_file(path, kind="creators")[0].field == "creator_id"


def test_validate_file_rejects_an_unknown_kind(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="kind must be one of creators, briefs, labels"):
        validate_file(tmp_path / "x.jsonl", kind="brands")


def test_importing_io_loads_no_pandas_pyarrow_or_yaml() -> None:
    code = "import sys, matcher.io; print(sorted({'pandas', 'pyarrow', 'yaml'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- writing ----------------------------------------------------------------------------------------


def test_atomic_write_replaces_and_keeps_mode(tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    atomic_write_text(path, "first\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    path.chmod(0o600)
    atomic_write_text(path, "second ✓\n")
    assert path.read_text("utf-8") == "second ✓\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_atomic_write_failure_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "out.bin"
    atomic_write_bytes(path, b"old")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_bytes(path, b"new")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


def test_write_creators_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "creators.jsonl"
    write_creators(path, EXPECTED)
    assert read_creators(path) == EXPECTED


_text = st.text(st.characters(codec="utf-8"), max_size=30)
_word = st.text(st.characters(codec="utf-8"), min_size=1, max_size=12).filter(
    lambda s: bool(s.strip()) and not s.startswith("@")
)
_count = st.none() | st.integers(0, 10**9)
_share_weights = st.lists(
    st.floats(0.01, 1.0), min_size=len(AGE_BUCKETS), max_size=len(AGE_BUCKETS)
)
_posts = st.builds(
    Post,
    text=_text,
    posted_at=st.none() | st.dates(),
    sponsored=st.sampled_from([None, True, False]),
    brands=st.lists(_word, max_size=3).map(tuple),
    likes=_count,
    comments=_count,
    views=_count,
)
_creators = st.builds(
    Creator,
    creator_id=_word,
    handle=st.none() | _word,
    platform=st.none() | st.sampled_from(PLATFORMS),
    bio=_text,
    posts=st.lists(_posts, max_size=3).map(tuple),
    followers=_count,
    engagement_rate=st.none() | st.floats(0, 5, allow_nan=False),
    language=st.none() | _word,
    country=st.none() | _word,
    categories=st.lists(_word, max_size=3).map(tuple),
    audience=st.none()
    | _share_weights.map(
        lambda w: Audience(age={b: x / sum(w) for b, x in zip(AGE_BUCKETS, w, strict=True)})
    ),
    price_per_post=st.none() | st.floats(0, 1e6, allow_nan=False),
    currency=st.sampled_from(["USD", "EUR", "MXN"]),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(_creators, min_size=1, max_size=4, unique_by=lambda c: c.creator_id))
def test_round_trip_property(tmp_path: Path, creators: list[Creator]) -> None:
    path = tmp_path / "creators.jsonl"
    write_creators(path, creators)
    assert read_creators(path) == creators


# -- the shared data sets -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rel", "kind", "at_least"),
    [
        ("data/real/tiktok_creators.jsonl", "creators", 400),
        ("data/world/creators.jsonl", "creators", 20_000),
        ("data/world/briefs.jsonl", "briefs", 200),
    ],
)
def test_shared_data_reads_cleanly(rel: str, kind: str, at_least: int) -> None:
    path = SHARED / rel
    if not path.is_file():
        pytest.skip(f"{path} is not here")
    items: list[Any] = read_creators(path) if kind == "creators" else read_briefs(path)
    assert len(items) >= at_least


def test_shared_labels_match_the_world() -> None:
    world = SHARED / "data" / "world"
    if not (world / "labels.csv").is_file():
        pytest.skip(f"{world} is not here")
    briefs = {b.brief_id for b in read_briefs(world / "briefs.jsonl")}
    creators = {c.creator_id for c in read_creators(world / "creators.jsonl")}
    labels = read_labels(world / "labels.csv", briefs, creators)
    assert labels and all(0 <= lab.relevance <= 3 for lab in labels)


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1 555", "'+1 555"),
        ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("-0.25", "-0.25"),  # a number stays a number
        ("+3", "+3"),
        ("runner_anna", "runner_anna"),
        (0.5, 0.5),
        (None, None),
    ],
)
def test_safe_cell_neutralises_formulas_only(value, cell):
    from matcher.io import safe_cell

    assert safe_cell(value) == cell


def test_safe_csv_writer_quotes_and_neutralises():
    import csv as csv_mod
    import io as io_mod

    from matcher.io import SafeCSVWriter

    buf = io_mod.StringIO()
    SafeCSVWriter(buf).writerow(["=1+1", 'he said "hi", then left', "multi\nline", 3])
    (row,) = list(csv_mod.reader(io_mod.StringIO(buf.getvalue())))
    assert row == ["'=1+1", 'he said "hi", then left', "multi\nline", "3"]


@pytest.mark.parametrize(
    ("kind", "name", "layout", "line"),
    [("creators", "c.jsonl", "{}\n", 1), ("briefs", "b.json", "[\n{},\n{}\n]\n", 2)],
)
def test_json_nested_too_deeply_is_a_problem_not_a_traceback(
    tmp_path: Path, kind: str, name: str, layout: str, line: int
) -> None:
    deep = '{"creator_id": "a", "brand": "X", "description": ' + "[" * 100_000 + "]" * 100_000
    path = tmp_path / name
    path.write_text(layout.replace("{}", deep + "}", 1).replace("{}", '{"brand": "Y"}'), "utf-8")
    found = [p for p in problems_of(path, kind) if "nested too deeply" in p.message]
    assert [p.line for p in found] == [line]


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"followers": 10**30}, "followers must be at most 10,000,000,000"),
        ({"posts": [{"text": "x", "likes": 2**70}]}, "must be at most 9,223,372,036,854,775,807"),
    ],
)
def test_integers_too_large_to_store_are_refused_by_validate(
    tmp_path: Path, patch: dict, message: str
) -> None:
    """validate accepts nothing that index then rejects (SQLite holds 64-bit integers)."""
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"creator_id": "a", **patch}) + "\n", "utf-8")
    p = one_problem(path, "creators")
    assert message in p.message and p.line == 1
