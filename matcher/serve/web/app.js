// matcher web page: a brief over POST /v1/match, its results as a filterable, sortable,
// paginated list of cards, profiles, comparison, lookalikes, feedback, a campaign plan and
// saved shortlists. No framework and no build step: ES modules served as they are.

import { api, caps, initKey, loadCaps } from "./api.js";
import { checkBrief, excludeCreator, fillBrief, foldBrief, initBriefForm, readBrief, summaryOf } from "./brief.js";
import { activeFilters, arrange, card, fillFilterOptions, initFilterTiers, readFilters } from "./cards.js";
import { MAX_COMPARE, openCompare } from "./compare.js";
import { $, el, money, plural, who } from "./dom.js";
import { clearErrors, reportFailure, showErrors } from "./errors.js";
import { initPlan, openPlan } from "./plan.js";
import { getCreator, openProfile, withFacts } from "./profile.js";
import { initSaved, storeVote } from "./saved.js";

const narrow = window.matchMedia("(max-width: 640px)");
const state = {
  brief: null, // the brief of the results (sent to /v1/match, or a reopened shortlist's)
  view: null, // {kind: "match"|"similar"|"saved", title, matches, excluded, notes, ranker, seeds}
  base: null, // the view lookalikes came from, to go back to
  page: 1,
  selected: new Map(), // creator_id -> match, in the order picked
  votes: new Map(), // creator_id -> "like" | "dislike"
  current: null, // {id, name}: the saved shortlist the list was saved as or opened from
};

const findMatch = (id) =>
  (state.view && state.view.matches.find((m) => m.creator_id === id)) || state.selected.get(id) || null;
const canVote = () => Boolean(state.brief) && state.view.kind !== "similar" && (caps.rerank || caps.feedback);

// -- rendering the list ---------------------------------------------------------------------

function showView(view, { page = 1 } = {}) {
  state.view = view;
  state.page = page;
  fillFilterOptions(view.matches);
  const cur = ((state.brief && state.brief.currency) || "USD").toUpperCase();
  $("flt-max-price").previousElementSibling.textContent = `Price per post up to${cur ? ` (${cur})` : ""}`;
  render();
}

function render() {
  const v = state.view;
  const filters = readFilters();
  filters.currency = (state.brief && state.brief.currency) || "USD"; // the price filter compares in it
  const list = arrange(v.matches, filters, $("sort").value);
  const per = Number($("per-page").value);
  const pages = Math.max(1, Math.ceil(list.length / per));
  state.page = Math.min(Math.max(1, state.page), pages);
  const start = (state.page - 1) * per;
  const shown = list.slice(start, start + per);
  $("matches").replaceChildren(...shown.map((m, i) => card(m, {
    index: start + i, selected: state.selected.has(m.creator_id), vote: state.votes.get(m.creator_id),
    canVote: canVote(), canSimilar: caps.similar,
  })));
  const hidden = v.matches.length - list.length;
  $("count").textContent = list.length
    ? `Showing ${start + 1}–${start + shown.length} of ${list.length}${hidden ? ` (${hidden} hidden by filters)` : ""}.${totalText(list, filters.currency)}`
    : `No creator passes these filters (${v.matches.length} hidden).`;
  const n = activeFilters(filters);
  $("filter-count").textContent = n ? `${n} on` : "";
  $("filter-count").hidden = n === 0;
  $("toolbar").hidden = v.matches.length === 0;
  $("pager").hidden = pages < 2;
  $("page-info").textContent = `Page ${state.page} of ${pages}`;
  $("page-prev").disabled = state.page <= 1;
  $("page-next").disabled = state.page >= pages;
  renderViewBar(v);
  renderExcluded(v.excluded || []);
  renderSelection();
  $("plan-open").hidden = !(caps.plan && state.brief);
}

/** " One post from each: £12,300 (4 estimated)." over the listed creators, in the brief's
 * currency; creators without a price in it are counted apart. */
function totalText(list, currency) {
  let total = 0, estimated = 0, unknown = 0;
  for (const m of list) {
    const f = m.facts;
    if (!f || typeof f.price !== "number" || (f.price_currency || "USD") !== currency) { unknown += 1; continue; }
    total += f.price;
    if (f.price_estimated) estimated += 1;
  }
  if (list.length === unknown) return "";
  const more = [estimated ? `${estimated} estimated` : "", unknown ? `${unknown} without a price` : ""].filter(Boolean);
  return ` One post from each: ${money(total, currency)}${more.length ? ` (${more.join(", ")})` : ""}.`;
}

function renderViewBar(v) {
  const bar = $("view-bar");
  bar.hidden = v.kind === "match";
  $("view-title").textContent = v.title || "";
  $("similar-scope-box").hidden = v.kind !== "similar" || !state.brief;
  $("view-back").hidden = !(v.kind === "similar" && state.base);
  if (state.base) $("view-back").textContent = state.base.kind === "saved" ? "Back to the saved shortlist" : "Back to the brief's results";
  $("results-title").textContent = v.kind === "similar" ? "Lookalikes" : v.kind === "saved" ? "Saved shortlist" : "Shortlist";
  const notes = v.notes || [];
  $("notes").textContent = notes.join(" ");
  $("notes").hidden = notes.length === 0;
}

function renderExcluded(excluded) {
  const ex = $("excluded");
  ex.replaceChildren();
  for (const e of excluded) {
    const li = el("li", { "data-id": e.creator_id });
    const b = el("button", { type: "button", className: "who link", "data-act": "profile" });
    b.append(el("span", { className: "handle" }, e.creator_id));
    li.append(b, document.createTextNode(` — ${e.why}`));
    if (state.votes.get(e.creator_id) === "dislike") {
      li.append(" ", el("button", { type: "button", className: "ghost small", "data-act": "dislike" }, "Undo dislike"));
    }
    ex.append(li);
  }
  $("excluded-title").textContent = `Excluded by hard rules or the niche (${excluded.length})`;
  $("excluded-box").hidden = excluded.length === 0;
  if ($("excluded-box").open) nameExcluded();
}

/** The excluded creators' handles, fetched when the list is opened (the API sends ids). */
async function nameExcluded() {
  for (const li of [...$("excluded").children].slice(0, 30)) {
    const c = await getCreator(li.dataset.id).catch(() => null);
    if (c && c.handle) li.querySelector(".handle").textContent = `@${c.handle} (${c.creator_id})`;
  }
}

function renderSelection() {
  const n = state.selected.size;
  $("selection-bar").hidden = n === 0;
  $("selection-count").textContent = `${plural(n, "creator")} selected`;
  const cmp = $("compare-open");
  cmp.disabled = n < 2 || n > MAX_COMPARE;
  cmp.textContent = n > MAX_COMPARE ? `Compare (up to ${MAX_COMPARE})` : "Compare";
  $("similar-selected").hidden = !caps.similar;
  $("save-title").textContent = n ? `Save the ${plural(n, "selected creator")}` : "Save the selected creators";
  $("save-form").hidden = !state.view || (state.view.matches.length === 0 && n === 0);
}

function select(id, on, match) {
  if (on) state.selected.set(id, match || findMatch(id) || { creator_id: id });
  else state.selected.delete(id);
  for (const box of $("matches").querySelectorAll("input.pick")) {
    if (box.value === id) box.checked = on;
  }
  renderSelection();
}

// -- matching -------------------------------------------------------------------------------

function setStatus(text) { $("status").textContent = text; }

async function submitBrief(ev) {
  ev.preventDefault();
  const form = $("brief-form");
  clearErrors(document);
  const brief = readBrief();
  const local = checkBrief(brief);
  if (local.length) {
    showErrors(form, local, `The brief has ${plural(local.length, "problem")}`);
    return;
  }
  $("submit").disabled = true;
  $("results").setAttribute("aria-busy", "true");
  setStatus("Matching…");
  try {
    const res = await api("POST", "/v1/match", brief);
    if (!res.ok) {
      setStatus(state.view && state.view.matches.length
        ? "Not updated: see the problems above. The list below is from before."
        : "No shortlist: see the problems above.");
      await reportFailure(form, res, "brief");
      return;
    }
    const data = await res.json();
    state.brief = brief;
    state.selected.clear();
    state.votes.clear();
    state.current = null;
    state.base = null;
    $("export").disabled = true;
    $("save-status").textContent = "";
    if (brief.brand) $("f-name").value = `${brief.brand} shortlist`;
    showMatches(data, "match");
    afterResults();
  } catch (e) {
    setStatus("");
    showErrors(form, [{ field: null, msg: "the server could not be reached." }], "Network error");
  } finally {
    $("submit").disabled = false;
    $("results").removeAttribute("aria-busy");
  }
}

function showMatches(data, kind, extra = {}, opts = {}) {
  showView({ kind, matches: data.matches, excluded: data.excluded || [], notes: data.notes || [],
    ranker: data.ranker, ...extra }, opts);
  const n = data.matches.length;
  setStatus(n ? `${plural(n, "creator")} ranked by the ${data.ranker || "default"} ranker.` : "No creator matches this brief.");
}

function afterResults() {
  if (narrow.matches) {
    $("brief-summary").textContent = summaryOf(state.brief);
    foldBrief(true);
  }
  $("results-title").focus();
}

// -- feedback and lookalikes ----------------------------------------------------------------

async function vote(id, v) {
  const next = state.votes.get(id) === v ? null : v;
  if (next) state.votes.set(id, next);
  else state.votes.delete(id);
  if (state.current) storeVote(state.current.id, id, next);
  if (!caps.rerank) {
    render();
    return;
  }
  const likes = [...state.votes].filter(([, x]) => x === "like").map(([k]) => k);
  const dislikes = [...state.votes].filter(([, x]) => x === "dislike").map(([k]) => k);
  setStatus("Re-ranking with your feedback…");
  const k = state.brief.k || Math.max(state.view.matches.length, 20);
  const res = await api("POST", "/v1/rerank", { brief: state.brief, likes, dislikes, k });
  if (!res.ok) {
    setStatus(`Not re-ranked. ${await reportFailure($("brief-form"), res, "brief", { summary: false })}`);
    render();
    return;
  }
  const data = await res.json();
  const title = `Re-ranked with ${plural(likes.length, "like")} and ${plural(dislikes.length, "dislike")}.`;
  showMatches(data, "match"); // the brief's list, re-ranked (a saved list keeps the votes)
  setStatus(`${title} ${$("status").textContent}`);
  focusCardButton(id, v);
}

/** Shows the page holding a creator's card and focuses one of its buttons. */
function focusCardButton(id, act) {
  const list = arrange(state.view.matches, readFilters(), $("sort").value);
  const at = list.findIndex((m) => m.creator_id === id);
  if (at >= 0) {
    state.page = Math.floor(at / Number($("per-page").value)) + 1;
    render();
    const li = [...$("matches").children].find((x) => x.dataset.id === id);
    const b = li && li.querySelector(`button[data-act="${act}"]`);
    if (b) { b.focus(); return; }
  }
  $("results-title").focus();
}

/** Lookalikes score likeness only: the signals no creator of the list has are left out. */
function knownSignalsOnly(matches) {
  const names = new Set(matches.flatMap((m) => Object.entries(m.signals || {}).filter(([, v]) => v !== null).map(([k]) => k)));
  return matches.map((m) => ({
    ...m, signals: Object.fromEntries(Object.entries(m.signals || {}).filter(([k]) => names.has(k))),
  }));
}

function namesOf(ids) {
  const names = ids.slice(0, 3).map((id) => who(findMatch(id) || { creator_id: id }));
  return ids.length > 3 ? `${names.join(", ")} and ${ids.length - 3} more` : names.join(ids.length === 2 ? " and " : ", ");
}

async function similar(ids) {
  const body = { creator_ids: ids, k: 20 };
  if (state.brief && state.brief.currency && caps.similarCurrency) body.currency = state.brief.currency;
  if (state.brief && $("similar-scope").checked) {
    for (const key of ["tiers", "countries", "platforms", "languages"]) if (state.brief[key]) body[key] = state.brief[key];
  }
  setStatus(`Looking for creators like ${namesOf(ids)}…`);
  const res = await api("POST", "/v1/similar", body);
  if (!res.ok) {
    setStatus(`No lookalikes. ${await reportFailure($("brief-form"), res, "request", { summary: false })}`);
    return;
  }
  const data = await res.json();
  data.matches = knownSignalsOnly(await withFacts(data.matches));
  if (state.view.kind !== "similar") state.base = state.view;
  showMatches(data, "similar", { title: `Creators like ${namesOf(ids)}`, seeds: ids });
  setStatus(`${plural(data.matches.length, "creator")} like ${namesOf(ids)}.`);
  $("results-title").focus();
}

// -- wiring ---------------------------------------------------------------------------------

function profileCtx(id) {
  return {
    match: findMatch(id),
    competitors: (state.brief && state.brief.competitors) || [],
    isSelected: (cid) => state.selected.has(cid),
    onSelect: (cid, on) => select(cid, on),
    onSimilar: similar,
    onExclude: excludeCreator,
    canSimilar: caps.similar,
  };
}

const showProfile = (id, opener) => openProfile(id, profileCtx(id), opener);

function compare(opener) {
  const picked = [...state.selected.values()].slice(0, MAX_COMPARE);
  openCompare(picked, {
    onRemove: (id) => { select(id, false); compare(); },
    onProfile: showProfile,
    onSimilar: similar,
    canSimilar: caps.similar,
  }, opener);
}

function onCardClick(ev) {
  const b = ev.target.closest("button[data-act]");
  if (!b) return;
  const id = b.closest("[data-id]").dataset.id;
  const act = b.dataset.act;
  if (act === "profile") showProfile(id, b);
  else if (act === "similar") similar([id]);
  else if (act === "like" || act === "dislike") vote(id, act);
  else if (act === "reasons") {
    const open = b.getAttribute("aria-expanded") !== "true";
    b.setAttribute("aria-expanded", String(open));
    b.closest(".match").classList.toggle("all-reasons", open);
    b.textContent = open ? "Fewer reasons" : `${b.closest(".match").querySelectorAll(".reasons li").length} reasons`;
  }
}

function turnPage(delta) {
  state.page += delta;
  render();
  $("results-title").focus();
}

function openReopened(rec, matches, votes) {
  state.current = { id: rec.id, name: rec.name };
  state.votes = votes;
  state.base = null;
  if (rec.brief) {
    fillBrief(rec.brief);
    state.brief = rec.brief;
  }
  showView({ kind: "saved", title: `“${rec.name}”: ${plural(matches.length, "creator")}, saved ${rec.created_at.slice(0, 10)}`,
    matches, excluded: [], notes: [] });
  setStatus(`Opened the saved shortlist “${rec.name}”.`);
  $("f-name").value = rec.name;
  $("export").disabled = false;
  $("save-status").textContent = "";
  afterResults();
}

function initResults() {
  $("matches").addEventListener("click", onCardClick);
  $("excluded").addEventListener("click", onCardClick);
  $("excluded-box").addEventListener("toggle", () => { if ($("excluded-box").open) nameExcluded(); });
  $("matches").addEventListener("change", (ev) => {
    if (ev.target.matches("input.pick")) select(ev.target.value, ev.target.checked);
  });
  const rerender = () => { state.page = 1; if (state.view) render(); };
  $("filters").addEventListener("input", rerender);
  $("filters").addEventListener("change", rerender);
  $("filters").addEventListener("reset", () => setTimeout(rerender, 0));
  $("sort").addEventListener("change", rerender);
  $("per-page").addEventListener("change", rerender);
  $("per-page").value = narrow.matches ? "10" : "20";
  $("filters-box").open = !narrow.matches;
  $("page-prev").addEventListener("click", () => turnPage(-1));
  $("page-next").addEventListener("click", () => turnPage(1));
  $("view-back").addEventListener("click", () => {
    const back = state.base;
    state.base = null;
    showView(back);
    setStatus(back.kind === "saved" ? "Back to the saved shortlist." : "Back to the brief's results.");
    $("results-title").focus();
  });
  $("similar-scope").addEventListener("change", () => { if (state.view.seeds) similar(state.view.seeds); });
  $("compare-open").addEventListener("click", (ev) => compare(ev.currentTarget));
  $("similar-selected").addEventListener("click", () => similar([...state.selected.keys()]));
  $("selection-clear").addEventListener("click", () => {
    for (const id of [...state.selected.keys()]) select(id, false);
    $("results-title").focus();
  });
  $("plan-open").addEventListener("click", (ev) => openPlan({
    brief: state.brief,
    onProfile: showProfile,
    onSelect: (rows) => {
      for (const id of [...state.selected.keys()]) select(id, false);
      for (const r of rows) select(r.creator_id, true, findMatch(r.creator_id) || planMatch(r));
    },
  }, ev.currentTarget));
}

const planMatch = (r) => ({
  creator_id: r.creator_id, handle: r.handle,
  facts: { followers: r.followers, tier: r.tier, platform: r.platform, price: r.cost, price_currency: (state.brief.currency || "USD").toUpperCase(), price_estimated: r.cost_estimated },
});

function init() {
  initKey();
  initBriefForm();
  initFilterTiers();
  initPlan();
  initResults();
  for (const dlg of document.querySelectorAll("dialog")) {
    dlg.querySelector("[data-close]").addEventListener("click", () => dlg.close());
    dlg.addEventListener("click", (ev) => { if (ev.target === dlg) dlg.close(); });
  }
  $("brief-form").addEventListener("submit", submitBrief);
  initSaved({
    selection: () => [...state.selected.values()].sort((a, b) => (a.rank || 1e9) - (b.rank || 1e9)),
    brief: () => state.brief,
    votes: () => state.votes,
    setCurrent: (c) => { state.current = c; },
    current: () => state.current,
    open: openReopened,
    renamed: (id, name) => { if (state.current && state.current.id === id) state.current.name = name; },
    deleted: (id) => {
      if (state.current && state.current.id === id) { state.current = null; $("export").disabled = true; }
    },
  });
  loadCaps().then(() => { if (state.view) render(); });
}

init();
