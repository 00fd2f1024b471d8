"""The engine with a fake encoder: settings reach the ranking."""

from __future__ import annotations

from datetime import date

from matcher.config import Settings
from matcher.engine import Matcher
from matcher.index import CreatorIndex, build_and_save
from matcher.schema import Brief, Creator, Post

AS_OF = date(2026, 11, 1)


def _trail(cid: str, post: Post) -> Creator:
    return Creator(cid, bio="trail running and ultra marathons", followers=40_000, posts=(post,))


def test_exclusivity_days_setting_applies_to_briefs_that_name_none(tmp_path, fake_encoder):
    creators = [
        _trail("clean", Post("Long run in the mountains today #trailrunning", date(2026, 10, 20))),
        _trail("deal", Post("Paid partnership with @hoka #trailrunning", date(2026, 9, 21))),
    ]
    idx = CreatorIndex.load(build_and_save(creators, fake_encoder, tmp_path / "idx"))
    brief = Brief(brand="Salomon", description="trail running shoes", competitors=("Hoka",), k=2)

    def excluded(settings: Settings, b: Brief = brief) -> list[str]:
        sl = Matcher(idx, fake_encoder, settings, as_of=AS_OF).recommend(b)
        return [e.creator_id for e in sl.excluded]

    # the deal is 41 days old: inside the default 90-day window, outside a 30-day one
    assert excluded(Settings()) == ["deal"]
    assert excluded(Settings(exclusivity_days=30)) == []
    # a brief's own window wins over the setting
    own = Brief(brand="Salomon", description="trail running shoes", competitors=("Hoka",), k=2,
                exclusivity_days=60)  # fmt: skip
    assert excluded(Settings(exclusivity_days=30), own) == ["deal"]
