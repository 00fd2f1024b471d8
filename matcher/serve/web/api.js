// The API: the key kept in this browser, fetch with it, and what this server offers.

import { $ } from "./dom.js";

const KEY_STORE = "matcher.apiKey";
const keyInput = () => $("f-key");

export function initKey() {
  const input = keyInput();
  try { input.value = localStorage.getItem(KEY_STORE) || ""; } catch (e) { /* storage off */ }
  input.addEventListener("input", () => {
    try { localStorage.setItem(KEY_STORE, input.value.trim()); } catch (e) { /* storage off */ }
  });
  $("key-toggle").addEventListener("click", (ev) => {
    const show = input.type === "password";
    input.type = show ? "text" : "password";
    ev.currentTarget.textContent = show ? "Hide" : "Show";
    ev.currentTarget.setAttribute("aria-pressed", String(show));
  });
}

export async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  const key = keyInput().value.trim();
  if (key) headers.Authorization = `Bearer ${key}`;
  const init = { method, headers };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  try {
    return await fetch(path, init);
  } catch (e) { // no answer at all: shown like any other failure
    const detail = JSON.stringify({ detail: "the server could not be reached" });
    return new Response(detail, { status: 503, headers: { "Content-Type": "application/json" } });
  }
}

// What this server offers, read from its OpenAPI spec once: parts of the page whose endpoint
// the server lacks stay hidden. Without the spec everything is offered (and a missing endpoint
// is reported when used).
export const caps = {
  similar: true, plan: true, rerank: true, rename: true, remove: true, feedback: true, items: false,
  similarCurrency: false,
};

export async function loadCaps() {
  let spec;
  try {
    const res = await fetch("/openapi.json", { headers: { Accept: "application/json" } });
    if (!res.ok) return;
    spec = await res.json();
  } catch (e) {
    return;
  }
  const paths = Object.entries(spec.paths || {});
  const has = (re, method) => paths.some(([p, ops]) => re.test(p) && ops && method in ops);
  const one = /^\/v1\/shortlists\/\{[^}]+\}$/;
  caps.similar = has(/^\/v1\/similar$/, "post");
  caps.plan = has(/^\/v1\/plan$/, "post");
  caps.rerank = has(/^\/v1\/rerank$/, "post");
  caps.rename = has(one, "patch");
  caps.remove = has(one, "delete");
  caps.feedback = has(/^\/v1\/shortlists\/\{[^}]+\}\/feedback$/, "put");
  const schemas = (spec.components || {}).schemas || {};
  const hasProperty = (schema, name) => Boolean(schemas[schema] && (schemas[schema].properties || {})[name]);
  caps.items = hasProperty("ShortlistCreate", "items");
  caps.similarCurrency = hasProperty("SimilarIn", "currency");
}

/** The JSON body of a response, or null when it has none. */
export async function json(res) {
  try { return await res.json(); } catch (e) { return null; }
}
