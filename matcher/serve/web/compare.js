// Up to four creators side by side: one column each, the same rows in every column (CSS
// subgrid keeps them level); the best score, engagement and price are marked.

import { engagementParts, priceText } from "./cards.js";
import { $, cap, count, el, known, languageName, openDialog, platformName, who } from "./dom.js";

export const MAX_COMPARE = 4;

const ratioOf = (f) =>
  f && known(f.engagement_rate) && f.tier_engagement_norm ? f.engagement_rate / f.tier_engagement_norm : null;

function bestOf(matches, value, dir) {
  const vals = matches.map(value).filter(known);
  if (vals.length < 2) return null;
  return dir > 0 ? Math.max(...vals) : Math.min(...vals);
}

function cell(label, value, { best = false, sub = null } = {}) {
  const div = el("div", { className: `cmp-cell${best ? " best" : ""}` });
  div.append(el("span", { className: "cmp-label" }, label));
  const v = el("span", { className: "cmp-value" }, known(value) && value !== "" ? value : "—");
  if (sub) v.append(el("span", { className: "sub" }, sub));
  if (best) v.append(el("span", { className: "best-tag" }, "best"));
  div.append(v);
  return div;
}

function signalCell(name, value) {
  const div = cell(cap(name), known(value) ? value.toFixed(2) : "n/a");
  const bar = el("span", { className: "bar", "aria-hidden": "true" });
  const fill = el("span", { className: "fill" });
  if (known(value)) fill.style.width = `${Math.round(Math.max(0, Math.min(1, value)) * 100)}%`;
  bar.append(fill);
  div.append(bar);
  return div;
}

function column(m, best, signalNames, ctx) {
  const f = m.facts || {};
  const col = el("section", { className: "cmp-col", "aria-label": who(m) });
  const head = el("div", { className: "cmp-head" });
  const name = el("button", { type: "button", className: "who", title: `Open the profile of ${who(m)}` });
  name.append(el("span", { className: "handle" }, who(m)));
  name.addEventListener("click", (ev) => ctx.onProfile(m.creator_id, ev.currentTarget));
  const remove = el("button", { type: "button", className: "ghost small", "aria-label": `Remove ${who(m)} from the comparison` }, "Remove");
  remove.addEventListener("click", () => ctx.onRemove(m.creator_id));
  head.append(name, remove);
  col.append(head);
  const e = engagementParts(f);
  col.append(
    cell("Score", known(m.score) ? m.score.toFixed(2) : null, { best: known(m.score) && m.score === best.score }),
    cell("Rank", known(m.rank) ? `#${m.rank}` : null),
    cell("Followers", count(f.followers)),
    cell("Tier", f.tier),
    cell("Platform", platformName(f.platform)),
    cell("Country", f.country),
    cell("Language", f.language ? languageName(f.language) : null),
    cell("Price / post", priceText(f), { best: known(f.price) && f.price === best.price }),
    cell("Engagement", e ? e.value : null, { sub: e && e.norm, best: ratioOf(f) !== null && ratioOf(f) === best.ratio }),
    cell("Audience", f.audience_known ? "known" : m.facts ? "no data" : null),
  );
  for (const s of signalNames) col.append(signalCell(s, (m.signals || {})[s]));
  col.append(cell("Flags", (m.flags || []).map((x) => x.replace(/-/g, " ")).join(", ") || "none"));
  const reasons = el("div", { className: "cmp-cell reasons-cell" });
  reasons.append(el("span", { className: "cmp-label" }, "Top reasons"));
  const ul = el("ul", { className: "reasons" });
  for (const r of (m.reasons || []).slice(0, 3)) ul.append(el("li", {}, r));
  reasons.append((m.reasons || []).length ? ul : el("span", { className: "cmp-value" }, "—"));
  col.append(reasons);
  return col;
}

/** Renders (or re-renders) the comparison of ``matches`` and opens the panel. ctx: {onRemove,
 * onProfile, onSimilar, canSimilar}. */
export function openCompare(matches, ctx, opener) {
  const body = $("compare-body");
  const best = {
    score: bestOf(matches, (m) => m.score, 1),
    price: bestOf(matches, (m) => (m.facts || {}).price, -1),
    ratio: bestOf(matches, (m) => ratioOf(m.facts), 1),
  };
  const signalNames = [...new Set(matches.flatMap((m) => Object.keys(m.signals || {})))];
  const grid = el("div", { className: `cmp-grid n${matches.length}` });
  grid.style.setProperty("--rows", String(12 + signalNames.length + 1));
  for (const m of matches) grid.append(column(m, best, signalNames, ctx));
  const parts = [];
  if (matches.length < 2) parts.push(el("p", { className: "muted" }, "Select two to four creators to compare them."));
  parts.push(grid);
  if (ctx.canSimilar && matches.length) {
    const more = el("button", { type: "button", className: "secondary" }, `More like ${matches.length === 1 ? "this creator" : "these creators"}`);
    more.addEventListener("click", () => { $("compare-dlg").close(); ctx.onSimilar(matches.map((m) => m.creator_id)); });
    const row = el("div", { className: "actions" });
    row.append(more);
    parts.push(row);
  }
  body.replaceChildren(...parts);
  openDialog($("compare-dlg"), opener);
}
