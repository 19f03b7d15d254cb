// The users tab of the settings page (admins only): the desk's people, adding one with a role and
// a team, and per user changing the role or the team, deactivating or reactivating (after a
// confirmation) and setting a new password. The API decides what is allowed (the last active
// admin stays one, passwords must be strong); its refusal is shown beside the control, and what
// the admin typed stays in place. Every value is shown as text, never HTML.
"use strict";

import { clearControlError, clearFieldErrors, showControlError, showFieldErrors } from "./fielderrors.js";

export const USER_STRINGS = {
  zh: {
    users: "用户", displayName: "显示名", role: "角色", team: "团队", active: "状态", addUser: "添加用户",
    passwordHelp: "至少 12 个字符，不易猜到", userAdded: "已添加用户 {username}", isActive: "在用",
    inactive: "已停用", agent: "坐席", supervisor: "主管", admin: "管理员", actions: "操作",
    roleOf: "{username} 的角色", teamOf: "{username} 的团队", deactivate: "停用", reactivate: "重新启用",
    confirmDeactivate: "停用 {username}？其登录立即失效。", confirmReactivate: "重新启用 {username}？",
    confirm: "确定", cancel: "取消", resetPassword: "重设密码", newPasswordFor: "{username} 的新密码",
    setPassword: "设置密码", userSaved: "已保存 {username} 的修改",
    deactivated: "已停用 {username}，其登录已失效", reactivated: "已重新启用 {username}",
    passwordReset: "已为 {username} 设置新密码，其原有登录已失效", notChanged: "未修改：原因见字段旁",
  },
  en: {
    users: "Users", displayName: "Display name", role: "Role", team: "Team", active: "State",
    addUser: "Add user", passwordHelp: "At least 12 characters, hard to guess",
    userAdded: "Added user {username}", isActive: "Active", inactive: "Deactivated", agent: "Agent",
    supervisor: "Supervisor", admin: "Admin", actions: "Actions", roleOf: "Role of {username}",
    teamOf: "Team of {username}", deactivate: "Deactivate", reactivate: "Reactivate",
    confirmDeactivate: "Deactivate {username}? They are signed out at once.",
    confirmReactivate: "Reactivate {username}?", confirm: "Confirm", cancel: "Cancel",
    resetPassword: "Reset password", newPasswordFor: "New password for {username}",
    setPassword: "Set password", userSaved: "Saved the changes to {username}",
    deactivated: "Deactivated {username}: they are signed out",
    reactivated: "Reactivated {username}",
    passwordReset: "New password set for {username}: their sessions have ended",
    notChanged: "Not changed: the reason is beside the field",
  },
};

const ROLES = ["agent", "supervisor", "admin"];

/** The tab's loader; `ui` gives the page's helpers: el, s, send, attempt, say, byId. */
export function setupUsers(ui) {
  const { el, s, send, say, byId } = ui;
  const form = byId("user-form");
  const tbody = () => document.querySelector("[data-testid=users] tbody");
  let teams = [];
  let rows = new Map(); // user id → its drawn rows, kept across reloads so nothing typed is lost

  const errorNode = (field) => el("span", { class: "field-error", role: "alert", "data-field": field });
  const teamOptions = () => [el("option", { value: "" }, "–"), ...teams.map((t) => el("option", { value: String(t.id) }, t.name))];

  /** One API change made by `control`: `{ saved }` (the answer) when done; null when refused,
   * the reason beside the control (in `shown`, in the page's language where known), the control
   * marked aria-invalid and focused, and `undo` putting its value back. */
  async function change(request, control, shown, done, undo) {
    clearControlError(shown, control);
    try {
      const saved = await send(...request);
      say(done);
      return { saved };
    } catch (error) {
      if (undo) undo();
      showControlError(shown, control, error, s);
      say(s("notChanged"), "bad");
      return null;
    }
  }

  function confirmBox(user, view) {
    const yes = el("button", { type: "button", class: "primary small", "data-testid": "user-confirm" }, s("confirm"));
    const no = el("button", { type: "button", class: "small", "data-testid": "user-cancel" }, s("cancel"));
    const question = el("span", {});
    const box = el("span", { class: "confirm", role: "group", hidden: true }, question, " ", yes, " ", no);
    const close = () => {
      box.hidden = true;
      view.toggle.hidden = false;
      view.toggle.focus();
    };
    view.toggle.addEventListener("click", () => {
      question.textContent = s(view.user.is_active ? "confirmDeactivate" : "confirmReactivate", { username: view.user.username });
      view.toggle.hidden = true;
      box.hidden = false;
      yes.focus();
    });
    no.addEventListener("click", close);
    box.addEventListener("keydown", (event) => {
      if (event.key === "Escape") close();
    });
    yes.addEventListener("click", async () => {
      const current = view.user;
      const action = current.is_active ? "deactivate" : "reactivate";
      const done = s(current.is_active ? "deactivated" : "reactivated", { username: current.username });
      const result = await change([`/api/admin/users/${current.id}/${action}`, "POST"], view.toggle, view.activeError, done);
      if (result) view.update(result.saved);
      close();
    });
    return box;
  }

  function passwordRow(user, view) {
    const input = el("input", {
      name: "new-password", type: "password", maxLength: 1024, autocomplete: "new-password", required: true,
      "data-testid": "user-new-password",
    });
    const shown = errorNode("password");
    const cancel = el("button", { type: "button" }, s("cancel"));
    const pwForm = el("form", { class: "row-form", "data-testid": "user-password-form" },
      el("label", { class: "row-form" }, el("span", {}, s("newPasswordFor", { username: user.username })), input),
      el("button", { type: "submit", class: "primary", "data-testid": "user-password-save" }, s("setPassword")),
      cancel, el("span", { class: "muted" }, s("passwordHelp")), shown);
    const row = el("tr", { class: "password-row", hidden: true }, el("td", { colSpan: 6 }, pwForm));
    const close = () => {
      row.hidden = true;
      view.reset.setAttribute("aria-expanded", "false");
      view.reset.focus();
    };
    view.reset.addEventListener("click", () => {
      row.hidden = !row.hidden;
      view.reset.setAttribute("aria-expanded", String(!row.hidden));
      if (!row.hidden) input.focus();
    });
    cancel.addEventListener("click", close);
    pwForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const current = view.user;
      const request = [`/api/admin/users/${current.id}/password`, "POST", { password: input.value }];
      if (await change(request, input, shown, s("passwordReset", { username: current.username }))) {
        input.value = "";
        close();
      } else {
        input.focus(); // the typed password stays, to be corrected
      }
    });
    return row;
  }

  function drawUser(user) {
    const view = { user };
    const role = el("select", { "aria-label": s("roleOf", { username: user.username }), "data-testid": "user-role" },
      ...ROLES.map((r) => el("option", { value: r }, s(r))));
    const team = el("select", { "aria-label": s("teamOf", { username: user.username }), "data-testid": "user-team" }, ...teamOptions());
    const roleError = errorNode("role");
    const teamError = errorNode("team_id");
    view.activeError = errorNode("is_active");
    const state = el("span", { "data-testid": "user-state" });
    view.toggle = el("button", { type: "button", class: "small", "data-testid": "user-toggle" });
    view.reset = el("button", { type: "button", class: "small", "aria-expanded": "false", "data-testid": "user-reset" }, s("resetPassword"));
    view.update = (saved) => {
      view.user = saved;
      role.value = saved.role;
      team.value = saved.team_id === null ? "" : String(saved.team_id);
      state.textContent = s(saved.is_active ? "isActive" : "inactive");
      view.toggle.textContent = s(saved.is_active ? "deactivate" : "reactivate");
    };
    const patch = async (body, control, shown) => {
      const current = view.user;
      const result = await change([`/api/admin/users/${current.id}`, "PATCH", body], control, shown,
        s("userSaved", { username: current.username }), () => view.update(current));
      if (result) view.update(result.saved);
    };
    role.addEventListener("change", () => patch({ role: role.value }, role, roleError));
    team.addEventListener("change", () => patch({ team_id: team.value ? Number(team.value) : null }, team, teamError));
    const confirm = confirmBox(user, view);
    view.row = el("tr", { "data-testid": "user-row", "data-username": user.username },
      el("td", {}, user.username), el("td", {}, user.display_name),
      el("td", {}, role, roleError), el("td", {}, team, teamError),
      el("td", { class: "user-state" }, state, view.activeError),
      el("td", { class: "row-actions" }, view.toggle, confirm, " ", view.reset));
    view.password = passwordRow(user, view);
    view.update(user);
    return view;
  }

  async function loadUsers() {
    teams = (await send("/api/admin/teams", "GET")).data;
    const users = (await send("/api/admin/users", "GET")).data;
    tbody().replaceChildren(...users.flatMap((u) => {
      const view = rows.get(u.id) ?? drawUser(u);
      rows.set(u.id, view);
      return [view.row, view.password];
    }));
    const role = form.elements.role.value || "agent";
    form.elements.role.replaceChildren(...ROLES.map((r) => el("option", { value: r }, s(r))));
    form.elements.role.value = role;
    const team = form.elements.team_id.value;
    form.elements.team_id.replaceChildren(...teamOptions());
    form.elements.team_id.value = team;
  }

  const clearAddErrors = () => clearFieldErrors(form);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearAddErrors();
    const body = {
      username: form.elements.username.value.trim(),
      password: form.elements.password.value,
      display_name: form.elements.display_name.value.trim() || null,
      role: form.elements.role.value,
      team_id: form.elements.team_id.value ? Number(form.elements.team_id.value) : null,
    };
    try {
      await send("/api/admin/users", "POST", body);
    } catch (error) {
      // 422 names its field and 409 a taken username: shown beside it, the form kept as typed.
      const { shown } = showFieldErrors(form, error, s);
      say(shown ? s("notChanged") : error.message, "bad");
      return;
    }
    form.reset();
    await loadUsers();
    say(s("userAdded", { username: body.username }));
  });

  // Shown afresh (a new language, other teams): drawn anew; after adding a user, rows are kept.
  return () => {
    rows = new Map();
    clearAddErrors();
    return loadUsers();
  };
}
