"""End to end: `matcher index`, `matcher keys create`, `matcher serve`, and the web page driven by
Debian's headless Chromium through Playwright."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from serving import CHROMIUM, REPO, chromium, sample_server

pytestmark = [pytest.mark.browser, pytest.mark.integration]


ARTIFACTS = REPO / "tests" / "artifacts" / "latest"  # committed copies: tests/artifacts/*.png


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A real `matcher serve` on a free port: (base URL, API key). Killed at teardown."""
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium not installed: apt-get install chromium")
    with sample_server(tmp_path_factory.mktemp("browser"), "browser-test") as (base, key):
        yield base, key


@pytest.fixture(scope="module")
def browser(server: tuple[str, str]) -> Iterator[object]:
    with chromium() as b:
        yield b


@pytest.fixture
def console() -> list[str]:
    """Errors the page logged (script errors, CSP violations, failed requests)."""
    return []


@pytest.fixture
def page(browser, server: tuple[str, str], console: list[str]):  # type: ignore[no-untyped-def]
    ctx = browser.new_context(viewport={"width": 1360, "height": 1000}, accept_downloads=True)
    pg = ctx.new_page()
    pg.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: console.append(str(e)))
    pg.set_default_timeout(60_000)
    pg.goto(server[0] + "/")
    try:
        yield pg
    finally:
        ctx.close()


def fill_brief(page, key: str) -> None:  # type: ignore[no-untyped-def]
    """Sample brief b02 (La Mer), typed in as a person would."""
    page.get_by_label("API key").fill(key)
    pg = page.locator("#brief-form")  # the filters and dialogs have fields named alike
    pg.get_by_label("Brand").fill("La Mer")
    pg.get_by_label("Description").fill(
        "La Mer is relaunching its signature moisturising cream in a refillable jar and wants the "
        "launch seen everywhere. We are looking for polished, elevated creators with large "
        "audiences who already talk about skincare rituals: texture, layering, the calm of an "
        "evening routine."
    )
    pg.get_by_label("Tone").fill("luxury, calm")
    pg.get_by_label("Goal").select_option("awareness")
    for age in ("25-34", "35-44", "45-54"):
        pg.get_by_label(age).check()
    page.locator("#f-female").fill("85")
    page.locator("#f-male").fill("13")
    page.locator("#f-other").fill("2")
    pg.get_by_label("Macro").check()
    pg.get_by_label("Mega").check()
    for platform in ("Instagram", "YouTube", "TikTok"):
        pg.get_by_label(platform).check()
    pg.get_by_label("Competitors").fill("Augustinus Bader, Drunk Elephant")
    pg.get_by_label("Creators", exact=True).fill("6")


def test_brief_to_saved_shortlist_and_csv(
    page, server: tuple[str, str], console: list[str]
) -> None:  # type: ignore[no-untyped-def]
    fill_brief(page, server[1])
    page.get_by_label("Description").focus()
    with page.expect_response(lambda r: r.url.endswith("/v1/match")) as answer:
        page.get_by_role("button", name="Find creators").press("Enter")  # keyboard, not a click
    shown = answer.value.json()["matches"]
    matches = page.locator("#matches > li.match")
    matches.first.wait_for()
    assert matches.count() == len(shown) == 6
    assert "ranked by the" in page.locator("#status").inner_text()
    # every signal the server could not score (null) is shown as n/a, hatched; no other is
    unknown = sum(v is None for m in shown for v in m["signals"].values())
    assert page.locator(".sig.unknown").count() == unknown
    for i in range(6):
        row = matches.nth(i)
        assert row.locator(".sig").count() == 6
        assert row.locator(".reasons li").count() >= 1
        names = [t.lower() for t in row.locator(".sig-name").all_inner_texts()]
        assert names == ["niche", "tone", "audience", "tier", "conflict", "authenticity"]
        for sig in row.locator(".sig").all():
            val = sig.locator(".sig-val").inner_text()
            if "unknown" in (sig.get_attribute("class") or ""):
                assert val == "n/a"  # unknown is shown as n/a, never as 0
            else:
                assert 0.0 <= float(val) <= 1.0
    excluded = page.locator("#excluded li")
    if page.locator("#excluded-box").is_visible():  # creators removed by a hard rule, with why
        page.locator("#excluded-box > summary").click()
        assert excluded.count() >= 1 and " — " in excluded.first.inner_text()
        page.locator("#excluded li .handle", has_text="@").first.wait_for()  # named, not bare ids
    # the key was kept for the next visit
    assert page.evaluate("localStorage.getItem('matcher.apiKey')") == server[1]

    picked = []
    for i in (0, 2, 3):
        box = matches.nth(i).locator("input.pick")
        box.check()
        picked.append(box.get_attribute("value"))
    page.get_by_label("Shortlist name").fill("La Mer relaunch")
    page.get_by_role("button", name="Save shortlist").click()
    page.locator("#save-status", has_text="Saved").wait_for()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser-results.png"), full_page=True)

    with page.expect_download() as dl:
        page.get_by_role("button", name="Export CSV").click()
    download = dl.value
    assert re.fullmatch(r"La-Mer-relaunch-[A-Za-z0-9_-]+\.csv", download.suggested_filename)
    text = Path(download.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["creator_id"] for r in rows] == picked
    assert list(rows[0]) == ["rank", "creator_id", "score", "handle", "platform", "followers",
                             "tier", "engagement_rate", "country", "language", "price_per_post",
                             "reasons"]  # fmt: skip
    by_id = {m["creator_id"]: m for m in shown}
    assert [r["rank"] for r in rows] == [str(by_id[c]["rank"]) for c in picked]  # as shown
    assert [float(r["score"]) for r in rows] == [by_id[c]["score"] for c in picked]
    assert all(r["tier"] in ("micro", "macro", "nano", "mega", "emerging", "") for r in rows)

    # the saved shortlist is really there, for this key only
    listed = httpx.get(f"{server[0]}/v1/shortlists", timeout=10,
                       headers={"Authorization": f"Bearer {server[1]}"}).json()  # fmt: skip
    assert listed["shortlists"][0]["creator_ids"] == picked
    assert console == []  # no script error, no CSP violation, no failed request


def test_errors_are_shown_next_to_the_field(page, server: tuple[str, str]) -> None:  # type: ignore[no-untyped-def]
    fill_brief(page, server[1])
    page.locator("#f-male").fill("30")  # 85 + 30 + 2 is not 100
    page.get_by_role("button", name="Find creators").click()
    err = page.locator("#err-audience-gender")
    err.wait_for(state="visible")
    assert err.inner_text() == "The three shares must add up to 100% (they add up to 117%)."
    assert page.locator("#f-female").get_attribute("aria-invalid") == "true"
    summary = page.locator("#summary")
    assert summary.is_visible() and "1 problem" in summary.inner_text()
    assert page.evaluate("document.activeElement.id") == "summary"  # focus moves to the summary
    page.locator("#summary-list a").first.click()
    assert page.evaluate("document.activeElement.id") == "f-female"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser-error.png"), full_page=True)

    # fixing it and breaking k instead moves the error to k
    page.locator("#f-male").fill("13")
    page.get_by_label("Creators", exact=True).fill("0")
    page.get_by_role("button", name="Find creators").click()
    page.locator("#err-k").wait_for(state="visible")
    assert page.locator("#err-audience-gender").is_hidden()


def test_wrong_key_is_reported_at_the_key_field(page, server: tuple[str, str]) -> None:  # type: ignore[no-untyped-def]
    fill_brief(page, "mk_not-a-real-key")
    page.get_by_role("button", name="Find creators").click()
    page.locator("#err-key").wait_for(state="visible")
    assert page.get_by_label("API key").get_attribute("aria-invalid") == "true"
    assert page.locator("#matches > li").count() == 0


def test_messages_a_marketer_understands(page, server: tuple[str, str]) -> None:  # type: ignore[no-untyped-def]
    fill_brief(page, server[1])
    form = page.locator("#brief-form")
    form.get_by_label("Description").fill("")
    form.get_by_label("Markets").fill("UK, FR")
    form.get_by_label("Languages").fill("English")
    form.get_by_role("button", name="Find creators").click()
    # codes the server takes as free text are checked in the page, with the fix
    page.locator("#err-countries").wait_for(state="visible")
    assert "“UK” is written GB" in page.locator("#err-countries").inner_text()
    assert "“english” is written en" in page.locator("#err-languages").inner_text()
    assert page.locator("#summary-title").inner_text() == "The brief has 2 problems"

    form.get_by_label("Markets").fill("GB, FR")
    form.get_by_label("Languages").fill("en")
    form.get_by_role("button", name="Find creators").click()
    err = page.locator("#err-description")
    err.wait_for(state="visible")  # the server's 422 names the field: shown beside it, in words
    assert err.inner_text() == "Tell us what the product is and what the campaign should achieve."
    assert "Description: Tell us what the product is" in page.locator("#summary-list").inner_text()
    assert page.locator("#err-countries").is_hidden()
    assert page.locator("#status").inner_text() == "No shortlist: see the problems above."
