"""matcher: explained influencer shortlists for campaign briefs.

``from matcher import Matcher`` then ``Matcher.open(index_dir).recommend(brief)`` gives the
ranking ``matcher match`` gives (same ranker resolution). Names are imported on first use, so
``import matcher`` stays cheap for the command line.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Brief", "Creator", "Matcher", "Settings", "Shortlist", "brief_from_dict",
           "read_briefs", "read_creators"]  # fmt: skip

_WHERE = {
    "Matcher": "matcher.engine",
    "Settings": "matcher.config",
    "Brief": "matcher.schema",
    "Creator": "matcher.schema",
    "Shortlist": "matcher.schema",
    "brief_from_dict": "matcher.io",
    "read_briefs": "matcher.io",
    "read_creators": "matcher.io",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'matcher' has no attribute {name!r}")
