// Result cards, and the filters and sort orders over a list of matches (all in the browser:
// the list is the shortlist the server ranked).

import {
  $, NORMS, TIERS, cap, count, countryName, el, known, languageName, money, pct, platformName,
  tierOf,
} from "./dom.js";

// -- facts ----------------------------------------------------------------------------------

/** Facts of a creator record (GET /v1/creators/{id}), shaped like a match's ``facts``: the
 * price is the creator's own, in its own currency (a saved list has no brief currency). */
export function factsFromCreator(c) {
  const tier = tierOf(c.followers);
  const a = c.audience || {};
  const stated = known(c.price_per_post);
  return {
    followers: known(c.followers) ? c.followers : null,
    tier,
    platform: c.platform || null,
    country: c.country || null,
    language: c.language || null,
    engagement_rate: known(c.engagement_rate) ? c.engagement_rate : null,
    tier_engagement_norm: tier ? NORMS[tier] : null,
    price: stated ? c.price_per_post : null,
    price_currency: (c.currency || "USD").toUpperCase(),
    price_estimated: stated ? false : null,
    price_note: stated ? null : "not stated",
    audience_known: Boolean(a.age || a.gender || a.countries),
  };
}

const F = (m) => m.facts || {};
const ratio = (f) =>
  known(f.engagement_rate) && f.tier_engagement_norm ? f.engagement_rate / f.tier_engagement_norm : null;

export function priceText(f) {
  const p = money(f.price, f.price_currency);
  return p ? `${p}${f.price_estimated ? " est." : ""}` : f.price_note || null;
}

/** "5.8%", and how it stands against the tier's norm. */
export function engagementParts(f) {
  const r = ratio(f);
  if (!known(f.engagement_rate)) return null;
  const level = r === null ? "" : r >= 1 ? "good" : r >= 0.35 ? "fair" : "poor";
  const norm = f.tier_engagement_norm ? `norm ${pct(f.tier_engagement_norm)}` : "";
  return { value: pct(f.engagement_rate), norm, level };
}

// -- filters and sorting --------------------------------------------------------------------

const num = (id, scale = 1) => {
  const v = $(id).value.trim();
  return v === "" || Number.isNaN(Number(v)) ? null : Number(v) * scale;
};

export function readFilters() {
  return {
    tiers: [...document.querySelectorAll("#filter-tiers input:checked")].map((i) => i.value),
    minFollowers: num("flt-min-followers"),
    maxFollowers: num("flt-max-followers"),
    minEngagement: num("flt-min-er", 0.01),
    maxPrice: num("flt-max-price"),
    country: $("flt-country").value,
    language: $("flt-language").value,
    platform: $("flt-platform").value,
    aboveNorm: $("flt-norm").checked,
    audienceKnown: $("flt-audience").checked,
  };
}

export function activeFilters(f) {
  return [
    f.tiers.length > 0, f.minFollowers !== null, f.maxFollowers !== null, f.minEngagement !== null,
    f.maxPrice !== null, Boolean(f.country), Boolean(f.language), Boolean(f.platform), f.aboveNorm,
    f.audienceKnown,
  ].filter(Boolean).length;
}

function passes(m, f) {
  const x = F(m);
  if (f.tiers.length && !f.tiers.includes(x.tier)) return false;
  if (f.minFollowers !== null && !(known(x.followers) && x.followers >= f.minFollowers)) return false;
  if (f.maxFollowers !== null && !(known(x.followers) && x.followers <= f.maxFollowers)) return false;
  if (f.minEngagement !== null && !(known(x.engagement_rate) && x.engagement_rate >= f.minEngagement - 1e-9)) return false;
  // a price in another currency than the brief's (a saved list shows creators' own) is unknown
  const price = known(x.price) && (!f.currency || x.price_currency === f.currency.toUpperCase()) ? x.price : null;
  if (f.maxPrice !== null && !(price !== null && price <= f.maxPrice)) return false;
  if (f.country && x.country !== f.country) return false;
  if (f.language && x.language !== f.language) return false;
  if (f.platform && x.platform !== f.platform) return false;
  if (f.aboveNorm && !(ratio(x) !== null && ratio(x) >= 1)) return false;
  if (f.audienceKnown && !x.audience_known) return false;
  return true;
}

const SORTS = {
  rank: null,
  "followers-desc": [(m) => F(m).followers, -1],
  "followers-asc": [(m) => F(m).followers, 1],
  "engagement-desc": [(m) => F(m).engagement_rate, -1],
  "norm-desc": [(m) => ratio(F(m)), -1],
  "price-asc": [(m) => F(m).price, 1],
  "price-desc": [(m) => F(m).price, -1],
};

/** The matches that pass the filters, in the chosen order (unknown values last, then by rank). */
export function arrange(matches, filters, sort) {
  const out = matches.filter((m) => passes(m, filters));
  const byRank = (a, b) => (a.rank || 0) - (b.rank || 0);
  const spec = SORTS[sort];
  if (!spec) return out.sort(byRank);
  const [key, dir] = spec;
  return out.sort((a, b) => {
    const va = key(a);
    const vb = key(b);
    if (!known(va) || !known(vb)) return known(va) ? -1 : known(vb) ? 1 : byRank(a, b);
    return va === vb ? byRank(a, b) : (va - vb) * dir;
  });
}

/** The country, language and platform filters offer the values present in the list. */
export function fillFilterOptions(matches) {
  const fill = (id, key, name) => {
    const sel = $(id);
    const keep = sel.value;
    const counts = new Map();
    for (const m of matches) {
      const v = F(m)[key];
      if (v) counts.set(v, (counts.get(v) || 0) + 1);
    }
    sel.replaceChildren(el("option", { value: "" }, "Any"));
    const values = [...counts.keys()].sort((a, b) => counts.get(b) - counts.get(a) || a.localeCompare(b));
    for (const v of values) sel.append(el("option", { value: v }, `${name(v)} (${counts.get(v)})`));
    sel.value = counts.has(keep) ? keep : "";
  };
  fill("flt-country", "country", (v) => `${v} · ${countryName(v)}`);
  fill("flt-language", "language", (v) => languageName(v));
  fill("flt-platform", "platform", (v) => platformName(v));
}

export function initFilterTiers() {
  const box = $("filter-tiers");
  for (const t of TIERS) {
    const label = el("label", { className: "check" });
    label.append(el("input", { type: "checkbox", value: t, name: "filter-tier" }), document.createTextNode(` ${cap(t)}`));
    box.append(label);
  }
}

// -- cards ----------------------------------------------------------------------------------

function fact(name, value, extra) {
  const div = el("div", { className: `fact${value === null ? " unknown" : ""}` });
  div.append(el("dt", {}, name));
  const dd = el("dd", {}, value === null ? "unknown" : value);
  if (extra) dd.append(extra);
  div.append(dd);
  return div;
}

export function factsList(f) {
  const dl = el("dl", { className: "facts" });
  const followers = count(f.followers);
  const fl = fact("Followers", followers);
  if (known(f.followers)) fl.querySelector("dd").title = f.followers.toLocaleString("en");
  dl.append(fl, fact("Tier", f.tier || null), fact("Platform", platformName(f.platform)));
  const c = fact("Country", f.country || null);
  if (f.country) c.querySelector("dd").title = countryName(f.country);
  dl.append(c, fact("Language", f.language ? languageName(f.language) : null));
  const price = fact("Price / post", priceText(f));
  if (!known(f.price)) price.classList.add("unknown");
  if (f.price_estimated) price.querySelector("dd").title = f.price_basis || "estimated from the tier: no stated price";
  dl.append(price);
  const e = engagementParts(f);
  const eng = fact("Engagement", e ? e.value : null, e && e.norm ? el("span", { className: "sub" }, e.norm) : null);
  if (e && e.level) eng.classList.add(`eng-${e.level}`);
  dl.append(eng);
  const aud = fact("Audience", f.audience_known ? "known" : "no data");
  aud.querySelector("dt").title = "audience data: age, gender, countries";
  dl.append(aud);
  return dl;
}

function signalItem(name, value) {
  const has = known(value);
  const level = !has ? "unknown" : value < 0.34 ? "low" : value < 0.67 ? "mid" : "high";
  const li = el("li", { className: `sig ${level}` });
  li.append(el("span", { className: "sig-name" }, cap(name)));
  const val = el("span", { className: "sig-val" }, has ? value.toFixed(2) : "n/a");
  if (!has) val.title = "unknown: not enough data to score this signal";
  li.append(val);
  const bar = el("span", { className: "bar", "aria-hidden": "true" });
  const fill = el("span", { className: "fill" });
  if (has) fill.style.width = `${Math.round(Math.max(0, Math.min(1, value)) * 100)}%`;
  bar.append(fill);
  li.append(bar);
  return li;
}

export function signalsList(signals) {
  const ul = el("ul", { className: "signals", "aria-label": "Signals" });
  // in the order the server sends them (its registry of signals)
  for (const [s, v] of Object.entries(signals || {})) ul.append(signalItem(s, v));
  return ul;
}

const SHOWN_REASONS = 2;

/** One result card. opts: {index, selected, vote, canVote, canSimilar}. */
export function card(m, opts) {
  const name = m.handle ? `@${m.handle}` : m.creator_id;
  const li = el("li", { className: "match", "data-id": m.creator_id });
  const head = el("div", { className: "match-head" });
  const pick = el("input", {
    type: "checkbox", className: "pick", id: `pick-${opts.index}`, value: m.creator_id,
    "aria-label": `Select ${name}`, checked: opts.selected,
  });
  head.append(pick);
  if (known(m.rank)) head.append(el("span", { className: "rank" }, `#${m.rank}`));
  const who = el("button", {
    type: "button", className: "who", "data-act": "profile", title: `Open the profile of ${name}`,
  });
  who.append(el("span", { className: "handle" }, name));
  head.append(who);
  if (m.handle) head.append(el("span", { className: "cid" }, m.creator_id));
  if (known(m.score)) head.append(el("span", { className: "score", title: "match score" }, m.score.toFixed(2)));
  li.append(head);
  if ((m.flags || []).length) {
    const flags = el("p", { className: "flags" });
    for (const f of m.flags) flags.append(el("span", { className: "flag" }, f.replace(/-/g, " ")));
    li.append(flags);
  }
  if (m.facts) li.append(factsList(m.facts));
  if (m.signals) li.append(signalsList(m.signals));
  const reasons = m.reasons || [];
  if (reasons.length) {
    const ul = el("ul", { className: "reasons", "aria-label": "Why" });
    reasons.forEach((r, i) => ul.append(el("li", { className: i >= SHOWN_REASONS ? "extra" : i >= 1 ? "second" : null }, r)));
    li.append(ul);
  }
  li.append(actions(m, opts, reasons.length));
  return li;
}

function actions(m, opts, nReasons) {
  const row = el("div", { className: "card-actions" });
  const name = m.handle ? `@${m.handle}` : m.creator_id;
  const button = (act, text, cls, attrs = {}) => {
    const b = el("button", { type: "button", className: `ghost${cls ? ` ${cls}` : ""}`, "data-act": act, ...attrs }, text);
    b.append(el("span", { className: "sr-only" }, ` ${name}`)); // "Like @handle" to a screen reader
    return b;
  };
  if (nReasons > 1) { // two show on a wide screen, one on a phone (style.css)
    row.append(el("button", {
      type: "button", className: `ghost${nReasons <= SHOWN_REASONS ? " phone-only" : ""}`, "data-act": "reasons",
      "aria-expanded": "false",
    }, `${nReasons} reasons`));
  }
  if (opts.canSimilar) row.append(button("similar", "More like this"));
  if (opts.canVote) {
    for (const [v, text] of [["like", "Like"], ["dislike", "Dislike"]]) {
      row.append(button(v, text, `vote ${v}`, { "aria-pressed": String(opts.vote === v) }));
    }
  }
  return row;
}
