// Saved shortlists: save the selection, export it, and the list of saved shortlists (open,
// rename, export, delete). Votes (like / dislike) are stored with a saved shortlist.

import { api, caps, json } from "./api.js";
import { clearErrors, reportFailure } from "./errors.js";
import { $, download, el, openDialog, plural } from "./dom.js";
import { withFacts } from "./profile.js";

let ctx = null;

const path = (id) => `/v1/shortlists/${encodeURIComponent(id)}`;

async function exportCsv(id, status) {
  try {
    const res = await api("GET", `${path(id)}.csv`);
    if (!res.ok) {
      status.textContent = `Export failed. ${await reportFailure($("save-form"), res, "export", { summary: false })}`;
      return;
    }
    await download(res, "shortlist.csv");
    status.textContent = "CSV downloaded.";
  } catch (e) {
    status.textContent = "Export failed: the server could not be reached.";
  }
}

/** Stores one vote with a saved shortlist; false when it could not be stored. */
export async function storeVote(id, creatorId, vote) {
  if (!caps.feedback) return false;
  try {
    const res = await api("PUT", `${path(id)}/feedback`, { creator_id: creatorId, vote });
    return res.ok;
  } catch (e) {
    return false;
  }
}

async function save(ev) {
  ev.preventDefault();
  const form = $("save-form");
  const status = $("save-status");
  clearErrors(form);
  const picked = ctx.selection();
  if (!picked.length) {
    status.textContent = "Select at least one creator first (the box beside each name).";
    return;
  }
  const body = { name: $("f-name").value.trim(), creator_ids: picked.map((m) => m.creator_id) };
  const brief = ctx.brief();
  if (brief) body.brief = brief;
  if (caps.items && picked.every((m) => typeof m.score === "number")) {
    body.items = picked.map((m, i) => ({
      creator_id: m.creator_id, rank: m.rank || i + 1, score: m.score, reasons: m.reasons || [],
    }));
  }
  try {
    const res = await api("POST", "/v1/shortlists", body);
    if (!res.ok) {
      status.textContent = `Not saved. ${await reportFailure(form, res, "shortlist")}`;
      return;
    }
    const saved = await res.json();
    ctx.setCurrent({ id: saved.id, name: saved.name });
    $("export").disabled = false;
    let stored = 0;
    for (const [cid, vote] of ctx.votes()) stored += (await storeVote(saved.id, cid, vote)) ? 1 : 0;
    const votes = stored ? ` and your ${plural(stored, "vote")}` : "";
    status.textContent = `Saved “${saved.name}” with ${plural(saved.creator_ids.length, "creator")}${votes}.`;
  } catch (e) {
    status.textContent = "Not saved: the server could not be reached.";
  }
}

// -- the list of saved shortlists -----------------------------------------------------------

function when(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "" : d.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric" });
}

function button(text, cls, onClick, attrs = {}) {
  const b = el("button", { type: "button", className: cls, ...attrs }, text);
  b.addEventListener("click", onClick);
  return b;
}

function row(rec) {
  const li = el("li", { className: "saved-item", "data-id": rec.id });
  const main = el("div", { className: "saved-main" });
  main.append(el("span", { className: "saved-name" }, rec.name),
    el("span", { className: "muted" }, `${plural(rec.creator_ids.length, "creator")} · saved ${when(rec.created_at)}`));
  const acts = el("div", { className: "actions wrap" });
  const status = $("saved-status");
  acts.append(button("Open", "secondary", () => openSaved(rec.id), { "aria-label": `Open ${rec.name}` }));
  if (caps.rename) acts.append(button("Rename", "ghost", () => rename(li, rec), { "aria-label": `Rename ${rec.name}` }));
  acts.append(button("Export CSV", "ghost", () => exportCsv(rec.id, status), { "aria-label": `Export ${rec.name} as CSV` }));
  if (caps.remove) acts.append(button("Delete", "ghost danger", () => confirmDelete(li, rec), { "aria-label": `Delete ${rec.name}` }));
  li.append(main, acts);
  return li;
}

function rename(li, rec) {
  const form = el("form", { className: "inline-form", novalidate: true });
  const id = `rename-${rec.id}`;
  const field = el("div", { className: "field", "data-field": "name" });
  field.append(el("label", { for: id }, "New name"), el("input", { id, value: rec.name }),
    el("p", { className: "field-error", hidden: true }));
  form.append(field);
  const acts = el("div", { className: "actions" });
  acts.append(el("button", { type: "submit", className: "primary" }, "Save name"),
    button("Cancel", "ghost", () => li.replaceWith(row(rec))));
  form.append(acts);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const name = form.querySelector("input").value.trim();
    const res = await api("PATCH", path(rec.id), { name });
    if (!res.ok) {
      $("saved-status").textContent = await reportFailure(form, res, "name", { summary: false });
      return;
    }
    const updated = { ...rec, ...((await json(res)) || {}), name };
    const fresh = row(updated);
    li.replaceWith(fresh);
    fresh.querySelector("button").focus();
    $("saved-status").textContent = `Renamed to “${name}”.`;
    ctx.renamed(rec.id, name);
  });
  li.replaceChildren(form);
  form.querySelector("input").focus();
}

function confirmDelete(li, rec) {
  const box = el("div", { className: "confirm", role: "group", "aria-label": `Delete ${rec.name}?` });
  box.append(el("p", {}, `Delete “${rec.name}”? This cannot be undone.`));
  const acts = el("div", { className: "actions" });
  acts.append(
    button("Delete for good", "primary danger", async () => {
      const res = await api("DELETE", path(rec.id));
      if (!res.ok) {
        $("saved-status").textContent = await reportFailure(box, res, "request", { summary: false });
        return;
      }
      const next = li.nextElementSibling || li.previousElementSibling;
      li.remove();
      $("saved-status").textContent = `Deleted “${rec.name}”.`;
      (next ? next.querySelector("button") : $("saved-dlg").querySelector("[data-close]")).focus();
      ctx.deleted(rec.id);
    }),
    button("Keep it", "ghost", () => { const fresh = row(rec); li.replaceWith(fresh); fresh.querySelector("button").focus(); }),
  );
  box.append(acts);
  li.replaceChildren(box);
  acts.querySelector("button").focus();
}

async function openList(opener) {
  const list = $("saved-list");
  const status = $("saved-status");
  list.replaceChildren();
  status.textContent = "Loading…";
  openDialog($("saved-dlg"), opener);
  try {
    const res = await api("GET", "/v1/shortlists");
    if (!res.ok) {
      status.textContent = await reportFailure(list, res, "request", { summary: false });
      return;
    }
    const { shortlists } = await res.json();
    status.textContent = shortlists.length ? `${plural(shortlists.length, "saved shortlist")}, newest first.` : "Nothing saved yet.";
    for (const rec of shortlists) list.append(row(rec));
  } catch (e) {
    status.textContent = "The server could not be reached.";
  }
}

// -- reopening ------------------------------------------------------------------------------

function votesOf(body) {
  const votes = new Map();
  if (body && Array.isArray(body.likes)) {
    for (const id of body.likes) votes.set(id, "like");
    for (const id of body.dislikes || []) votes.set(id, "dislike");
    return votes;
  }
  const list = Array.isArray(body) ? body : body && (body.feedback || body.votes || body.items);
  if (Array.isArray(list)) {
    for (const v of list) if (v && v.creator_id && v.vote) votes.set(v.creator_id, v.vote);
  } else if (body && typeof body === "object") {
    for (const [k, v] of Object.entries(body)) if (v === "like" || v === "dislike") votes.set(k, v);
  }
  return votes;
}

export async function openSaved(id) {
  const status = $("saved-status");
  status.textContent = "Opening…";
  const res = await api("GET", path(id));
  if (!res.ok) {
    status.textContent = await reportFailure($("saved-list"), res, "request", { summary: false });
    return;
  }
  const rec = await res.json();
  const items = Array.isArray(rec.items) && rec.items.length
    ? rec.items
    : rec.creator_ids.map((cid, i) => ({ creator_id: cid, rank: i + 1 }));
  const facts = rec.facts || {};  // today's facts, prices in the saved brief's currency
  const matches = await withFacts(items.map((m) => (facts[m.creator_id] ? { ...m, facts: facts[m.creator_id] } : m)));
  let votes = new Map();
  if (caps.feedback) {
    const fb = await api("GET", `${path(id)}/feedback`).catch(() => null);
    if (fb && fb.ok) votes = votesOf(await json(fb));
  }
  $("saved-dlg").close();
  ctx.open(rec, matches, votes);
}

/** ctx: {selection(), brief(), votes(), setCurrent({id, name}|null), current(), open(rec,
 * matches, votes), renamed(id, name), deleted(id)}. */
export function initSaved(c) {
  ctx = c;
  $("save-form").addEventListener("submit", save);
  $("export").addEventListener("click", () => {
    const cur = ctx.current();
    if (cur) exportCsv(cur.id, $("save-status"));
  });
  $("open-saved").addEventListener("click", (ev) => openList(ev.currentTarget));
}
