// Problems shown next to their field, in words a marketer uses, and listed in a summary.
// The API's 422 body names each field (["body", "audience", "gender"]): that path finds the
// field on the page (data-field="audience.gender") and picks the message.

import { json } from "./api.js";
import { $, el } from "./dom.js";

const sumOf = (msg) => {
  const m = /got ([0-9.]+)/.exec(msg);
  return m ? ` (they add up to ${Math.round(Number(m[1]) * 100)}%)` : "";
};

// field -> (server message) -> what to tell the user
const FRIENDLY = {
  brand: () => "Tell us the brand's name.",
  description: () => "Tell us what the product is and what the campaign should achieve.",
  category: () => "Write the product category in words, e.g. “Trail running shoes”.",
  tone: () => "Describe the tone in words, e.g. “playful, expert”.",
  goal: () => "Pick awareness, conversion or hybrid.",
  budget: () => "Enter a budget above 0, or leave it empty for any.",
  currency: () => "Use a 3-letter currency code such as USD, EUR or GBP.",
  k: () => "Ask for between 1 and 500 creators.",
  tiers: () => "Pick tiers from the list.",
  platforms: () => "Pick platforms from the list.",
  countries: () => "Use 2-letter country codes such as US, GB or DE.",
  languages: () => "Use 2-letter language codes such as en, es or fr.",
  competitors: () => "List competitor brands separated by commas.",
  exclude_creators: () => "List creator ids separated by commas.",
  "audience.age": () => "Pick the age groups to target, or none for any.",
  "audience.gender": (msg) =>
    /sum/.test(msg)
      ? `The three shares must add up to 100%${sumOf(msg)}.`
      : "Enter percentages between 0 and 100.",
  "audience.countries": () => "Use 2-letter country codes such as US, GB or DE.",
  name: () => "Give the shortlist a name (up to 200 characters).",
  creator_ids: (msg) =>
    /unknown/.test(msg)
      ? "A selected creator is no longer in the catalogue: clear the selection and pick again."
      : "Pick at least one creator, each once.",
  items: (msg) => FRIENDLY.creator_ids(msg),
};

export function friendly(field, msg) {
  const f = FRIENDLY[field];
  if (f) return f(msg || "");
  // unknown to the page: the server's words, without the field path it starts with
  const text = String(msg || "Something is wrong here.").replace(/^[\w.[\]-]+ (?=must|is|should)/, "");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// ["body", "audience", "gender", "male"] -> "audience.gender"; ["body", "tiers", 0] -> "tiers"
export function fieldOf(loc) {
  const parts = (loc || []).slice(loc && loc[0] === "body" ? 1 : 0).filter((p) => typeof p === "string");
  if (parts[0] === "brief") parts.shift();
  if (parts[0] === "audience" && parts[1]) return `audience.${parts[1]}`;
  return parts[0] || null;
}

export function clearErrors(scope) {
  for (const p of scope.querySelectorAll(".field-error")) { p.hidden = true; p.textContent = ""; }
  for (const f of scope.querySelectorAll("[aria-invalid]")) f.removeAttribute("aria-invalid");
  for (const f of scope.querySelectorAll(".has-error")) f.classList.remove("has-error");
  $("summary").hidden = true;
  $("summary-list").replaceChildren();
}

/** problems: [{field, msg}] (msg already friendly) or [{loc, msg}] from the API. */
export function showErrors(scope, problems, title, { summary = true } = {}) {
  const items = [];
  for (const p of problems) {
    const name = p.field !== undefined ? p.field : fieldOf(p.loc);
    const msg = p.field !== undefined ? p.msg : friendly(name, p.msg);
    const box = name && scope.querySelector(`[data-field="${name}"]`);
    let target = null;
    let label = "Request";
    if (box) {
      const err = box.querySelector(":scope > .field-error") || $(`err-${name.replace(".", "-")}`);
      if (err && !err.textContent.includes(msg)) {
        err.textContent = err.hidden ? msg : `${err.textContent} ${msg}`;
        err.hidden = false;
      }
      box.classList.add("has-error");
      for (const input of box.querySelectorAll("input, select, textarea")) {
        input.setAttribute("aria-invalid", "true");
      }
      target = box.querySelector("input, select, textarea");
      const legend = box.querySelector(":scope > legend, :scope > label");
      if (legend) label = legend.textContent.replace("(required)", "").trim();
    }
    items.push({ label, msg, target });
  }
  if (!summary) {
    if (items[0] && items[0].target) items[0].target.focus();
    return items;
  }
  const list = $("summary-list");
  list.replaceChildren();
  for (const it of items) {
    const li = el("li");
    if (it.target && it.target.id) {
      const a = el("a", { href: `#${it.target.id}` }, `${it.label}: ${it.msg}`);
      a.addEventListener("click", (ev) => { ev.preventDefault(); it.target.focus(); });
      li.append(a);
    } else {
      li.textContent = `${it.label}: ${it.msg}`;
    }
    list.append(li);
  }
  $("summary-title").textContent = title;
  $("summary").hidden = false;
  $("summary").focus();
  return items;
}

/** Shows why a request failed (beside the fields when the API names them); returns a sentence
 * for a status line. */
export async function reportFailure(scope, res, what, opts = {}) {
  const body = await json(res);
  if (res.status === 401) {
    const msg = "Enter a valid API key (ask whoever runs matcher for one).";
    showErrors(document, [{ field: "key", msg }], "Not signed in");
    return "Not signed in.";
  }
  if (res.status === 422 && body && Array.isArray(body.detail)) {
    const n = body.detail.length;
    const items = showErrors(scope, body.detail, `The ${what} has ${n} problem${n === 1 ? "" : "s"}`, opts);
    return `The ${what} has ${n === 1 ? "a problem" : "problems"}: ${items.map((i) => i.msg).join(" ")}`;
  }
  if (res.status === 404 || res.status === 405) {
    const detail = body && typeof body.detail === "string" ? body.detail : "";
    return /^no /.test(detail) ? `Not found: ${detail}.` : "This server does not offer that yet.";
  }
  if (res.status === 413) return "That is too much to send at once.";
  const detail = body && typeof body.detail === "string" ? body.detail : `the server answered ${res.status}`;
  showErrors(scope, [{ field: null, msg: detail }], "Could not complete the request", opts);
  return `Could not complete the request: ${detail}`;
}
