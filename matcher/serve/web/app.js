// matcher web page: a brief form over POST /v1/match, shortlists over /v1/shortlists.
// No framework and no build step. Every piece of catalogue text is inserted with textContent.
"use strict";

(() => {
  const AGES = ["13-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+"];
  const TIERS = ["nano", "micro", "macro", "mega"];
  const PLATFORMS = ["instagram", "tiktok", "youtube", "twitch", "x", "other"];
  const KEY_STORE = "matcher.apiKey";
  const NAMES = { tiktok: "TikTok", youtube: "YouTube", x: "X" };

  const $ = (id) => document.getElementById(id);
  const el = (tag, attrs = {}, text) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "className") node.className = v;
      else node.setAttribute(k, v);
    }
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const words = (s) => s.split(",").map((x) => x.trim()).filter(Boolean);
  const cap = (s) => s.charAt(0).toUpperCase() + s.slice(1);

  let lastBrief = null;
  let savedId = null;

  // -- form set-up -------------------------------------------------------------------------

  function checkboxes(containerId, name, values) {
    const box = $(containerId);
    for (const v of values) {
      const id = `f-${name}-${v}`;
      const input = el("input", { type: "checkbox", id, name, value: v });
      const label = el("label", { for: id, className: "check" });
      label.append(input, document.createTextNode(" " + (name === "age" ? v : NAMES[v] || cap(v))));
      box.append(label);
    }
  }
  checkboxes("age-boxes", "age", AGES);
  checkboxes("tier-boxes", "tiers", TIERS);
  checkboxes("platform-boxes", "platforms", PLATFORMS);

  const keyInput = $("f-key");
  try { keyInput.value = localStorage.getItem(KEY_STORE) || ""; } catch (e) { /* storage off */ }
  keyInput.addEventListener("input", () => {
    try { localStorage.setItem(KEY_STORE, keyInput.value.trim()); } catch (e) { /* storage off */ }
  });
  $("key-toggle").addEventListener("click", (ev) => {
    const show = keyInput.type === "password";
    keyInput.type = show ? "text" : "password";
    ev.currentTarget.textContent = show ? "Hide" : "Show";
    ev.currentTarget.setAttribute("aria-pressed", String(show));
  });

  const checked = (name) =>
    [...document.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);

  // -- reading the brief -------------------------------------------------------------------

  function readBrief() {
    const b = {};
    const text = (id) => $(id).value.trim();
    const num = (id) => (text(id) === "" ? null : Number(text(id)));
    if (text("f-brand")) b.brand = text("f-brand");
    if (text("f-description")) b.description = text("f-description");
    const tone = words(text("f-tone"));
    if (tone.length) b.tone = tone;
    if (text("f-goal")) b.goal = text("f-goal");

    const audience = {};
    const ages = checked("age");
    if (ages.length) audience.age = Object.fromEntries(ages.map((a) => [a, 1 / ages.length]));
    const split = ["f-female", "f-male", "f-other"].map(num);
    if (split.some((x) => x !== null)) {
      audience.gender = {};
      ["female", "male", "other"].forEach((g, i) => { audience.gender[g] = (split[i] || 0) / 100; });
    }
    const countries = words(text("f-aud-countries")).map((c) => c.toUpperCase());
    if (countries.length) {
      audience.countries = Object.fromEntries(countries.map((c) => [c, 1 / countries.length]));
    }
    if (Object.keys(audience).length) b.audience = audience;

    if (num("f-budget") !== null) b.budget = num("f-budget");
    if (text("f-currency")) b.currency = text("f-currency").toUpperCase();
    const tiers = checked("tiers");
    if (tiers.length) b.tiers = tiers;
    const platforms = checked("platforms");
    if (platforms.length) b.platforms = platforms;
    const competitors = words(text("f-competitors"));
    if (competitors.length) b.competitors = competitors;
    const languages = words(text("f-languages")).map((l) => l.toLowerCase());
    if (languages.length) b.languages = languages;
    if (num("f-k") !== null) b.k = num("f-k");
    return b;
  }

  // -- errors ------------------------------------------------------------------------------

  function clearErrors(scope) {
    for (const p of scope.querySelectorAll(".field-error")) { p.hidden = true; p.textContent = ""; }
    for (const f of scope.querySelectorAll("[aria-invalid]")) f.removeAttribute("aria-invalid");
    for (const f of scope.querySelectorAll(".has-error")) f.classList.remove("has-error");
    $("summary").hidden = true;
    $("summary-list").replaceChildren();
  }

  // ["body", "audience", "gender", "male"] -> "audience.gender"; ["body", "tiers", 0] -> "tiers"
  function fieldOf(loc) {
    const parts = (loc || []).slice(loc && loc[0] === "body" ? 1 : 0).filter((p) => typeof p === "string");
    if (parts[0] === "brief") parts.shift();
    if (parts[0] === "audience" && parts[1]) return `audience.${parts[1]}`;
    return parts[0] || null;
  }

  function showErrors(scope, problems, title) {
    const items = [];
    for (const p of problems) {
      const name = p.field !== undefined ? p.field : fieldOf(p.loc);
      const box = name && scope.querySelector(`[data-field="${name}"]`);
      let target = null;
      let label = "Request";
      if (box) {
        const err = box.querySelector(":scope > .field-error") || $(`err-${name.replace(".", "-")}`);
        if (err) {
          err.textContent = err.hidden ? p.msg : `${err.textContent} ${p.msg}`;
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
      items.push({ label, msg: p.msg, target });
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
  }

  // Turns a failed response into problems shown beside the fields; returns nothing.
  async function reportFailure(scope, res, what) {
    let body = null;
    try { body = await res.json(); } catch (e) { /* not JSON */ }
    if (res.status === 401) {
      const msg = "Enter a valid API key.";
      showErrors(document, [{ field: null, msg: (body && body.detail) || msg }], "Not signed in");
      const err = $("err-key");
      err.textContent = msg; err.hidden = false;
      keyInput.setAttribute("aria-invalid", "true");
      $("key-box").classList.add("has-error");
      return;
    }
    if (res.status === 422 && body && Array.isArray(body.detail)) {
      const n = body.detail.length;
      showErrors(scope, body.detail, `The ${what} has ${n} problem${n === 1 ? "" : "s"}`);
      return;
    }
    const detail = body && typeof body.detail === "string" ? body.detail : `HTTP ${res.status}`;
    showErrors(scope, [{ field: null, msg: detail }], `Could not complete the request`);
  }

  async function api(method, path, body) {
    const headers = { Accept: "application/json" };
    const key = keyInput.value.trim();
    if (key) headers.Authorization = `Bearer ${key}`;
    const init = { method, headers };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(path, init);
  }

  // -- matching ----------------------------------------------------------------------------

  const form = $("brief-form");
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearErrors(document);
    const brief = readBrief();
    const button = $("submit");
    button.disabled = true;
    $("results").setAttribute("aria-busy", "true");
    $("status").textContent = "Matching…";
    try {
      const res = await api("POST", "/v1/match", brief);
      if (!res.ok) {
        $("status").textContent = $("matches").children.length
          ? "Not updated: see the problems above. The shortlist below is from the previous brief."
          : "No shortlist: see the problems above.";
        await reportFailure(form, res, "brief");
        return;
      }
      lastBrief = brief;
      render(await res.json());
    } catch (e) {
      $("status").textContent = "";
      showErrors(form, [{ field: null, msg: "the server could not be reached." }], "Network error");
    } finally {
      button.disabled = false;
      $("results").removeAttribute("aria-busy");
    }
  });

  function signalItem(name, value) {
    const known = value !== null && value !== undefined;
    const level = !known ? "unknown" : value < 0.34 ? "low" : value < 0.67 ? "mid" : "high";
    const li = el("li", { className: `sig ${level}` });
    li.append(el("span", { className: "sig-name" }, cap(name)));
    const bar = el("span", { className: "bar", "aria-hidden": "true" });
    const fill = el("span", { className: "fill" });
    if (known) fill.style.width = `${Math.round(Math.max(0, Math.min(1, value)) * 100)}%`;
    bar.append(fill);
    li.append(bar);
    const val = el("span", { className: "sig-val" }, known ? value.toFixed(2) : "n/a");
    if (!known) val.title = "unknown: not enough data to score this signal";
    li.append(val);
    return li;
  }

  function render(shortlist) {
    const notes = shortlist.notes || [];
    $("notes").textContent = notes.join(" ");
    $("notes").hidden = notes.length === 0;
    const list = $("matches");
    list.replaceChildren();
    savedId = null;
    $("export").disabled = true;
    $("save-status").textContent = "";
    shortlist.matches.forEach((m, i) => {
      const li = el("li", { className: "match" });
      const head = el("div", { className: "match-head" });
      const pickId = `pick-${i}`;
      const pick = el("input", { type: "checkbox", id: pickId, className: "pick", value: m.creator_id });
      const label = el("label", { for: pickId, className: "who" });
      label.append(el("span", { className: "rank" }, `#${m.rank}`));
      label.append(el("span", { className: "handle" }, m.handle ? `@${m.handle}` : m.creator_id));
      if (m.handle) label.append(el("span", { className: "cid" }, m.creator_id));
      head.append(pick, label);
      for (const f of m.flags || []) head.append(el("span", { className: "flag" }, f.replace(/-/g, " ")));
      const score = el("span", { className: "score" }, m.score.toFixed(2));
      score.title = "match score";
      head.append(score);
      li.append(head);
      const sigs = el("ul", { className: "signals", "aria-label": "Signals" });
      // the signals in the order the server sends them (its registry of signals)
      for (const [s, v] of Object.entries(m.signals)) sigs.append(signalItem(s, v));
      li.append(sigs);
      const reasons = el("ul", { className: "reasons", "aria-label": "Why" });
      for (const r of m.reasons) reasons.append(el("li", {}, r));
      li.append(reasons);
      list.append(li);
    });
    const ex = $("excluded");
    ex.replaceChildren();
    for (const e of shortlist.excluded) {
      const li = el("li");
      li.append(el("span", { className: "cid" }, e.creator_id), document.createTextNode(` — ${e.why}`));
      ex.append(li);
    }
    $("excluded-title").textContent = `Excluded by hard rules or the niche (${shortlist.excluded.length})`;
    $("excluded-box").hidden = shortlist.excluded.length === 0;
    $("excluded-box").open = shortlist.excluded.length > 0 && shortlist.excluded.length <= 10;
    const n = shortlist.matches.length;
    $("status").textContent = n
      ? `${n} creator${n === 1 ? "" : "s"} ranked by the ${shortlist.ranker || "default"} ranker. Select some to save a shortlist.`
      : "No creator matches this brief.";
    $("save-form").hidden = n === 0;
    if (!$("f-name").value && lastBrief && lastBrief.brand) $("f-name").value = `${lastBrief.brand} shortlist`;
  }

  // -- saving and exporting ----------------------------------------------------------------

  const saveForm = $("save-form");
  saveForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearErrors(saveForm);
    const ids = [...document.querySelectorAll("input.pick:checked")].map((i) => i.value);
    if (!ids.length) {
      $("save-status").textContent = "Select at least one creator first.";
      return;
    }
    const body = { name: $("f-name").value.trim(), creator_ids: ids };
    if (lastBrief) body.brief = lastBrief;
    try {
      const res = await api("POST", "/v1/shortlists", body);
      if (!res.ok) {
        $("save-status").textContent = "Not saved.";
        await reportFailure(saveForm, res, "shortlist");
        return;
      }
      const saved = await res.json();
      savedId = saved.id;
      $("export").disabled = false;
      $("save-status").textContent =
        `Saved “${saved.name}” with ${saved.creator_ids.length} creator${saved.creator_ids.length === 1 ? "" : "s"} (id ${saved.id}).`;
    } catch (e) {
      $("save-status").textContent = "Not saved: the server could not be reached.";
    }
  });

  $("export").addEventListener("click", async () => {
    if (!savedId) return;
    try {
      const res = await api("GET", `/v1/shortlists/${encodeURIComponent(savedId)}.csv`);
      if (!res.ok) {
        await reportFailure(saveForm, res, "export");
        return;
      }
      const cd = res.headers.get("Content-Disposition") || "";
      const match = /filename="([^"]+)"/.exec(cd);
      const url = URL.createObjectURL(await res.blob());
      const a = el("a", { href: url, download: match ? match[1] : "shortlist.csv" });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      $("save-status").textContent = "CSV downloaded.";
    } catch (e) {
      $("save-status").textContent = "Export failed: the server could not be reached.";
    }
  });
})();
