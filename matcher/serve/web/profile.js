// The creator profile panel (GET /v1/creators/{id}): facts, bio, audience as bar charts,
// sponsorship history with the brief's competitors flagged, recent posts.

import { api } from "./api.js";
import { factsFromCreator, factsList } from "./cards.js";
import { $, AGES, ago, bars, count, countryName, el, known, mapLimit, openDialog, plural } from "./dom.js";

const cache = new Map();

/** A creator record, fetched once per page load; null when the server has none. */
export async function getCreator(id) {
  if (cache.has(id)) return cache.get(id);
  const res = await api("GET", `/v1/creators/${encodeURIComponent(id)}`);
  if (res.status === 404) return null;
  if (!res.ok) throw Object.assign(new Error(`HTTP ${res.status}`), { res });
  const c = await res.json();
  cache.set(id, c);
  return c;
}

/** Matches with the facts the server did not send filled in from the creators' records (a
 * saved list, or a route that sends none): the price is then the creator's own. */
export async function withFacts(matches) {
  return mapLimit(matches, 6, async (m) => {
    if (m.facts) return m;
    const c = await getCreator(m.creator_id).catch(() => null);
    return c ? { ...m, handle: m.handle || c.handle, facts: factsFromCreator(c) } : m;
  });
}

const norm = (s) => String(s || "").toLowerCase().normalize("NFKD").replace(/[^a-z0-9]/g, "");
const DISCLOSURE = /#ad\b|#sponsored|#partner|paid partnership|#anzeige|#werbung|#publi/i;

/** The competitor of the brief a post names (as a partner or in its text), or null. */
export function competitorIn(post, competitors) {
  const brands = (post.brands || []).map(norm).filter((b) => b.length >= 3);
  const text = norm(post.text);
  for (const comp of competitors || []) {
    const n = norm(comp);
    if (n.length < 3) continue;
    if (brands.some((b) => b.includes(n) || n.includes(b)) || text.includes(n)) return comp;
  }
  return null;
}

const sponsored = (p) => p.sponsored === true || (p.brands || []).length > 0 || DISCLOSURE.test(p.text || "");

function section(title, ...children) {
  const s = el("section", { className: "prof-section" });
  s.append(el("h3", {}, title), ...children);
  return s;
}

function audienceCharts(a) {
  if (!a || !(a.age || a.gender || a.countries)) {
    return section("Audience", el("p", { className: "muted" }, "No audience data for this creator."));
  }
  const grid = el("div", { className: "charts" });
  const chart = (title, rows) => {
    const box = el("div", { className: "chart" });
    box.append(el("h4", {}, title), rows.length ? bars(rows, `Audience ${title.toLowerCase()}`) : el("p", { className: "muted" }, "unknown"));
    return box;
  };
  const age = a.age ? AGES.filter((k) => k in a.age).map((k) => [k, a.age[k] || 0]) : [];
  const gender = a.gender ? Object.entries(a.gender).map(([k, v]) => [k, v || 0]) : [];
  let countries = a.countries ? Object.entries(a.countries).sort((x, y) => (y[1] || 0) - (x[1] || 0)) : [];
  const rest = 1 - countries.reduce((s, [, v]) => s + (v || 0), 0);
  countries = countries.slice(0, 5).map(([k, v]) => [k, v || 0]);
  if (a.countries && rest > 0.005) countries.push(["other", rest]);
  grid.append(chart("Age", age), chart("Gender", gender), chart("Countries", countries));
  for (const li of grid.querySelectorAll(".chart:last-child .hbar-label")) {
    if (li.textContent !== "other") li.title = countryName(li.textContent);
  }
  return section("Audience", grid);
}

function history(posts, competitors) {
  const deals = posts.filter(sponsored);
  if (!deals.length) {
    return section("Sponsorship history", el("p", { className: "muted" }, "No sponsored posts among the recent posts we have."));
  }
  const ul = el("ul", { className: "deals" });
  let conflicts = 0;
  for (const p of deals) {
    const comp = competitorIn(p, competitors);
    const li = el("li", { className: comp ? "deal conflict" : "deal" });
    const line = el("p", { className: "deal-line" });
    line.append(el("span", { className: "deal-brands" }, (p.brands || []).join(", ") || "brand not named"));
    if (p.posted_at) line.append(el("span", { className: "muted" }, ` · ${ago(p.posted_at)}`));
    if (comp) {
      conflicts += 1;
      line.append(el("span", { className: "flag danger" }, `competitor: ${comp}`));
    }
    li.append(line, el("p", { className: "deal-text" }, (p.text || "").slice(0, 160)));
    ul.append(li);
  }
  const sum = el("p", { className: conflicts ? "warn" : "muted" },
    conflicts ? `${plural(conflicts, "post")} with a competitor of this brief.` : "No competitor of this brief among them.");
  return section(`Sponsorship history (${deals.length})`, sum, ul);
}

function posts(list) {
  if (!list.length) return section("Recent posts", el("p", { className: "muted" }, "No posts."));
  const ul = el("ul", { className: "posts" });
  for (const p of list.slice(0, 6)) {
    const li = el("li", { className: "post" });
    const meta = [p.posted_at ? ago(p.posted_at) : null, known(p.likes) ? `${count(p.likes)} likes` : null,
      known(p.comments) ? `${count(p.comments)} comments` : null, known(p.views) ? `${count(p.views)} views` : null];
    li.append(el("p", { className: "post-meta" }, meta.filter(Boolean).join(" · ")));
    if (sponsored(p)) li.querySelector(".post-meta").append(el("span", { className: "flag" }, "sponsored"));
    li.append(el("p", { className: "post-text" }, p.text));
    ul.append(li);
  }
  return section(`Recent posts (${Math.min(list.length, 6)} of ${list.length})`, ul);
}

function actionRow(c, ctx) {
  const row = el("div", { className: "actions wrap" });
  const sel = el("button", { type: "button", className: "secondary", "aria-pressed": String(ctx.isSelected(c.creator_id)) },
    ctx.isSelected(c.creator_id) ? "Selected" : "Select");
  sel.addEventListener("click", () => {
    const on = !ctx.isSelected(c.creator_id);
    ctx.onSelect(c.creator_id, on);
    sel.setAttribute("aria-pressed", String(on));
    sel.textContent = on ? "Selected" : "Select";
  });
  row.append(sel);
  if (ctx.canSimilar) {
    const more = el("button", { type: "button", className: "secondary" }, "More like this");
    more.addEventListener("click", () => { $("profile-dlg").close(); ctx.onSimilar([c.creator_id]); });
    row.append(more);
  }
  const ex = el("button", { type: "button", className: "ghost" }, "Exclude from this brief");
  ex.addEventListener("click", () => {
    ctx.onExclude(c.creator_id);
    ex.disabled = true;
    ex.textContent = "Added to “Exclude creators”";
  });
  row.append(ex);
  return row;
}

/** Opens the panel for one creator. ctx: {match, competitors, isSelected, onSelect, onSimilar,
 * onExclude, canSimilar}. */
export async function openProfile(id, ctx, opener) {
  const dlg = $("profile-dlg");
  const body = $("profile-body");
  const m = ctx.match;
  $("profile-title").textContent = m && m.handle ? `@${m.handle}` : id;
  body.replaceChildren(el("p", { className: "status" }, "Loading the profile…"));
  openDialog(dlg, opener);
  let c;
  try {
    c = await getCreator(id);
  } catch (e) {
    body.replaceChildren(el("p", { className: "warn" }, "The profile could not be loaded."));
    return;
  }
  if (!c) {
    body.replaceChildren(el("p", { className: "warn" }, "This creator is no longer in the catalogue."));
    return;
  }
  $("profile-title").textContent = c.handle ? `@${c.handle}` : c.creator_id;
  const parts = [el("p", { className: "cid" }, c.creator_id)];
  parts.push(factsList(m && m.facts ? m.facts : factsFromCreator(c)));
  if ((c.categories || []).length) {
    const chips = el("p", { className: "chips" });
    for (const cat of c.categories) chips.append(el("span", { className: "chip" }, cat));
    parts.push(chips);
  }
  parts.push(el("p", { className: "bio" }, c.bio || "No bio."));
  parts.push(actionRow(c, ctx));
  if (m && (m.reasons || []).length) {
    const ul = el("ul", { className: "reasons" });
    for (const r of m.reasons) ul.append(el("li", {}, r));
    parts.push(section("Why for this brief", ul));
  }
  parts.push(audienceCharts(c.audience), history(c.posts || [], ctx.competitors), posts(c.posts || []));
  body.replaceChildren(...parts);
}
