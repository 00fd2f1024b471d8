// The campaign plan (POST /v1/plan): the set of creators the planner chose under the budget,
// with its totals.

import { api } from "./api.js";
import { clearErrors, reportFailure } from "./errors.js";
import { $, cap, count, el, known, money, openDialog, plural, who } from "./dom.js";

let ctx = null;
let last = null;

const COLUMNS = [
  ["Creator", (c) => who(c)],
  ["Role", (c) => (c.role ? cap(c.role) : "—")],
  ["Tier", (c) => c.tier || "—"],
  ["Followers", (c) => count(c.followers) || "—"],
  ["Cost", (c, cur) => `${money(c.cost, cur) || "—"}${c.cost_estimated ? " est." : ""}`],
  ["Est. reach", (c) => count(c.est_reach) || "—"],
  ["Est. engagements", (c) => count(Math.round(c.est_engagements || 0)) || "—"],
];

function totals(plan) {
  const cur = plan.currency;
  const dl = el("dl", { className: "facts totals" });
  const add = (name, value) => {
    const div = el("div", { className: "fact" });
    div.append(el("dt", {}, name), el("dd", {}, known(value) && value !== "" ? value : "—"));
    dl.append(div);
  };
  add("Creators", String(plan.creators.length));
  add("Total cost", money(plan.total_cost, cur));
  add("Budget", money(plan.budget, cur));
  add("Est. reach", count(plan.est_reach));
  add("Est. engagements", count(Math.round(plan.est_engagements || 0)));
  add("Cost per engagement", money(plan.cost_per_engagement, cur));
  if (plan.goal) add("Goal", cap(plan.goal));
  return dl;
}

function table(plan) {
  const t = el("table", { className: "plan-table" });
  t.append(el("caption", { className: "sr-only" }, "Creators in the plan"));
  const head = el("tr");
  for (const [name] of COLUMNS) head.append(el("th", { scope: "col" }, name));
  const thead = el("thead");
  thead.append(head);
  t.append(thead);
  const tbody = el("tbody");
  for (const c of plan.creators) {
    const tr = el("tr");
    COLUMNS.forEach(([name, value], i) => {
      const cell = el(i === 0 ? "th" : "td", { "data-label": name, scope: i === 0 ? "row" : null });
      if (i === 0) {
        const b = el("button", { type: "button", className: "who", title: `Open the profile of ${who(c)}` });
        b.append(el("span", { className: "handle" }, value(c, plan.currency)));
        b.addEventListener("click", (ev) => ctx.onProfile(c.creator_id, ev.currentTarget));
        cell.append(b);
      } else {
        cell.textContent = value(c, plan.currency);
      }
      tr.append(cell);
    });
    tbody.append(tr);
  }
  t.append(tbody);
  return t;
}

function render(plan) {
  last = plan;
  const parts = [totals(plan)];
  if (plan.creators.length) parts.push(table(plan));
  const notes = [...(plan.notes || [])];
  const base = plan.baseline;
  if (base && known(base.value) && known(plan.value) && base.value > 0) {
    const gain = Math.round((plan.value / base.value - 1) * 100);
    notes.unshift(gain > 0
      ? `This mix is worth ${gain}% more to the goal than taking the best-ranked creators until the budget runs out (${money(base.total_cost, plan.currency)}).`
      : `Taking the best-ranked creators until the budget runs out would be worth as much (${money(base.total_cost, plan.currency)}).`);
  }
  if (notes.length) {
    const ul = el("ul", { className: "plan-notes" });
    for (const n of notes) ul.append(el("li", {}, n));
    parts.push(ul);
  }
  if (plan.creators.length) {
    const row = el("div", { className: "actions" });
    const pick = el("button", { type: "button", className: "secondary", id: "plan-select" }, "Select these creators");
    pick.addEventListener("click", () => {
      ctx.onSelect(last.creators);
      $("plan-status").textContent = `Selected the ${plural(last.creators.length, "creator")} of the plan: save or compare them below.`;
    });
    row.append(pick);
    parts.push(row);
  }
  $("plan-body").replaceChildren(...parts);
}

async function make(ev) {
  ev.preventDefault();
  const form = $("plan-form");
  clearErrors(form);
  const raw = $("plan-budget").value.trim();
  const budget = raw === "" ? null : Number(raw);
  const status = $("plan-status");
  status.textContent = "Planning…";
  $("plan-make").disabled = true;
  let res;
  try {
    res = await api("POST", "/v1/plan", { brief: ctx.brief, budget });
  } catch (e) {
    status.textContent = "The server could not be reached.";
    return;
  } finally {
    $("plan-make").disabled = false;
  }
  if (!res.ok) {
    status.textContent = await reportFailure(form, res, "plan", { summary: false });
    return;
  }
  const plan = await res.json();
  status.textContent = plan.creators.length
    ? `${plural(plan.creators.length, "creator")} for ${money(plan.total_cost, plan.currency)} of ${money(plan.budget, plan.currency)}.`
    : "No creator fits this budget.";
  render(plan);
}

export function initPlan() {
  $("plan-form").addEventListener("submit", make);
}

/** Opens the planner for a brief. c: {brief, onSelect(ids), onProfile(id, opener)}. */
export function openPlan(c, opener) {
  ctx = c;
  const cur = (c.brief.currency || "USD").toUpperCase();
  $("plan-budget-label").textContent = `Budget (${cur})`;
  $("plan-budget").value = known(c.brief.budget) ? String(c.brief.budget) : "";
  $("plan-status").textContent = c.brief.budget ? "" : "The brief has no budget: enter one.";
  $("plan-body").replaceChildren();
  clearErrors($("plan-form"));
  openDialog($("plan-dlg"), opener);
  $("plan-budget").focus();
}
