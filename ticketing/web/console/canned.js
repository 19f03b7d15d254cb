// Canned replies (快捷回复): `/` at the start of the reply box opens a searchable list of the
// replies for this ticket, already in the customer's language with the placeholders filled;
// Enter or a click puts the chosen one in the box. The #/canned view manages them: your own,
// and (supervisors) a team's.
"use strict";

import { api } from "./api.js";
import { byId, h, toast } from "./dom.js";
import { t } from "./i18n.js";

let ctx = { me: null, ticketNumber: () => null, showError: () => {} };
let items = [];
let active = 0;
let timer = null;

function box() {
  return byId("composer-text");
}

function list() {
  return byId("canned-list");
}

function close() {
  list().hidden = true;
  list().replaceChildren();
  items = [];
}

function query() {
  const text = box().value;
  if (!text.startsWith("/")) return null;
  const line = text.slice(1).split("\n")[0];
  return line.length <= 100 ? line : null;
}

function choose(index) {
  const item = items[index];
  if (!item) return;
  box().value = item.text;
  close();
  box().focus();
  box().setSelectionRange(item.text.length, item.text.length);
}

function draw() {
  const ul = list();
  if (!items.length) {
    ul.replaceChildren(h("li", { class: "muted" }, t("canned.none")));
    ul.hidden = false;
    return;
  }
  ul.replaceChildren(
    ...items.map((item, index) =>
      h(
        "li",
        {
          role: "option",
          "aria-selected": index === active ? "true" : "false",
          class: index === active ? "active" : "",
          "data-testid": "canned-option",
          onmousedown: (event) => {
            event.preventDefault();
            choose(index);
          },
        },
        h("strong", {}, item.title),
        h("span", { class: "muted" }, item.text),
      ),
    ),
  );
  ul.hidden = false;
}

async function search(q) {
  const number = ctx.ticketNumber();
  if (!number) return;
  try {
    const page = await api(`/api/tickets/${encodeURIComponent(number)}/canned-replies?${new URLSearchParams({ q })}`);
    if (query() !== q) return;
    items = page.data;
    active = 0;
    draw();
  } catch (error) {
    ctx.showError(error);
  }
}

function onInput() {
  const q = query();
  clearTimeout(timer);
  if (q === null) {
    close();
    return;
  }
  timer = setTimeout(() => search(q.trim()), 120);
}

function onKeydown(event) {
  if (list().hidden) return;
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    if (!items.length) return;
    active = (active + (event.key === "ArrowDown" ? 1 : -1) + items.length) % items.length;
    draw();
  } else if (event.key === "Enter" && !event.ctrlKey && !event.metaKey) {
    event.preventDefault();
    event.stopImmediatePropagation();
    choose(active);
  } else if (event.key === "Escape") {
    event.preventDefault();
    event.stopPropagation();
    close();
  }
}

/** `context`: { ticketNumber() (the ticket shown), showError(error) }. */
export function setupCanned(context) {
  ctx = { ...ctx, ...context };
  box().addEventListener("input", onInput);
  box().addEventListener("keydown", onKeydown);
  box().addEventListener("blur", () => setTimeout(close, 150));
  byId("canned-form").addEventListener("submit", saveReply);
  byId("canned-cancel").addEventListener("click", resetForm);
}

export function setCannedUser(me) {
  ctx.me = me;
}

// --- the #/canned view: managing replies --------------------------------------------------------

let editing = null;

function resetForm() {
  editing = null;
  byId("canned-form").reset();
  byId("canned-form-title").textContent = t("canned.new");
  byId("canned-cancel").hidden = true;
}

function scopeOptions(teams) {
  const select = byId("canned-scope");
  const options = [h("option", { value: "" }, t("canned.mine"))];
  if (ctx.me && ctx.me.role !== "agent") {
    options.push(...teams.map((team) => h("option", { value: String(team.id) }, t("canned.team", { team: team.name }))));
  }
  select.replaceChildren(...options);
  select.disabled = options.length === 1;
}

function edit(reply) {
  editing = reply;
  const form = byId("canned-form");
  form.elements.title.value = reply.title;
  form.elements.body_zh.value = reply.body_zh;
  form.elements.body_en.value = reply.body_en;
  byId("canned-scope").value = reply.team_id ? String(reply.team_id) : "";
  byId("canned-scope").disabled = true;
  byId("canned-form-title").textContent = t("canned.edit", { title: reply.title });
  byId("canned-cancel").hidden = false;
  form.elements.title.focus();
}

function mayManage(reply) {
  return reply.owner_id === ctx.me.id || (reply.team_id !== null && ctx.me.role !== "agent");
}

export async function loadCannedView() {
  try {
    const [page, teams] = await Promise.all([api("/api/canned-replies"), api("/api/teams")]);
    const teamName = new Map(teams.data.map((team) => [team.id, team.name]));
    scopeOptions(teams.data);
    byId("canned-placeholders").textContent = page.placeholders.map((p) => `{${p}}`).join("  ");
    const rows = page.data.map((reply) =>
      h(
        "tr",
        { "data-testid": "canned-row" },
        h("td", {}, reply.title),
        h("td", { class: "body" }, reply.body_zh || "–"),
        h("td", { class: "body" }, reply.body_en || "–"),
        h("td", {}, reply.team_id ? teamName.get(reply.team_id) || "–" : t("canned.mine")),
        h(
          "td",
          { class: "row-actions" },
          mayManage(reply) ? h("button", { type: "button", class: "small", onclick: () => edit(reply) }, t("canned.editButton")) : null,
          mayManage(reply) ? h("button", { type: "button", class: "small", "data-testid": "canned-delete", onclick: () => removeReply(reply) }, t("canned.delete")) : null,
        ),
      ),
    );
    byId("canned-rows").replaceChildren(...rows);
    byId("canned-empty").hidden = rows.length > 0;
  } catch (error) {
    ctx.showError(error);
  }
}

async function saveReply(event) {
  event.preventDefault();
  const form = event.target;
  const body = { title: form.elements.title.value.trim(), body_zh: form.elements.body_zh.value.trim(), body_en: form.elements.body_en.value.trim() };
  try {
    if (editing) {
      await api(`/api/canned-replies/${editing.id}`, { method: "PUT", body: { ...body, version: editing.version } });
    } else {
      const team = byId("canned-scope").value;
      await api("/api/canned-replies", { method: "POST", body: team ? { ...body, team_id: Number(team) } : body });
    }
    toast(t("canned.saved"), "ok");
    resetForm();
    await loadCannedView();
  } catch (error) {
    ctx.showError(error);
  }
}

async function removeReply(reply) {
  if (!window.confirm(t("canned.confirmDelete", { title: reply.title }))) return;
  try {
    await api(`/api/canned-replies/${reply.id}`, { method: "DELETE" });
    await loadCannedView();
  } catch (error) {
    ctx.showError(error);
  }
}
