"""Store: workspaces, hashed API keys, shortlists, schema version (SQLite on a tmp file)."""

from __future__ import annotations

import hashlib
import re
import sqlite3
import stat
from pathlib import Path

import pytest
from conftest import sql_rows as raw

from matcher.errors import MatcherError
from matcher.serve.store import KEY_PREFIX, SCHEMA_VERSION, Store


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "matcher.db") as s:
        s.create_workspace("acme")
        s.create_workspace("globex")
        yield s


def test_new_database_has_current_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    with Store(path) as s:
        assert s.schema_version == SCHEMA_VERSION
    assert raw(path, "SELECT value FROM meta WHERE key='schema_version'") == [
        (str(SCHEMA_VERSION),)
    ]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_reopening_keeps_data_and_version(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    with Store(path) as s:
        s.create_workspace("acme")
        key = s.create_key("acme")
    with Store(path) as s:
        assert s.schema_version == SCHEMA_VERSION
        assert s.workspace_for_key(key) == "acme"


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(SCHEMA_VERSION + 1),))
    db.commit()
    db.close()
    with pytest.raises(MatcherError, match="newer than this matcher"):
        Store(path)


def test_foreign_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE things (x)")
    db.commit()
    db.close()
    with pytest.raises(MatcherError, match="not a matcher database"):
        Store(path)


def test_not_sqlite_is_a_clean_error(tmp_path: Path) -> None:
    path = tmp_path / "garbage.db"
    path.write_bytes(b"this is not a database, just some bytes" * 100)
    with pytest.raises(MatcherError, match="not a matcher database"):
        Store(path)


def test_keys_are_stored_hashed_never_in_clear(store: Store) -> None:
    key = store.create_key("acme")
    assert key.startswith(KEY_PREFIX) and len(key) >= 40
    rows = raw(store.path, "SELECT * FROM api_keys")
    assert len(rows) == 1
    flat = " ".join(str(v) for v in rows[0])
    assert key not in flat
    assert key[len(KEY_PREFIX) :] not in flat
    assert hashlib.sha256(key.encode()).hexdigest() in flat
    # nothing anywhere in the file holds the key either
    assert key.encode() not in store.path.read_bytes()


def test_key_resolves_to_its_workspace_only(store: Store) -> None:
    a = store.create_key("acme")
    g = store.create_key("globex")
    assert a != g
    assert store.workspace_for_key(a) == "acme"
    assert store.workspace_for_key(g) == "globex"


@pytest.mark.parametrize(
    "bad", [None, "", "mk_", "mk_nope", "not-a-key", "x" * 5000, KEY_PREFIX + "é" * 50]
)
def test_unknown_or_malformed_keys_resolve_to_none(store: Store, bad: str | None) -> None:
    store.create_key("acme")
    assert store.workspace_for_key(bad) is None


def test_stored_hash_is_not_a_key(store: Store) -> None:
    store.create_key("acme")
    (digest,) = raw(store.path, "SELECT key_hash FROM api_keys")[0]
    assert store.workspace_for_key(digest) is None
    assert store.workspace_for_key(KEY_PREFIX + digest) is None


def test_key_for_missing_workspace_is_refused(store: Store) -> None:
    with pytest.raises(MatcherError, match="no workspace"):
        store.create_key("initech")


@pytest.mark.parametrize("name", ["", " acme", "a/b", "x" * 65, "-lead", "ws;drop"])
def test_bad_workspace_names_are_refused(store: Store, name: str) -> None:
    with pytest.raises(MatcherError, match="workspace must be"):
        store.create_workspace(name)


def test_create_workspace_is_idempotent(store: Store) -> None:
    store.create_workspace("acme")
    assert raw(store.path, "SELECT COUNT(*) FROM workspaces WHERE name='acme'") == [(1,)]


def test_shortlist_round_trip(store: Store) -> None:
    brief = {"brand": "Trailhead", "description": "trail shoes", "tiers": ["micro"], "k": 5}
    saved = store.save_shortlist("acme", "Spring 🌱", ["c3", "c1", "c2"], brief)
    assert set(saved) == {"id", "workspace", "name", "creator_ids", "brief", "created_at", "items"}
    assert saved["items"] is None  # only ids given
    got = store.get_shortlist("acme", saved["id"])
    assert got == saved
    assert got is not None and got["creator_ids"] == ["c3", "c1", "c2"]  # rank order kept
    assert got["brief"] == brief and got["name"] == "Spring 🌱"
    assert got["created_at"].endswith("Z")


def test_shortlist_without_brief(store: Store) -> None:
    saved = store.save_shortlist("acme", "plain", ["c1"], None)
    got = store.get_shortlist("acme", saved["id"])
    assert got is not None and got["brief"] is None


def test_shortlist_ids_are_random_and_url_safe(store: Store) -> None:
    ids = [store.save_shortlist("acme", f"s{i}", ["c1"])["id"] for i in range(20)]
    assert len(set(ids)) == 20
    for i in ids:
        assert len(i) >= 16
        assert all(ch.isalnum() or ch in "-_" for ch in i)
    assert ids != sorted(ids)  # not sequential (the chance of 20 random ids sorting is ~1/20!)


def test_workspaces_are_isolated(store: Store) -> None:
    mine = store.save_shortlist("acme", "mine", ["c1"])
    theirs = store.save_shortlist("globex", "theirs", ["c2"])
    assert store.get_shortlist("acme", theirs["id"]) is None
    assert store.get_shortlist("globex", mine["id"]) is None
    assert [s["id"] for s in store.list_shortlists("acme")] == [mine["id"]]
    assert [s["id"] for s in store.list_shortlists("globex")] == [theirs["id"]]


def test_list_is_newest_first_and_limited(store: Store) -> None:
    ids = [store.save_shortlist("acme", f"s{i}", ["c1"])["id"] for i in range(5)]
    assert [s["id"] for s in store.list_shortlists("acme")] == ids[::-1]
    assert [s["id"] for s in store.list_shortlists("acme", limit=2)] == ids[::-1][:2]
    with pytest.raises(ValueError, match="limit must be >= 1, got 0"):
        store.list_shortlists("acme", limit=0)


def test_failed_write_changes_nothing(store: Store) -> None:
    with pytest.raises(MatcherError):
        store.save_shortlist("nobody", "x", ["c1"])
    assert raw(store.path, "SELECT COUNT(*) FROM shortlists") == [(0,)]


def test_transaction_rolls_back_on_error(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError), store._tx() as db:
        db.execute("INSERT INTO workspaces (name, created_at) VALUES ('tmp', 'now')")
        db.execute("INSERT INTO workspaces (name, created_at) VALUES ('tmp', 'now')")
    assert not store.workspace_exists("tmp")


def test_missing_directory_is_a_clean_error(tmp_path: Path) -> None:
    with pytest.raises(MatcherError, match="no such directory"):
        Store(tmp_path / "nope" / "m.db")


def test_keys_create_command_prints_the_key_alone_on_the_last_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from matcher.cli import main

    index = tmp_path / "idx"
    assert main(["keys", "create", "--workspace", "acme", "--index", str(index)]) == 0
    out, err = capsys.readouterr()
    key = out.splitlines()[-1]
    assert out == key + "\n" and key.startswith(KEY_PREFIX)
    assert "acme" in err and key not in err
    with Store(tmp_path / "idx.db") as s:  # the default database: INDEX.db beside the index
        assert s.workspace_for_key(key) == "acme"


def test_keys_create_needs_a_database(capsys: pytest.CaptureFixture[str]) -> None:
    from matcher.cli import main

    assert main(["keys", "create", "--workspace", "acme"]) == 1
    assert "--db FILE" in capsys.readouterr().err


def test_keys_listed_without_secrets_and_revoked_by_key_or_hint(tmp_path):
    from matcher.errors import MatcherError

    with Store(tmp_path / "k.db") as store:
        store.create_workspace("acme")
        store.create_workspace("beta")
        a, b, c = store.create_key("acme"), store.create_key("acme"), store.create_key("beta")
        listed = store.list_keys()
        assert [k["workspace"] for k in listed] == ["acme", "acme", "beta"]
        assert [k["hint"] for k in listed] == [a[:7], b[:7], c[:7]]
        assert all(a not in str(k) and b not in str(k) for k in listed)  # never the key
        assert [k["hint"] for k in store.list_keys("beta")] == [c[:7]]
        assert store.revoke_key(key=a) == {"hint": a[:7], "workspace": "acme"}
        assert store.workspace_for_key(a) is None and store.workspace_for_key(b) == "acme"
        assert store.revoke_key(hint=c[:7])["workspace"] == "beta"
        assert store.workspace_for_key(c) is None
        with pytest.raises(MatcherError, match="no such key"):
            store.revoke_key(key=a)
        with pytest.raises(MatcherError, match="not both"):
            store.revoke_key(key=b, hint=b[:7])
        # two keys sharing a hint: the hint alone is refused, nothing is deleted
        store._db.execute("UPDATE api_keys SET hint='mk_same'")
        store.create_key("beta")
        store._db.execute("UPDATE api_keys SET hint='mk_same'")
        with pytest.raises(MatcherError, match="matches 2 keys"):
            store.revoke_key(hint="mk_same")
        assert len(store.list_keys()) == 2


# -- shortlist items, rename, delete, feedback (schema version 2) ---------------------------------

V1_DUMP = Path(__file__).parent / "data" / "store-v1.sql"


def items_of(*ids: str) -> list[dict]:
    return [{"creator_id": c, "rank": r, "score": 0.9 - r / 10, "reasons": [f"fits {c}", "=1+1"]}
            for r, c in enumerate(ids, start=1)]  # fmt: skip


def test_items_are_stored_with_the_shortlist(store: Store) -> None:
    items = items_of("c3", "c1")
    saved = store.save_shortlist("acme", "with items", ["c3", "c1"], None, items)
    got = store.get_shortlist("acme", saved["id"])
    assert got == saved and got is not None
    assert got["items"] == items  # reasons kept verbatim (neutralising is the CSV writer's job)
    assert store.list_shortlists("acme")[0]["items"] == items


def test_items_must_match_the_creator_ids(store: Store) -> None:
    with pytest.raises(ValueError, match="same order"):
        store.save_shortlist("acme", "x", ["c1", "c3"], None, items_of("c3", "c1"))
    with pytest.raises(ValueError, match="same order"):
        store.save_shortlist("acme", "x", ["c1"], None, items_of("c1", "c2"))
    assert raw(store.path, "SELECT COUNT(*) FROM shortlists") == [(0,)]


def test_rename_only_the_workspaces_own(store: Store) -> None:
    mine = store.save_shortlist("acme", "old", ["c1"])
    renamed = store.rename_shortlist("acme", mine["id"], "new ✨")
    assert renamed is not None and renamed["name"] == "new ✨"
    assert {**renamed, "name": "old"} == mine  # nothing else changes
    assert store.rename_shortlist("globex", mine["id"], "stolen") is None
    assert store.rename_shortlist("acme", "nope", "x") is None
    got = store.get_shortlist("acme", mine["id"])
    assert got is not None and got["name"] == "new ✨"


def test_delete_removes_the_shortlist_and_its_feedback_only(store: Store) -> None:
    a = store.save_shortlist("acme", "a", ["c1", "c2"])
    b = store.save_shortlist("acme", "b", ["c1"])
    store.set_feedback("acme", a["id"], "c1", "like")
    store.set_feedback("acme", b["id"], "c1", "dislike")
    assert store.delete_shortlist("globex", a["id"]) is False  # another workspace's: untouched
    assert store.get_shortlist("acme", a["id"]) is not None
    assert store.delete_shortlist("acme", a["id"]) is True
    assert store.get_shortlist("acme", a["id"]) is None
    assert store.delete_shortlist("acme", a["id"]) is False
    assert raw(store.path, "SELECT shortlist_id, creator_id, vote FROM feedback") == [
        (b["id"], "c1", "dislike")
    ]


def test_feedback_votes_change_and_clear(store: Store) -> None:
    sid = store.save_shortlist("acme", "s", ["c1", "c2", "c3"])["id"]
    assert store.feedback("acme", sid) == {"likes": [], "dislikes": []}
    assert store.set_feedback("acme", sid, "c2", "like")
    assert store.set_feedback("acme", sid, "c1", "like")
    assert store.set_feedback("acme", sid, "c3", "dislike")
    assert store.feedback("acme", sid) == {"likes": ["c2", "c1"], "dislikes": ["c3"]}
    assert store.set_feedback("acme", sid, "c2", "dislike")  # one vote per creator: replaced
    assert store.set_feedback("acme", sid, "c3", None)  # cleared
    assert store.set_feedback("acme", sid, "c9", None)  # clearing no vote is fine
    assert store.feedback("acme", sid) == {"likes": ["c1"], "dislikes": ["c2"]}
    assert raw(store.path, "SELECT COUNT(*) FROM feedback") == [(2,)]


def test_feedback_is_private_to_the_workspace(store: Store) -> None:
    sid = store.save_shortlist("acme", "s", ["c1"])["id"]
    assert store.set_feedback("globex", sid, "c1", "dislike") is False
    assert store.feedback("globex", sid) is None
    assert store.feedback("acme", sid) == {"likes": [], "dislikes": []}
    store.set_feedback("acme", sid, "c1", "like")
    assert store.workspace_feedback("globex") == []
    assert store.workspace_feedback("acme") == [
        {"shortlist_id": sid, "creator_id": "c1", "vote": "like"}
    ]
    assert store.set_feedback("acme", "nope", "c1", "like") is False


@pytest.mark.parametrize("vote", ["love", "LIKE", "", 1, True])
def test_bad_votes_are_refused(store: Store, vote: object) -> None:
    sid = store.save_shortlist("acme", "s", ["c1"])["id"]
    with pytest.raises(ValueError, match="vote must be"):
        store.set_feedback("acme", sid, "c1", vote)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="creator_id must be"):
        store.set_feedback("acme", sid, "", "like")
    assert raw(store.path, "SELECT COUNT(*) FROM feedback") == [(0,)]


def test_workspace_feedback_lists_shortlists_oldest_first(store: Store) -> None:
    first = store.save_shortlist("acme", "1", ["c1"])["id"]
    second = store.save_shortlist("acme", "2", ["c1"])["id"]
    store.set_feedback("acme", second, "c2", "like")
    store.set_feedback("acme", first, "c3", "dislike")
    store.set_feedback("acme", first, "c1", "like")
    assert [(f["shortlist_id"], f["creator_id"], f["vote"]) for f in
            store.workspace_feedback("acme")] == [
        (first, "c1", "like"), (first, "c3", "dislike"), (second, "c2", "like")]  # fmt: skip


def v1_database(path: Path) -> Path:
    """The database a version-1 matcher wrote (dumped by it: tests/data/store-v1.sql)."""
    db = sqlite3.connect(path)
    db.executescript(V1_DUMP.read_text(encoding="utf-8"))
    db.close()
    return path


def test_a_version_1_database_migrates_keeping_everything(tmp_path: Path) -> None:
    path = v1_database(tmp_path / "old.db")
    key = re.search(r"API key: (\S+)", V1_DUMP.read_text(encoding="utf-8")).group(1)  # type: ignore[union-attr]
    assert raw(path, "SELECT value FROM meta WHERE key='schema_version'") == [("1",)]
    with Store(path) as s:
        assert s.schema_version == SCHEMA_VERSION == 2
        assert s.workspace_for_key(key) == "acme"
        (old,) = s.list_shortlists("acme")
        assert old["name"] == "Trail launch" and old["creator_ids"] == ["s00001", "s00002"]
        assert old["brief"] == {"brand": "Trailhead", "description": "trail shoes", "k": 5}
        assert old["items"] is None
        assert [x["name"] for x in s.list_shortlists("globex")] == ["Theirs"]
        # the new tables work on the old rows
        assert s.set_feedback("acme", old["id"], "s00002", "like")
        assert s.rename_shortlist("acme", old["id"], "Renamed") is not None
        new = s.save_shortlist("acme", "new", ["s00009"], None, items_of("s00009"))
    with Store(path) as s:  # reopening does not migrate again
        assert s.schema_version == 2
        assert s.feedback("acme", old["id"]) == {"likes": ["s00002"], "dislikes": []}
        assert s.get_shortlist("acme", new["id"])["items"] == items_of("s00009")  # type: ignore[index]


def test_a_failed_migration_changes_nothing(tmp_path: Path) -> None:
    path = v1_database(tmp_path / "old.db")
    db = sqlite3.connect(path)  # a table in the way of version 2
    db.execute("CREATE TABLE feedback (x)")
    db.commit()
    db.close()
    with pytest.raises(MatcherError, match="already exists"):
        Store(path)
    assert raw(path, "SELECT value FROM meta WHERE key='schema_version'") == [("1",)]
    columns = [r[1] for r in raw(path, "PRAGMA table_info(shortlists)")]
    assert "items" not in columns  # the ALTER TABLE before the failure was rolled back
