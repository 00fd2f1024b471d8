-- a schema-version-1 database written by matcher's Store before version 2 (sqlite3 .dump);
-- tests/test_store.py opens it with the current Store to check the migration. API key: mk_zlII2AiGGagIUzIVO-0M6SyJig6QXpwP_bjUcwMIPCo
BEGIN TRANSACTION;
CREATE TABLE api_keys (
    key_hash TEXT PRIMARY KEY,               -- sha256 hex of the key, never the key itself
    hint TEXT NOT NULL,                      -- first characters, to tell keys apart in a listing
    workspace TEXT NOT NULL REFERENCES workspaces(name),
    created_at TEXT NOT NULL
);
INSERT INTO "api_keys" VALUES('89dd78ea6f2216543603258d695117877fc93aba3223b4559cba1c6881038001','mk_zlII','acme','2026-11-24T01:03:06.682Z');
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO "meta" VALUES('schema_version','1');
CREATE TABLE shortlists (
    id TEXT PRIMARY KEY,
    workspace TEXT NOT NULL REFERENCES workspaces(name),
    name TEXT NOT NULL,
    creator_ids TEXT NOT NULL,               -- JSON list, in rank order
    brief TEXT,                              -- JSON object or NULL
    created_at TEXT NOT NULL
);
INSERT INTO "shortlists" VALUES('JaPQfpxM1JtcKo7t','acme','Trail launch','["s00001", "s00002"]','{"brand": "Trailhead", "description": "trail shoes", "k": 5}','2026-11-24T01:03:06.683Z');
INSERT INTO "shortlists" VALUES('ojIw2DD7b98DsTE-','globex','Theirs','["s00003"]',NULL,'2026-11-24T01:03:06.683Z');
CREATE TABLE workspaces (
    name TEXT PRIMARY KEY,
    created_at TEXT NOT NULL
);
INSERT INTO "workspaces" VALUES('acme','2026-11-24T01:03:06.681Z');
INSERT INTO "workspaces" VALUES('globex','2026-11-24T01:03:06.682Z');
CREATE INDEX shortlists_by_workspace ON shortlists (workspace, created_at);
COMMIT;
