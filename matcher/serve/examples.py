"""Real responses as the examples of ``/docs``.

``examples.json`` (beside this module) holds responses of the API captured by :func:`capture`
over the sample catalogue (``python tools/docs_examples.py``), trimmed to a few entries;
:func:`add_examples` puts them into the OpenAPI spec once FastAPI has built it (its encoder drops
null values, and a real response keeps them: an unknown signal is ``null``). A test captures them
again and checks that the stored ones still have the same fields, so the documentation cannot
drift from what the API answers. A missing file means no examples, never an error.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, Protocol

EXAMPLES_FILE = Path(__file__).with_name("examples.json")
#: entries kept of every list in an example (matches, excluded, posts, shortlists)
KEEP = 2


@cache
def load_examples() -> dict[str, Any]:
    """The stored examples by name (``match``, ``creator``, ``shortlist``, ...); {} without
    the file."""
    try:
        return dict(json.loads(EXAMPLES_FILE.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return {}


#: (path, method, status) of a documented response -> the name of the example it shows
SHOWN = {
    ("/v1/match", "post", "200"): "match",
    ("/v1/creators/{creator_id}", "get", "200"): "creator",
    ("/v1/shortlists", "post", "201"): "shortlist",
    ("/v1/shortlists", "get", "200"): "shortlists",
    ("/v1/shortlists/{shortlist_id}", "get", "200"): "shortlist",
    ("/v1/shortlists/{shortlist_id}", "patch", "200"): "shortlist",
    ("/v1/shortlists/{shortlist_id}/feedback", "get", "200"): "feedback",
    ("/v1/shortlists/{shortlist_id}/feedback", "put", "200"): "feedback",
    ("/v1/rerank", "post", "200"): "rerank",
}


def add_examples(spec: dict[str, Any]) -> dict[str, Any]:
    """Show the stored examples in an OpenAPI spec, beside each response's schema (a response
    the spec lacks, or an example not stored, is skipped); returns the spec."""
    examples = load_examples()
    for (path, method, status), name in SHOWN.items():
        op = spec.get("paths", {}).get(path, {}).get(method, {})
        content = op.get("responses", {}).get(status, {}).get("content", {})
        if "application/json" in content and name in examples:
            content["application/json"]["example"] = examples[name]
    return spec


class Response(Protocol):
    status_code: int

    def json(self) -> Any: ...


class Client(Protocol):
    """What :func:`capture` needs of an HTTP client (httpx's, or FastAPI's TestClient)."""

    def get(self, url: str, **kw: Any) -> Response: ...

    def post(self, url: str, **kw: Any) -> Response: ...

    def put(self, url: str, **kw: Any) -> Response: ...


def capture(http: Client, headers: dict[str, str], brief: dict[str, Any]) -> dict[str, Any]:
    """Real responses to one brief, by name: the match, its first creator, the match saved as a
    shortlist (with items), the workspace's shortlists, a vote and the re-ranked match."""

    def call(method: str, url: str, body: Any = None, status: int = 200) -> Any:
        r = getattr(http, method)(url, headers=headers, **({} if body is None else {"json": body}))
        if r.status_code != status:
            raise RuntimeError(f"{method.upper()} {url}: {r.status_code} {r.json()}")
        return r.json()

    match = _trim(call("post", "/v1/match", {**brief, "k": KEEP}))
    if len(match["matches"]) < KEEP:
        raise RuntimeError(f"brief {brief.get('brief_id')!r} found fewer than {KEEP} creators")
    first, second = (m["creator_id"] for m in match["matches"][:KEEP])
    creator = call("get", f"/v1/creators/{first}")
    creator["posts"] = creator.get("posts", [])[:KEEP]
    items = [
        {k: m[k] for k in ("creator_id", "rank", "score", "reasons")} for m in match["matches"]
    ]
    saved = call("post", "/v1/shortlists", {"name": "Spring launch", "items": items,
                                            "brief": brief}, status=201)  # fmt: skip
    sid = saved["id"]
    listed = call("get", "/v1/shortlists?limit=1")
    vote = call("put", f"/v1/shortlists/{sid}/feedback", {"creator_id": second, "vote": "like"})
    rerank = call("post", "/v1/rerank", {"brief": brief, "likes": [second], "k": KEEP})
    return {"match": match, "creator": creator, "shortlist": saved, "shortlists": listed,
            "feedback": vote, "rerank": _trim(rerank)}  # fmt: skip


def _trim(shortlist: dict[str, Any]) -> dict[str, Any]:
    return {**shortlist, "matches": shortlist["matches"][:KEEP],
            "excluded": shortlist["excluded"][:KEEP]}  # fmt: skip


def write_examples(examples: dict[str, Any], path: Path = EXAMPLES_FILE) -> None:
    """Store captured examples (sorted keys, two-space indent, UTF-8)."""
    text = json.dumps(examples, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    path.write_text(text, encoding="utf-8")
