"""What the signals and hard rules read of each creator, parsed once into columns.

A brief scores its ~3,000 candidates on a handful of fields (followers, engagement, price,
language, platform, country, audience shares, number of posts). Decoding every candidate's
catalogue JSON and looping over it in Python cost most of a brief's time; these fields are
parsed once, at index time, into one numpy record per creator (``columns.npy`` in the index,
memory-mapped), and the signals compute over them as arrays. A creator is decoded only for the
rows a shortlist shows (their reasons) and for the rare record that does not fit the columns
(``exact`` False: an audience with more than :data:`COUNTRY_SLOTS` countries or a key outside
the known ones, a language, platform, country or currency too long for its field); the signals
compute those from the decoded creator, so every value equals what the per-creator code gives.

Fields (``nan``: unknown): ``followers``, ``engagement`` (:func:`engagement_of`), ``n_posts``,
``price`` (stated price per post) and ``currency`` (upper case), ``language`` / ``platform``
(lower case) and ``country`` (upper case) as UTF-8 bytes (empty: none), the audience's ``age``
shares (one per :data:`matcher.schema.AGE_BUCKETS`), ``gender`` shares (one per
:data:`matcher.schema.GENDERS`), up to :data:`COUNTRY_SLOTS` countries (``country_key`` upper
case, ``country_share``), whether each part is given (``age_known``, ``gender_known``,
``countries_known``) and whether the audience says anything (``audience``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from matcher.schema import AGE_BUCKETS, GENDERS, TIER_ENGAGEMENT_NORM, Creator

#: audience countries kept per creator (more: the creator is read from its record)
COUNTRY_SLOTS = 6
#: tiers by code (``tier_codes``); -1 is unknown
TIER_ORDER = ("emerging", "nano", "micro", "macro", "mega")
_FLOORS = np.array([1_000, 10_000, 100_000, 1_000_000], dtype=np.float64)
#: engagement norm of each tier code
TIER_NORMS = np.array([TIER_ENGAGEMENT_NORM[t] for t in TIER_ORDER], dtype=np.float64)

DTYPE = np.dtype(
    [
        ("followers", "f8"),
        ("engagement", "f8"),
        ("n_posts", "i4"),
        ("price", "f8"),
        ("currency", "S4"),
        ("language", "S12"),
        ("platform", "S12"),
        ("country", "S4"),
        ("age", "f8", (len(AGE_BUCKETS),)),
        ("gender", "f8", (len(GENDERS),)),
        ("country_key", "S3", (COUNTRY_SLOTS,)),
        ("country_share", "f8", (COUNTRY_SLOTS,)),
        ("age_known", "?"),
        ("gender_known", "?"),
        ("countries_known", "?"),
        ("audience", "?"),
        ("exact", "?"),
    ]
)

#: the fields, in order
NAMES: tuple[str, ...] = tuple(DTYPE.fields or ())
#: the audience shares, stored as whole ten-thousandths (:data:`STORED`)
SHARES = ("age", "gender", "country_share")
#: shares are stored as ``round(share * SHARE_STEPS)``
SHARE_STEPS = 10_000
#: the records as ``columns.npy`` stores them: :data:`DTYPE` with the audience shares as uint16
#: ten-thousandths (115 bytes a creator, not 211). A share that is not a whole number of them
#: (more than 4 decimals, or above 6.5535) leaves its record ``exact`` False: read from the
#: creator, as a record that does not fit the columns. Read back as ``steps / 10,000``, a
#: share of up to 4 decimals is the float the creator's JSON gives, to the last bit.
STORED = np.dtype([(name, ("u2", DTYPE[name].shape) if name in SHARES else DTYPE[name])
                   for name in NAMES])  # fmt: skip


def narrow(cols: np.ndarray) -> np.ndarray:
    """``cols`` (:data:`DTYPE`) as :data:`STORED` (records of another dtype as they are)."""
    if cols.dtype != DTYPE:
        return cols
    out = np.zeros(cols.shape, dtype=STORED)
    exact = cols["exact"].copy()
    for name in NAMES:
        if name not in SHARES:
            out[name] = cols[name]
            continue
        x = cols[name]
        steps = np.rint(x * SHARE_STEPS)
        fits = (steps >= 0) & (steps <= np.iinfo(np.uint16).max)
        fits &= np.where(fits, steps, 0) / SHARE_STEPS == x
        whole = fits.all(axis=1)
        exact &= whole
        out[name] = np.where(whole[:, None], steps, 0)
    out["exact"] = exact
    return out


def widen(cols: np.ndarray) -> np.ndarray:
    """Records read from ``columns.npy`` as :data:`DTYPE` (the shares as floats again)."""
    if cols.dtype != STORED:
        return cols
    out = np.empty(cols.shape, dtype=DTYPE)
    for name in NAMES:
        out[name] = cols[name] / SHARE_STEPS if name in SHARES else cols[name]
    return out


def engagement_of(c: Creator) -> float | None:
    """The catalogue's ``engagement_rate``, else the mean (likes + comments) / followers over
    the creator's posts; None when neither is known."""
    if c.engagement_rate is not None:
        return float(c.engagement_rate)
    if not c.followers:
        return None
    per_post = [
        (p.likes or 0) + (p.comments or 0)
        for p in c.posts
        if p.likes is not None or p.comments is not None
    ]
    if not per_post:
        return None
    return float(np.mean(per_post)) / c.followers


def _fits(value: str | None, width: int) -> tuple[bytes, bool]:
    b = (value or "").encode("utf-8")
    return b, len(b) <= width


def _record(c: Creator) -> tuple[object, ...]:
    exact = True
    cur, ok = _fits((c.currency or "USD").upper(), 4)
    exact &= ok
    lang, ok = _fits((c.language or "").lower(), 12)
    exact &= ok
    plat, ok = _fits((c.platform or "").lower(), 12)
    exact &= ok
    country, ok = _fits((c.country or "").upper(), 4)
    exact &= ok
    age = [0.0] * len(AGE_BUCKETS)
    gender = [0.0] * len(GENDERS)
    keys = [b""] * COUNTRY_SLOTS
    shares = [0.0] * COUNTRY_SLOTS
    a = c.audience
    age_known = gender_known = countries_known = audience = False
    if a is not None:
        audience = not a.empty
        if a.age:
            age_known = True
            exact &= all(k in AGE_BUCKETS for k in a.age)
            age = [float(a.age.get(k, 0.0)) for k in AGE_BUCKETS]
        if a.gender:
            gender_known = True
            exact &= all(k in GENDERS for k in a.gender)
            gender = [float(a.gender.get(k, 0.0)) for k in GENDERS]
        if a.countries:
            countries_known = True
            upper = [(k.upper().encode("utf-8"), float(v)) for k, v in a.countries.items()]
            distinct = {k for k, _ in upper}
            exact &= len(upper) <= COUNTRY_SLOTS and len(distinct) == len(upper)
            exact &= all(0 < len(k) <= 3 for k in distinct)
            if exact:
                for j, (k, v) in enumerate(upper):
                    keys[j], shares[j] = k, v
    engagement = engagement_of(c)
    return (
        np.nan if c.followers is None else float(c.followers),
        np.nan if engagement is None else engagement,
        len(c.posts),
        np.nan if c.price_per_post is None else float(c.price_per_post),
        cur,
        lang,
        plat,
        country,
        age,
        gender,
        keys,
        shares,
        age_known,
        gender_known,
        countries_known,
        audience,
        exact,
    )


def of_creators(creators: Sequence[Creator]) -> np.ndarray:
    """The column records of these creators (a structured array of :data:`DTYPE`)."""
    out = np.zeros(len(creators), dtype=DTYPE)
    for i, c in enumerate(creators):
        out[i] = _record(c)
    return out


def of_catalogue(creators: Iterable[Creator], n: int, chunk: int = 10_000) -> np.ndarray:
    """:func:`of_creators` of ``n`` creators read one at a time (never all in memory)."""
    out = np.zeros(n, dtype=DTYPE)
    batch: list[Creator] = []
    done = 0
    for c in creators:
        batch.append(c)
        if len(batch) == chunk:
            out[done : done + chunk] = of_creators(batch)
            done, batch = done + chunk, []
    out[done : done + len(batch)] = of_creators(batch)
    return out


def tier_codes(followers: np.ndarray) -> np.ndarray:
    """Each follower count's index in :data:`TIER_ORDER` (as :func:`matcher.schema.tier_of`);
    -1 when unknown (nan)."""
    f = np.asarray(followers, dtype=np.float64)
    codes = np.searchsorted(_FLOORS, np.nan_to_num(f, nan=0.0), side="right")
    return np.where(np.isnan(f), -1, codes).astype(np.int64)


def country_share(cols: np.ndarray, key: str) -> np.ndarray:
    """Each creator's audience share in country ``key`` (upper case; 0 when absent)."""
    k = key.encode("utf-8")
    if not 0 < len(k) <= 3:
        return np.zeros(len(cols))
    shares = np.where(cols["country_key"] == k, cols["country_share"], 0.0)
    return np.asarray(shares.sum(axis=1), dtype=np.float64)


def inexact(cols: np.ndarray) -> list[int]:
    """The positions of the records the columns cannot hold exactly (read from the creator)."""
    return np.flatnonzero(~cols["exact"]).tolist()  # type: ignore[no-any-return]


def in_set(values: np.ndarray, wanted: set[str]) -> np.ndarray:
    """Whether each bytes value is one of ``wanted`` (strings, compared as UTF-8)."""
    return np.isin(values, [w.encode("utf-8") for w in wanted])


def load(path: Path, count: int) -> np.ndarray | None:
    """The column records of the index at ``path``, memory-mapped; None when it has none or
    they are of another layout (then they are made from the creators as a brief needs them)."""
    if not (path / "columns.npy").exists():
        return None
    cols = np.load(path / "columns.npy", mmap_mode="r")
    if cols.dtype not in (STORED, DTYPE):  # DTYPE: written before the shares were narrowed
        return None
    if cols.shape != (count,):
        raise ValueError(f"columns.npy holds {cols.shape} records for {count} creators")
    return cols
