// Small helpers shared by the page's modules: elements, numbers, money, names of things.
// Every piece of catalogue text is inserted with textContent, never as HTML.

export const AGES = ["13-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+"];
export const TIERS = ["nano", "micro", "macro", "mega"];
export const PLATFORMS = ["instagram", "tiktok", "youtube", "twitch", "x", "other"];
// typical engagement rate per tier (matcher.schema.TIER_ENGAGEMENT_NORM)
export const NORMS = { emerging: 0.124, nano: 0.124, micro: 0.078, macro: 0.032, mega: 0.017 };
const PLATFORM_NAMES = { tiktok: "TikTok", youtube: "YouTube", x: "X" };

export const $ = (id) => document.getElementById(id);

export function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "className") node.className = v;
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

export const words = (s) => s.split(",").map((x) => x.trim()).filter(Boolean);
export const cap = (s) => (s ? s.charAt(0).toUpperCase() + s.slice(1) : s);
export const plural = (n, one, many = `${one}s`) => `${n.toLocaleString("en")} ${n === 1 ? one : many}`;
export const known = (v) => v !== null && v !== undefined && !(typeof v === "number" && Number.isNaN(v));

export function platformName(p) {
  return p ? PLATFORM_NAMES[p] || cap(p) : null;
}

export function tierOf(followers) {
  if (!known(followers)) return null;
  if (followers >= 1e6) return "mega";
  if (followers >= 1e5) return "macro";
  if (followers >= 1e4) return "micro";
  if (followers >= 1e3) return "nano";
  return "emerging";
}

const compact = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 });

/** 2,855 below ten thousand; 24.3K, 1.2M above. */
export function count(n) {
  if (!known(n)) return null;
  return n < 10000 ? n.toLocaleString("en") : compact.format(n);
}

export function pct(x, digits = 1) {
  return known(x) ? `${(x * 100).toFixed(digits)}%` : null;
}

/** 1,100 in its currency: "$1,100", "£870", or "1,100 XYZ" for a code Intl does not know. */
export function money(amount, currency) {
  if (!known(amount)) return null;
  const code = (currency || "USD").toUpperCase();
  try {
    const digits = amount >= 100 ? 0 : 2;
    return new Intl.NumberFormat("en", {
      style: "currency", currency: code, maximumFractionDigits: digits, minimumFractionDigits: 0,
    }).format(amount);
  } catch (e) {
    return `${Math.round(amount).toLocaleString("en")} ${code}`;
  }
}

let regions = null;
let languages = null;
try {
  regions = new Intl.DisplayNames(["en"], { type: "region" });
  languages = new Intl.DisplayNames(["en"], { type: "language" });
} catch (e) { /* old browser: codes only */ }

export function countryName(code) {
  if (!code) return null;
  try { return (regions && regions.of(code.toUpperCase())) || code; } catch (e) { return code; }
}

/** An ISO 3166-1 alpha-2 code this browser has a name for (any two letters without Intl). */
export function isCountryCode(code) {
  if (!/^[A-Z]{2}$/.test(code)) return false;
  try { return !regions || regions.of(code) !== code; } catch (e) { return false; }
}

/** An ISO 639-1 code this browser has a name for (any two letters without Intl). */
export function isLanguageCode(code) {
  if (!/^[a-z]{2}$/.test(code)) return false;
  try { return !languages || languages.of(code) !== code; } catch (e) { return false; }
}

export function languageName(code) {
  if (!code) return null;
  try { return (languages && languages.of(code.toLowerCase())) || code; } catch (e) { return code; }
}

/** "3 days ago", "5 months ago" from an ISO date, or the date itself when it is in the future. */
export function ago(iso) {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso || "";
  const days = Math.floor((Date.now() - t) / 86400000);
  if (days < 0) return iso.slice(0, 10);
  if (days < 1) return "today";
  if (days < 60) return `${days} day${days === 1 ? "" : "s"} ago`;
  const months = Math.round(days / 30.4);
  return months < 24 ? `${months} months ago` : `${Math.round(days / 365)} years ago`;
}

/** A creator's name as shown: "@handle", else its id. */
export const who = (m) => (m && m.handle ? `@${m.handle}` : m ? m.creator_id : "");

/** Horizontal bars as a list: label, bar, value. rows: [[label, share 0..1]]. */
export function bars(rows, label) {
  const ul = el("ul", { className: "hbars", "aria-label": label });
  for (const [name, share] of rows) {
    const li = el("li", { className: "hbar" });
    li.append(el("span", { className: "hbar-label" }, name));
    const track = el("span", { className: "hbar-track", "aria-hidden": "true" });
    const fill = el("span", { className: "hbar-fill" });
    fill.style.width = `${Math.round(Math.max(0, Math.min(1, share)) * 100)}%`;
    track.append(fill);
    li.append(track, el("span", { className: "hbar-value" }, pct(share, 0)));
    ul.append(li);
  }
  return ul;
}

/** A <dialog> opened modally; focus goes back to what opened it when it closes. */
export function openDialog(dlg, opener) {
  if (dlg.open) return;
  const back = opener || document.activeElement;
  dlg.showModal();
  dlg.addEventListener("close", () => { if (back && back.isConnected) back.focus(); }, { once: true });
}

/** Downloads a fetch Response as a file named by its Content-Disposition. */
export async function download(res, fallback) {
  const cd = res.headers.get("Content-Disposition") || "";
  const match = /filename="([^"]+)"/.exec(cd);
  const url = URL.createObjectURL(await res.blob());
  const a = el("a", { href: url, download: match ? match[1] : fallback });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** fn over items, at most ``limit`` at a time, results in order. */
export async function mapLimit(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
