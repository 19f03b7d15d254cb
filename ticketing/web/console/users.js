// The users tab of the settings page: the desk's people, and adding one with a role and a team
// (admins only; the API checks the password's strength and names the field it refuses).
"use strict";

export const USER_STRINGS = {
  zh: {
    users: "用户", displayName: "显示名", role: "角色", team: "团队", active: "状态", addUser: "添加用户",
    passwordHelp: "至少 12 个字符，不易猜到", userAdded: "已添加用户 {username}", isActive: "在用",
    inactive: "已停用", agent: "坐席", supervisor: "主管", admin: "管理员",
  },
  en: {
    users: "Users", displayName: "Display name", role: "Role", team: "Team", active: "State",
    addUser: "Add user", passwordHelp: "At least 12 characters, hard to guess",
    userAdded: "Added user {username}", isActive: "Active", inactive: "Deactivated", agent: "Agent",
    supervisor: "Supervisor", admin: "Admin",
  },
};

const ROLES = ["agent", "supervisor", "admin"];

/** The tab's loader; `ui` gives the page's helpers: el, s, send, attempt, say, byId. */
export function setupUsers(ui) {
  const { el, s, send, attempt, say, byId } = ui;
  const form = byId("user-form");
  let teams = [];

  async function loadUsers() {
    teams = (await send("/api/admin/teams", "GET")).data;
    const users = (await send("/api/admin/users", "GET")).data;
    const teamName = (id) => teams.find((t) => t.id === id)?.name ?? "–";
    document.querySelector("[data-testid=users] tbody").replaceChildren(...users.map((u) =>
      el("tr", { "data-testid": "user-row" }, el("td", {}, u.username), el("td", {}, u.display_name),
        el("td", {}, s(u.role)), el("td", {}, teamName(u.team_id)),
        el("td", {}, s(u.is_active ? "isActive" : "inactive")))));
    const role = form.elements.role.value || "agent";
    form.elements.role.replaceChildren(...ROLES.map((r) => el("option", { value: r }, s(r))));
    form.elements.role.value = role;
    form.elements.team_id.replaceChildren(el("option", { value: "" }, "–"),
      ...teams.map((t) => el("option", { value: String(t.id) }, t.name)));
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {
      username: form.elements.username.value.trim(),
      password: form.elements.password.value,
      display_name: form.elements.display_name.value.trim() || null,
      role: form.elements.role.value,
      team_id: form.elements.team_id.value ? Number(form.elements.team_id.value) : null,
    };
    const ok = await attempt(() => send("/api/admin/users", "POST", body));
    if (ok) {
      form.reset();
      await loadUsers();
      say(s("userAdded", { username: body.username }));
    }
  });

  return loadUsers;
}
