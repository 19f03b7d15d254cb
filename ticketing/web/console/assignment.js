// The #/assignment view (supervisors): each team's auto-assignment switch, and each agent's
// capacity (live chats and open tickets at once), through PUT /api/teams/{id}/auto-assign and
// PUT /api/users/{id}/capacity. A refused value shows the API's 422 message next to its field.
"use strict";

import { api, ApiError } from "./api.js";
import { byId, h, toast } from "./dom.js";
import { label, t } from "./i18n.js";

const FIELDS = ["max_chats", "max_tickets"];
let ctx = { showError: () => {} };

export function setupAssignment(options) {
  ctx = { ...ctx, ...options };
}

async function toggle(team, box) {
  box.disabled = true;
  try {
    const done = await api(`/api/teams/${team.id}/auto-assign`, { method: "PUT", body: { enabled: box.checked } });
    team.auto_assign = done.auto_assign;
    toast(done.auto_assign ? t("assign.on", { team: team.name, count: done.assigned }) : t("assign.off", { team: team.name }), "ok");
  } catch (error) {
    box.checked = team.auto_assign;
    ctx.showError(error);
  } finally {
    box.disabled = false;
  }
}

/** A 422's messages by the field they name (the last part of each `loc`). */
function refusals(error) {
  const found = {};
  const detail = error instanceof ApiError && error.status === 422 && error.body ? error.body.detail : null;
  for (const item of Array.isArray(detail) ? detail : []) {
    const field = Array.isArray(item.loc) ? item.loc[item.loc.length - 1] : null;
    if (FIELDS.includes(field)) found[field] = found[field] ? `${found[field]}; ${item.msg}` : item.msg;
  }
  return found;
}

async function saveCapacity(agent, row) {
  const body = {};
  for (const field of FIELDS) {
    const input = row.querySelector(`input[name=${field}]`);
    body[field] = input.value.trim() === "" ? null : Number(input.value);
    row.querySelector(`[data-error-for=${field}]`).textContent = "";
    input.removeAttribute("aria-invalid");
  }
  try {
    const saved = await api(`/api/users/${agent.user_id}/capacity`, { method: "PUT", body });
    for (const field of FIELDS) row.querySelector(`input[name=${field}]`).value = String(saved[field]);
    toast(t("assign.saved", { name: agent.display_name }), "ok");
  } catch (error) {
    const found = refusals(error);
    if (!Object.keys(found).length) {
      ctx.showError(error);
      return;
    }
    for (const [field, message] of Object.entries(found)) {
      row.querySelector(`[data-error-for=${field}]`).textContent = message;
      row.querySelector(`input[name=${field}]`).setAttribute("aria-invalid", "true");
    }
  }
}

function capacityCell(agent, field) {
  const id = `cap-${agent.user_id}-${field}`;
  return h(
    "td",
    {},
    h("input", {
      id,
      name: field,
      type: "number",
      inputmode: "numeric",
      value: String(agent[field]),
      "aria-label": `${agent.display_name} · ${t(field === "max_chats" ? "assign.chats" : "assign.tickets")}`,
      "aria-describedby": `${id}-error`,
      "data-testid": `capacity-${field}`,
    }),
    h("span", { id: `${id}-error`, class: "field-error", role: "alert", "data-error-for": field, "data-testid": `capacity-${field}-error` }),
  );
}

function agentRow(agent) {
  const row = h(
    "tr",
    { "data-testid": "capacity-row", "data-user": String(agent.user_id) },
    h("td", {}, agent.display_name),
    h("td", {}, label("presence", agent.status)),
    capacityCell(agent, "max_chats"),
    capacityCell(agent, "max_tickets"),
  );
  const save = h("button", { type: "button", class: "small", "data-testid": "capacity-save", onclick: () => saveCapacity(agent, row) }, t("assign.save"));
  row.append(h("td", {}, save));
  row.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target.tagName === "INPUT") saveCapacity(agent, row);
  });
  return row;
}

function teamCard(team, agents) {
  const heading = h("h2", {}, team ? team.name : t("assign.noTeam"));
  if (team) {
    const box = h("input", { type: "checkbox", "data-testid": `auto-assign-${team.id}` });
    box.checked = team.auto_assign;
    box.addEventListener("change", () => toggle(team, box));
    heading.append(h("label", { class: "switch" }, box, t("assign.switch")));
  }
  const table = agents.length
    ? h(
        "table",
        { class: "queue" },
        h("thead", {}, h("tr", {}, ...["assign.agent", "assign.status", "assign.chats", "assign.tickets"].map((key) => h("th", {}, t(key))), h("th", {}))),
        h("tbody", {}, agents.map(agentRow)),
      )
    : h("p", { class: "muted" }, t("assign.noAgents"));
  return h("section", { class: "card assign-team", "data-testid": "assign-team", "data-team": team ? String(team.id) : "" }, heading, table);
}

export async function loadAssignmentView() {
  const box = byId("assignment-teams");
  try {
    const [teams, users, presence] = await Promise.all([api("/api/teams"), api("/api/users"), api("/api/presence")]);
    const agentIds = new Set(users.data.filter((u) => u.role === "agent" && u.is_active).map((u) => u.id));
    const agents = presence.data.filter((p) => agentIds.has(p.user_id));
    const cards = teams.data.map((team) => teamCard(team, agents.filter((a) => a.team_id === team.id)));
    const loose = agents.filter((a) => a.team_id === null);
    if (loose.length) cards.push(teamCard(null, loose));
    box.replaceChildren(...cards);
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) {
      box.replaceChildren(h("p", { class: "error" }, t("assign.supervisorsOnly")));
      return;
    }
    ctx.showError(error);
  }
}
