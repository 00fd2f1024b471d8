"""The command line: every command documents itself; errors are clean; contracts hold."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import write_jsonl

from matcher.cli import COMMANDS, build_parser, main


def test_every_command_has_help_and_example(capsys):
    build_parser()
    assert {"validate", "index", "match"} <= set(COMMANDS)
    for name in COMMANDS:
        with pytest.raises(SystemExit) as e:
            main([name, "--help"])
        assert e.value.code == 0
        out = capsys.readouterr().out
        assert "example:" in out and f"matcher {name}" in out, name


def test_help_is_quick_and_imports_no_heavy_library():
    code = (
        "import sys; from matcher.cli import main; \ntry: main(['--help'])\nexcept SystemExit: pass\n"
        "heavy = [m for m in ('torch', 'faiss', 'pandas', 'sentence_transformers') if m in sys.modules]\n"
        "print(heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_validate_ok_and_problems(tmp_path, capsys):
    good = write_jsonl(tmp_path / "creators.jsonl", [{"creator_id": "a", "followers": 10}])
    assert main(["validate", str(good)]) == 0
    bad = write_jsonl(
        tmp_path / "bad.jsonl", [{"creator_id": "a", "followers": -1}, {"followers": 3}]
    )
    capsys.readouterr()
    assert main(["validate", str(bad), "--kind", "creators"]) == 2
    err = capsys.readouterr().err
    assert "bad.jsonl:1" in err and "followers" in err
    assert "bad.jsonl:2" in err and "creator_id" in err


def test_index_of_bad_file_leaves_no_index(tmp_path, capsys):
    bad = tmp_path / "creators.jsonl"
    bad.write_text('{"creator_id": "a"}\n{"creator_id": "a"}\nnot json\n', encoding="utf-8")
    out = tmp_path / "idx"
    assert main(["index", "--creators", str(bad), "--out", str(out), "--quiet"]) == 2
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["creators.jsonl"]
    err = capsys.readouterr().err
    assert "creators.jsonl:2" in err and "creators.jsonl:3" in err


def test_match_rejects_bad_k(tmp_path, capsys):
    assert (
        main(["match", "--index", str(tmp_path), "--brief", str(tmp_path / "b.json"), "--k", "0"])
        == 1
    )
    assert "--k must be >= 1, got 0" in capsys.readouterr().err


def test_match_on_missing_index_is_a_clean_error(tmp_path, capsys):
    brief = tmp_path / "b.json"
    brief.write_text(json.dumps({"brand": "A", "description": "running shoes"}), encoding="utf-8")
    code = main(
        [
            "match",
            "--index",
            str(tmp_path / "nope"),
            "--brief",
            str(brief),
            "--ranker",
            "weighted",
            "--cache-dir",
            str(tmp_path / "cache"),
        ]
    )
    assert code == 1
    assert "not an index" in capsys.readouterr().err


BAD_CREATOR_FILES = {
    "malformed_json": ('{"creator_id": "a"}\n{"creator_id": "b", \n', 2, None),
    "missing_creator_id": ('{"creator_id": "a"}\n{"bio": "no id"}\n', 2, "creator_id"),
    "duplicate_ids": ('{"creator_id": "a"}\n{"creator_id": "a"}\n', 2, "creator_id"),
    "negative_followers": ('{"creator_id": "a", "followers": -5}\n', 1, "followers"),
    "distribution_not_summing": (
        '{"creator_id": "a"}\n{"creator_id": "b", "audience": {"gender": {"female": 0.5, "male": 0.2}}}\n',
        2,
        "audience.gender",
    ),
    "wrong_type": ('{"creator_id": "a", "followers": "many"}\n', 1, "followers"),
    "bool_is_not_int": ('{"creator_id": "a", "followers": true}\n', 1, "followers"),
    "empty_file": ("", None, None),
}


@pytest.mark.parametrize("case", sorted(BAD_CREATOR_FILES))
def test_bad_creator_files_give_precise_errors_and_no_index(case, tmp_path, capsys):
    text, line, field = BAD_CREATOR_FILES[case]
    src = tmp_path / "creators.jsonl"
    src.write_text(text, encoding="utf-8")
    out = tmp_path / "idx"
    assert (
        main(
            [
                "index",
                "--creators",
                str(src),
                "--out",
                str(out),
                "--quiet",
                "--cache-dir",
                str(tmp_path / "cache"),
            ]
        )
        == 2
    )
    assert not out.exists()
    err = capsys.readouterr().err
    where = f"creators.jsonl:{line}" if line else "creators.jsonl"
    assert where in err, err
    if field:
        assert field in err, err


def test_non_utf8_file_gives_precise_error_and_no_index(tmp_path, capsys):
    src = tmp_path / "creators.jsonl"
    src.write_bytes(b'{"creator_id": "a"}\n{"creator_id": "b", "bio": "caf\xe9"}\n')
    out = tmp_path / "idx"
    assert main(["index", "--creators", str(src), "--out", str(out), "--quiet"]) == 2
    assert not out.exists()
    err = capsys.readouterr().err
    assert "creators.jsonl:2" in err and "UTF-8" in err


def test_bad_input_leaves_an_existing_index_unchanged(tmp_path, capsys):
    from conftest import FakeEncoder

    from matcher.index import CreatorIndex, build_and_save
    from matcher.schema import Creator

    out = build_and_save([Creator("a", bio="x")], FakeEncoder(), tmp_path / "idx")
    before = {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    src = tmp_path / "creators.jsonl"
    src.write_text('{"creator_id": "a", "followers": -1}\n', encoding="utf-8")
    assert main(["index", "--creators", str(src), "--out", str(out), "--quiet"]) == 2
    assert {
        str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()
    } == before
    assert CreatorIndex.load(out).manifest.count == 1


def test_index_never_replaces_a_users_folder_that_holds_a_manifest(tmp_path, capsys):
    """A folder with a manifest.json beside the user's own files is not an index: refused
    before any work, every file byte-identical afterwards."""
    src = tmp_path / "creators.jsonl"
    src.write_text('{"creator_id": "a", "bio": "trail running"}\n', encoding="utf-8")
    site = tmp_path / "site"
    site.mkdir()
    files = {"manifest.json": '{"name": "my app", "icons": []}', "index.html": "<h1>hi</h1>",
             "notes.txt": "mine"}  # fmt: skip
    for name, text in files.items():
        (site / name).write_text(text, encoding="utf-8")
    assert main(["index", "--creators", str(src), "--out", str(site), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert str(site) in err and "refusing to overwrite" in err and "Traceback" not in err
    assert {p.name: p.read_text(encoding="utf-8") for p in site.iterdir()} == files
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_index_refuses_matchers_index_with_a_users_file_added(tmp_path, capsys):
    from conftest import FakeEncoder

    from matcher.index import build_and_save
    from matcher.schema import Creator

    out = build_and_save([Creator("a", bio="x")], FakeEncoder(), tmp_path / "idx")
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    src = tmp_path / "creators.jsonl"
    src.write_text('{"creator_id": "b", "bio": "y"}\n', encoding="utf-8")
    assert main(["index", "--creators", str(src), "--out", str(out), "--quiet"]) == 1
    assert "also holds notes.txt" in capsys.readouterr().err
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_unknown_field_warning_is_one_line_naming_file_line_and_field(tmp_path, capsys):
    src = tmp_path / "creators.jsonl"
    src.write_text('{"creator_id": "a", "bio": "x", "colour": "red"}\n', encoding="utf-8")
    assert main(["validate", str(src), "--kind", "creators"]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"matcher validate: warning: {src}: unknown field 'colour' ignored (first on line 1)"
    ]


def test_refused_keys_and_serve_leave_no_file_behind(tmp_path, capsys):
    db = tmp_path / "new.db"
    code = main(["keys", "create", "--workspace", "../../etc/x", "--db", str(db)])
    assert code == 1 and not db.exists()
    assert "workspace must be" in capsys.readouterr().err
    typo = tmp_path / "typo-index"
    assert main(["serve", "--index", str(typo)]) == 1
    assert "not an index" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_serve_concurrency_is_checked_before_anything_opens(tmp_path, capsys):
    typo = tmp_path / "typo-index"
    assert main(["serve", "--index", str(typo), "--concurrency", "0"]) == 1
    assert "--concurrency must be in 1..256, got 0" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_another_programs_sqlite_file_is_refused_and_left_byte_identical(tmp_path, capsys):
    import sqlite3

    other = tmp_path / "app.sqlite"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
    con.execute("INSERT INTO users (name) VALUES ('ada')")
    con.commit()
    con.close()
    before = other.read_bytes()
    code = main(["keys", "create", "--workspace", "acme", "--db", str(other)])
    assert code == 1
    err = capsys.readouterr().err
    assert str(other) in err and "not a matcher database" in err and "Traceback" not in err
    assert other.read_bytes() == before  # not switched to WAL, nothing migrated
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.sqlite"]


def test_keys_list_and_revoke(tmp_path, capsys):
    db = tmp_path / "k.db"
    assert main(["keys", "list", "--db", str(db)]) == 1  # nothing to list: no file made
    assert "no such database" in capsys.readouterr().err and not db.exists()
    assert main(["keys", "create", "--workspace", "acme", "--db", str(db)]) == 0
    key = capsys.readouterr().out.strip()
    assert main(["keys", "create", "--workspace", "beta", "--db", str(db)]) == 0
    other = capsys.readouterr().out.strip()
    assert main(["keys", "list", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    lines = [line.split("\t") for line in out.strip().splitlines()]
    assert [(h, w) for h, w, _ in lines] == [(key[:7], "acme"), (other[:7], "beta")]
    assert key not in out and other not in out
    assert main(["keys", "revoke", "--db", str(db)]) == 1
    assert "--key KEY or --hint HINT" in capsys.readouterr().err
    assert main(["keys", "revoke", "--db", str(db), "--hint", key[:7]]) == 0
    assert "revoked key" in capsys.readouterr().err
    assert main(["keys", "list", "--db", str(db), "--workspace", "acme"]) == 0
    assert capsys.readouterr().out == ""
    assert main(["keys", "revoke", "--db", str(db), "--key", other]) == 0
    assert main(["keys", "revoke", "--db", str(db), "--key", other]) == 1
    assert "no such key" in capsys.readouterr().err
