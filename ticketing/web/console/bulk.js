// Working many tickets at once: the queue's check boxes and the bulk bar (assign, status,
// priority, tag), and the tags of the ticket shown. Each bulk request goes to
// /api/tickets/bulk, which changes each ticket as the one-ticket action would and reports the
// ones it refused: the toast names them and why.
"use strict";

import { api } from "./api.js";
import { byId, h, toast } from "./dom.js";
import { label, t } from "./i18n.js";

const STATUSES = ["open", "pending", "resolved", "closed"];
const PRIORITIES = ["low", "normal", "high", "urgent"];

const selected = new Set();
let shown = [];
let ctx = { me: null, reload: async () => {}, showError: () => {} };
let users = null;

/** `context`: { me, reload() (the queue), showError(error) }. */
export function setupBulk(context) {
  ctx = context;
  byId("select-all").addEventListener("change", (event) => {
    for (const number of shown) {
      if (event.target.checked) selected.add(number);
      else selected.delete(number);
    }
    for (const box of document.querySelectorAll("[data-testid=row-select]")) box.checked = event.target.checked;
    renderBar();
  });
}

export function setBulkUser(me) {
  ctx.me = me;
  users = null;
  controls = null;
}

/** The check box cell of a queue row. */
export function selectCell(row) {
  const box = h("input", {
    type: "checkbox",
    "data-testid": "row-select",
    "aria-label": t("bulk.select", { number: row.number }),
    onchange: (event) => {
      if (event.target.checked) selected.add(row.number);
      else selected.delete(row.number);
      renderBar();
    },
  });
  box.checked = selected.has(row.number);
  return h("td", { class: "select" }, box);
}

/** After the queue is drawn: forget tickets no longer in it, and redraw the bar. */
export function syncSelection(rows) {
  shown = rows.map((row) => row.number);
  const visible = new Set(shown);
  for (const number of [...selected]) if (!visible.has(number)) selected.delete(number);
  renderBar();
}

export function clearSelection() {
  selected.clear();
  renderBar();
}

export function toggleSelected(number) {
  if (selected.has(number)) selected.delete(number);
  else selected.add(number);
  const box = document.querySelector(`tr[data-number="${CSS.escape(number)}"] [data-testid=row-select]`);
  if (box) box.checked = selected.has(number);
  renderBar();
}

function choice(testid, prompt, values, onPick) {
  const select = h(
    "select",
    { "data-testid": testid, "aria-label": prompt },
    h("option", { value: "" }, prompt),
    ...values.map(([value, text]) => h("option", { value }, text)),
  );
  select.addEventListener("change", () => {
    if (select.value) onPick(select.value);
  });
  return select;
}

async function fillUsers(select) {
  if (users === null) {
    try {
      users = (await api("/api/users")).data.filter((u) => u.is_active);
    } catch (error) {
      users = [];
      ctx.showError(error);
    }
  }
  select.append(...users.map((u) => h("option", { value: String(u.id) }, u.display_name)));
}

// The bar's controls are built once per selection and then only its count changes: a queue
// refresh (a live event) redraws the rows, and must not wipe a tag being typed in the bar.
let controls = null;

function buildBar() {
  const count = h("strong", { "data-testid": "bulk-count" });
  const tagInput = h("input", { type: "text", maxlength: "40", "data-testid": "bulk-tag", placeholder: t("tags.add"), "aria-label": t("tags.add") });
  const tagForm = h(
    "form",
    {
      class: "bulk-tag",
      onsubmit: (event) => {
        event.preventDefault();
        if (tagInput.value.trim()) run({ action: "add_tag", tag: tagInput.value.trim() });
      },
    },
    tagInput,
    h("button", { type: "submit", class: "small" }, t("tags.addButton")),
  );
  const parts = [
    count,
    choice("bulk-status", t("bulk.status"), STATUSES.map((s) => [s, label("status", s)]), (status) => run({ action: "status", status })),
    choice("bulk-priority", t("bulk.priority"), PRIORITIES.map((p) => [p, label("priority", p)]), (priority) => run({ action: "priority", priority })),
    tagForm,
  ];
  if (ctx.me && ctx.me.role !== "agent") {
    const assign = choice("bulk-assign", t("bulk.assign"), [["-", t("unassigned")]], (value) =>
      run({ action: "assign", assignee_id: value === "-" ? null : Number(value) }),
    );
    fillUsers(assign);
    parts.push(assign);
  }
  parts.push(h("button", { type: "button", class: "ghost small", "data-testid": "bulk-clear", onclick: clearSelection }, t("bulk.clear")));
  byId("bulk-bar").replaceChildren(...parts);
  return { count };
}

function renderBar() {
  const bar = byId("bulk-bar");
  byId("select-all").checked = shown.length > 0 && shown.every((n) => selected.has(n));
  bar.hidden = selected.size === 0;
  if (!selected.size) {
    // Built afresh for the next selection, in the language shown then.
    bar.replaceChildren();
    controls = null;
    return;
  }
  if (controls === null) controls = buildBar();
  controls.count.textContent = t("bulk.selected", { n: selected.size });
}

async function run(change) {
  try {
    const result = await api("/api/tickets/bulk", { method: "POST", body: { numbers: [...selected], ...change } });
    const refused = result.data.filter((o) => !o.ok);
    if (refused.length) {
      const why = refused.map((o) => `${o.number}: ${o.error}`).join("; ");
      toast(t("bulk.partly", { done: result.done, refused: refused.length, why }), "error");
    } else {
      toast(t("bulk.done", { n: result.done }), "ok");
    }
    selected.clear();
    await ctx.reload();
  } catch (error) {
    ctx.showError(error);
  }
}

// --- the tags of the ticket shown ---------------------------------------------------------------

async function changeTags(number, change, reload) {
  try {
    await api(`/api/tickets/${encodeURIComponent(number)}/tags`, { method: "POST", body: change });
    await reload();
  } catch (error) {
    ctx.showError(error);
  }
}

async function suggest(datalist, prefix) {
  try {
    const page = await api(`/api/tags?${new URLSearchParams({ prefix, limit: "20" })}`);
    datalist.replaceChildren(...page.data.map((s) => h("option", { value: s.tag })));
  } catch (_error) {
    // Suggestions are a convenience: typing a tag still works without them.
  }
}

export function renderTags(ticket, reload) {
  const chips = (ticket.tags || []).map((tag) =>
    h(
      "span",
      { class: "chip tag", "data-testid": "tag" },
      tag,
      h("button", { type: "button", class: "tag-remove", "aria-label": t("tags.remove", { tag }), onclick: () => changeTags(ticket.number, { remove: [tag] }, reload) }, "×"),
    ),
  );
  const datalist = h("datalist", { id: "tag-suggestions" });
  const input = h("input", { type: "text", maxlength: "40", list: "tag-suggestions", placeholder: t("tags.add"), "aria-label": t("tags.add"), "data-testid": "tag-input" });
  input.addEventListener("focus", () => suggest(datalist, ""), { once: true });
  input.addEventListener("input", () => suggest(datalist, input.value.trim()));
  const form = h(
    "form",
    {
      class: "tag-form",
      onsubmit: (event) => {
        event.preventDefault();
        const tag = input.value.trim();
        if (tag) changeTags(ticket.number, { add: [tag] }, reload);
      },
    },
    input,
    datalist,
  );
  byId("t-tags").replaceChildren(...chips, form);
}
