// The brief form: reading it into a brief (FORMATS.md), checking the codes the server takes as
// free text, filling it back from a saved brief, and folding it away on a phone.

import { $, AGES, PLATFORMS, TIERS, cap, el, isCountryCode, isLanguageCode, platformName, words } from "./dom.js";

const COUNTRY_ALIASES = { UK: "GB", USA: "US", UAE: "AE", ENGLAND: "GB", BRITAIN: "GB", AMERICA: "US" };
const LANGUAGE_NAMES = {
  english: "en", spanish: "es", french: "fr", german: "de", italian: "it", portuguese: "pt",
  dutch: "nl", polish: "pl", japanese: "ja", korean: "ko", chinese: "zh", hindi: "hi", arabic: "ar",
};

function checkboxes(containerId, name, values, label) {
  const box = $(containerId);
  for (const v of values) {
    const id = `f-${name}-${v}`;
    const l = el("label", { for: id, className: "check" });
    l.append(el("input", { type: "checkbox", id, name, value: v }), document.createTextNode(` ${label(v)}`));
    box.append(l);
  }
}

const checked = (name) =>
  [...document.querySelectorAll(`#brief-form input[name="${name}"]:checked`)].map((i) => i.value);
const text = (id) => $(id).value.trim();
const num = (id) => (text(id) === "" ? null : Number(text(id)));

export function readBrief() {
  const b = {};
  if (text("f-brand")) b.brand = text("f-brand");
  if (text("f-description")) b.description = text("f-description");
  if (text("f-category")) b.category = text("f-category");
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
  if (countries.length) audience.countries = Object.fromEntries(countries.map((c) => [c, 1 / countries.length]));
  if (Object.keys(audience).length) b.audience = audience;

  if (num("f-budget") !== null) b.budget = num("f-budget");
  if (text("f-currency")) b.currency = text("f-currency").toUpperCase();
  const lists = {
    tiers: checked("tiers"),
    platforms: checked("platforms"),
    countries: words(text("f-countries")).map((c) => c.toUpperCase()),
    languages: words(text("f-languages")).map((l) => l.toLowerCase()),
    competitors: words(text("f-competitors")),
    exclude_creators: words(text("f-exclude")),
  };
  for (const [k, v] of Object.entries(lists)) if (v.length) b[k] = v;
  if (num("f-k") !== null) b.k = num("f-k");
  return b;
}

function countryProblems(codes, field) {
  const bad = codes.filter((c) => COUNTRY_ALIASES[c] || !isCountryCode(c));
  if (!bad.length) return [];
  const fix = bad.map((c) => (COUNTRY_ALIASES[c] ? `“${c}” is written ${COUNTRY_ALIASES[c]}` : `“${c}”`));
  return [{ field, msg: `Use 2-letter country codes such as US, GB or DE: ${fix.join(", ")}.` }];
}

/** Problems the server would not catch (it takes any text as a country or language). */
export function checkBrief(b) {
  const problems = [];
  problems.push(...countryProblems(b.countries || [], "countries"));
  problems.push(...countryProblems(Object.keys((b.audience || {}).countries || {}), "audience.countries"));
  const badLang = (b.languages || []).filter((l) => !isLanguageCode(l));
  if (badLang.length) {
    const fix = badLang.map((l) => (LANGUAGE_NAMES[l] ? `“${l}” is written ${LANGUAGE_NAMES[l]}` : `“${l}”`));
    problems.push({ field: "languages", msg: `Use 2-letter language codes such as en, es or fr: ${fix.join(", ")}.` });
  }
  return problems;
}

const setChecks = (name, values) => {
  for (const box of document.querySelectorAll(`#brief-form input[name="${name}"]`)) box.checked = values.includes(box.value);
};
const list = (v) => (Array.isArray(v) ? v : v ? [v] : []);

/** Puts a saved brief back into the form. */
export function fillBrief(b) {
  const set = (id, v) => { $(id).value = v === undefined || v === null ? "" : String(v); };
  set("f-brand", b.brand);
  set("f-description", b.description);
  set("f-category", b.category);
  set("f-tone", list(b.tone).join(", "));
  set("f-goal", b.goal || "");
  const a = b.audience || {};
  setChecks("age", Object.keys(a.age || {}));
  for (const g of ["female", "male", "other"]) {
    set(`f-${g}`, a.gender && g in a.gender ? Math.round(a.gender[g] * 100) : "");
  }
  set("f-aud-countries", Object.keys(a.countries || {}).join(", "));
  set("f-budget", b.budget);
  set("f-currency", b.currency || "USD");
  setChecks("tiers", list(b.tiers));
  setChecks("platforms", list(b.platforms));
  set("f-countries", list(b.countries).join(", "));
  set("f-languages", list(b.languages).join(", "));
  set("f-competitors", list(b.competitors).join(", "));
  set("f-exclude", list(b.exclude_creators).join(", "));
  set("f-k", b.k || 20);
}

/** Adds a creator id to "Exclude creators". */
export function excludeCreator(id) {
  const ids = words(text("f-exclude"));
  if (!ids.includes(id)) $("f-exclude").value = [...ids, id].join(", ");
}

export function summaryOf(b) {
  const parts = [b.brand, b.goal && cap(b.goal), (b.tiers || []).map(cap).join(", "),
    (b.platforms || []).map(platformName).join(", "), (b.countries || []).join(", ")];
  return parts.filter(Boolean).join(" · ");
}

/** Folds the form away (the toggle shows only on narrow screens, where it is used). */
export function foldBrief(fold) {
  $("brief-form").classList.toggle("folded", fold);
  $("brief-toggle").setAttribute("aria-expanded", String(!fold));
  $("brief-toggle").textContent = fold ? "Edit brief" : "Hide brief";
  $("brief-summary").hidden = !fold;
}

export function initBriefForm() {
  checkboxes("age-boxes", "age", AGES, (v) => v);
  checkboxes("tier-boxes", "tiers", TIERS, cap);
  checkboxes("platform-boxes", "platforms", PLATFORMS, platformName);
  $("brief-toggle").addEventListener("click", () => {
    const fold = !$("brief-form").classList.contains("folded");
    foldBrief(fold);
    if (!fold) $("f-brand").focus();
  });
}
