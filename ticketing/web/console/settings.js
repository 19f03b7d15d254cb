// The settings page (/console/settings): teams and routes, business calendars, SLA policies and
// users through /api/admin/ (admins change them), and the knowledge base (supervisors write it,
// agents read it). Every value reaches the page as text, never HTML.
"use strict";

import { api, signIn, token, whenUnauthorized, forgetToken } from "./api.js";
import { FIELD_ERROR_STRINGS, clearFieldErrors, showFieldErrors } from "./fielderrors.js";
import { language, setLanguage } from "./i18n.js";
import { KB_STRINGS, setupKnowledge } from "./knowledge.js";
import { USER_STRINGS, setupUsers } from "./users.js";

const STRINGS = {
  zh: {
    title: "设置", signInTitle: "登录设置", username: "用户名", password: "密码", signIn: "登录",
    wrongPassword: "用户名或密码错误", tooManyAttempts: "登录尝试过多，请稍后再试", settings: "设置", desk: "工作台", backToConsole: "返回坐席工作台",
    adminsOnly: "只有管理员可以修改设置。", teams: "团队与分派", calendars: "工作日历", policies: "SLA 策略",
    name: "名称", description: "说明", teamName: "团队名称", addTeam: "添加团队", routes: "新工单分派",
    routesHelp: "每个类别的新工单进入哪个团队。", noTeam: "（不分派）", newCalendar: "新建日历",
    timezone: "时区", periods: "每周营业时间", periodsHelp: "每天可有多段，如 09:00-12:00, 13:30-18:00；留空为休息。",
    holidays: "节假日", holidaysHelp: "每行一个日期，如 2026-10-01", overrides: "调休上班日",
    overridesHelp: "每行：日期 时段，如 2026-10-10 09:00-18:00", save: "保存", delete: "删除",
    officialImport: "导入国务院公布的节假日与调休：", import: "导入",
    officialYears: "数据来源 {source}，可导入 {first}–{last} 年", newPolicy: "新建策略", tier: "会员等级",
    priority: "优先级", firstResponse: "首次响应（分钟）", nextResponse: "后续响应（分钟）",
    resolution: "解决（分钟）", timeBasis: "计时方式", business: "工作时间", calendarTime: "自然时间",
    calendar: "日历", noTarget: "不设目标", saved: "已保存", imported: "已导入 {year} 年节假日与调休",
    conflict: "其他人刚修改过，已重新载入：{detail}", deleted: "已删除", langToggle: "English",
    weekdays: "周一,周二,周三,周四,周五,周六,周日", calendarOf: "{team} 的工作日历",
    noCalendar: "（无：上海时间）",
    calendarConflict: "其他人刚保存过这个日历。您填写的内容仍在表单中；再次保存将覆盖他们的版本。",
    policyConflict: "其他人刚保存过这条策略。您填写的内容仍在表单中；再次保存将覆盖他们的版本。",
  },
  en: {
    title: "Settings", signInTitle: "Sign in to settings", username: "Username", password: "Password",
    signIn: "Sign in", wrongPassword: "Wrong username or password", tooManyAttempts: "Too many attempts: wait a minute and try again", settings: "Settings", desk: "Desk",
    backToConsole: "Back to the console", adminsOnly: "Only admins can change settings.",
    teams: "Teams and routes", calendars: "Business calendars", policies: "SLA policies", name: "Name",
    description: "Description", teamName: "Team name", addTeam: "Add team", routes: "Routing new tickets",
    routesHelp: "Which team gets new tickets of each category.", noTeam: "(no team)",
    newCalendar: "New calendar", timezone: "Time zone", periods: "Opening hours per weekday",
    periodsHelp: "Several periods a day, e.g. 09:00-12:00, 13:30-18:00; empty means closed.",
    holidays: "Holidays", holidaysHelp: "One date a line, e.g. 2026-10-01",
    overrides: "Working-day overrides (make-up days)",
    overridesHelp: "One a line: date and hours, e.g. 2026-10-10 09:00-18:00", save: "Save",
    delete: "Delete", officialImport: "Import China's official holidays and make-up days:",
    import: "Import", officialYears: "From {source}: years {first}–{last}", newPolicy: "New policy",
    tier: "Tier", priority: "Priority", firstResponse: "First response (min)",
    nextResponse: "Next response (min)", resolution: "Resolution (min)", timeBasis: "Counts in",
    business: "Business hours", calendarTime: "Calendar time", calendar: "Calendar",
    noTarget: "no target", saved: "Saved", imported: "Imported {year}'s holidays and make-up days",
    conflict: "Someone else changed it meanwhile; reloaded: {detail}", deleted: "Deleted",
    langToggle: "中文", weekdays: "Mon,Tue,Wed,Thu,Fri,Sat,Sun", calendarOf: "Business calendar of {team}",
    noCalendar: "(none: Shanghai time)",
    calendarConflict: "Someone else saved this calendar meanwhile. What you typed is still in the form; saving again replaces their version.",
    policyConflict: "Someone else saved this policy meanwhile. What you typed is still in the form; saving again replaces their version.",
  },
};
const LABELS = {
  zh: { low: "低", normal: "普通", high: "高", urgent: "紧急", regular: "普通会员", silver: "银卡会员", gold: "金卡会员",
    key_account: "大客户", product_quality: "产品质量", service: "服务", delivery: "物流配送", price: "价格",
    contract: "合同", policy: "政策", other: "其他" },
  en: { low: "Low", normal: "Normal", high: "High", urgent: "Urgent", regular: "Regular", silver: "Silver", gold: "Gold",
    key_account: "Key account", product_quality: "Product quality", service: "Service", delivery: "Delivery",
    price: "Price", contract: "Contract", policy: "Policy", other: "Other" },
};
for (const lang of ["zh", "en"]) Object.assign(STRINGS[lang], KB_STRINGS[lang], USER_STRINGS[lang], FIELD_ERROR_STRINGS[lang]);
const PRIORITIES = ["urgent", "high", "normal", "low"];
const TIERS = ["regular", "silver", "gold", "key_account"];

const state = { teams: [], routes: [], calendars: [], calendar: null, policies: [], policy: null, me: null };
const byId = (id) => document.getElementById(id);

function s(key, params) {
  const text = STRINGS[language()][key] ?? STRINGS.zh[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (params && name in params ? String(params[name]) : whole));
}
const label = (value) => LABELS[language()][value] ?? String(value);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (/^(data-|aria-)/.test(key) || ["value", "class", "role"].includes(key)) node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child ?? "")));
  return node;
}

function translate() {
  for (const node of document.querySelectorAll("[data-s]")) node.textContent = s(node.dataset.s);
  for (const node of document.querySelectorAll("[data-s-placeholder]")) node.placeholder = s(node.dataset.sPlaceholder);
  byId("lang-toggle").textContent = s("langToggle");
  document.documentElement.lang = language() === "zh" ? "zh-CN" : "en";
}

function say(text, kind = "ok") {
  const node = byId("message");
  node.textContent = text;
  node.className = `message ${kind}`;
}

/** A change to the admin API; a refusal shows the field it names and its reason. */
async function send(path, method, body) {
  const response = await fetch(path, {
    method,
    headers: { Authorization: "Bearer " + token(), "Content-Type": "application/json", Accept: "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (response.ok) return data;
  if (response.status === 401) signedOut(); // e.g. an admin who just took their own role away
  let detail = data && typeof data.detail === "string" ? data.detail : `HTTP ${response.status}`;
  if (data && Array.isArray(data.detail)) {
    detail = data.detail.map((d) => `${d.loc.slice(1).join(".")}: ${d.msg}`).join("; ");
  }
  const error = new Error(detail);
  error.status = response.status;
  error.fields = data && Array.isArray(data.detail) ? data.detail : [];
  error.body = data; // a 409 may name its field (`loc`): the refusal helper places it
  throw error;
}

async function attempt(action, reload) {
  try {
    await action();
  } catch (error) {
    if (error.status === 409 && reload) {
      await reload();
      say(s("conflict", { detail: error.message }), "bad");
    } else {
      say(error.message, "bad");
    }
    return false;
  }
  return true;
}

/** A refused save of `form`: a 422 beside the inputs it names, anything else on top. */
function refuse(form, error) {
  const { shown, others } = showFieldErrors(form, error, s);
  say(shown ? [s("fixFields"), ...others].join("; ") : error.message, "bad");
}

/**
 * A 409 on saving `current` (loaded from `path`): when someone saved it meanwhile, what was
 * typed stays in the form, the newer version is taken (so saving again is deliberate: it replaces
 * theirs) and the page says so with `said`. False for any other conflict (a name taken).
 */
async function keptOnConflict(error, form, path, current, adopt, said) {
  if (error.status !== 409 || !current) return false;
  const latest = await send(path, "GET").catch(() => null);
  if (!latest || latest.version === current.version) return false;
  adopt(latest);
  clearFieldErrors(form);
  say(s(said), "bad");
  return true;
}

// --- teams and routes --------------------------------------------------------------------------

/** A team's row: its name, description and a pick of its business calendar. */
function teamRow(team) {
  const pick = el("select", { "aria-label": s("calendarOf", { team: team.name }), "data-testid": "team-calendar" },
    el("option", { value: "" }, s("noCalendar")),
    ...state.calendars.map((c) => el("option", { value: String(c.id) }, c.name)));
  const shown = el("span", { class: "field-error", role: "alert", "data-field": "calendar_id" });
  const current = () => (team.calendar_id === null ? "" : String(team.calendar_id));
  pick.value = current();
  pick.addEventListener("change", async () => {
    shown.textContent = "";
    try {
      const saved = await send(`/api/admin/teams/${team.id}/calendar`, "PUT", { calendar_id: pick.value ? Number(pick.value) : null });
      team.calendar_id = saved.calendar_id;
      say(s("saved"));
    } catch (error) {
      pick.value = current();
      shown.textContent = error.message;
      say(s("notChanged"), "bad");
    }
  });
  return el("tr", { "data-testid": "team-row" }, el("td", {}, team.name), el("td", {}, team.description), el("td", {}, pick, shown));
}

async function loadTeams() {
  state.teams = (await api("/api/admin/teams")).data;
  state.routes = (await api("/api/admin/routes")).data;
  state.calendars = (await api("/api/admin/calendars")).data;
  const teams = document.querySelector("[data-testid=teams] tbody");
  teams.replaceChildren(...state.teams.map(teamRow));
  const routes = document.querySelector("[data-testid=routes] tbody");
  routes.replaceChildren(
    ...state.routes.map((route) => {
      const pick = el("select", { "data-category": route.category, "data-testid": `route-${route.category}` },
        el("option", { value: "" }, s("noTeam")),
        ...state.teams.map((t) => el("option", { value: String(t.id) }, t.name)));
      pick.value = route.team_id === null ? "" : String(route.team_id);
      pick.addEventListener("change", () => attempt(async () => {
        await send(`/api/admin/routes/${route.category}`, "PUT", { team_id: pick.value ? Number(pick.value) : null });
        say(s("saved"));
      }, loadTeams));
      return el("tr", {}, el("td", {}, label(route.category)), el("td", {}, pick));
    }),
  );
}

byId("team-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  clearFieldErrors(form);
  try {
    await send("/api/admin/teams", "POST", {
      name: form.elements.name.value, description: form.elements.description.value,
    });
  } catch (error) {
    refuse(form, error); // a taken name beside the name, what was typed kept
    return;
  }
  form.reset();
  say(s("saved"));
  await attempt(loadTeams);
});

// --- calendars ---------------------------------------------------------------------------------

const WEEKDAY_INPUTS = byId("weekday-inputs");
const weekdayNames = () => s("weekdays").split(",");

function periodsText(periods) {
  return (periods || []).map((p) => p.join("-")).join(", ");
}

function parsePeriods(text) {
  return text.split(/[,，;]/).map((part) => part.trim()).filter(Boolean)
    .map((part) => (part.includes("-") ? part.split("-").map((x) => x.trim()) : [part]));
}

function drawWeekdays(periods) {
  WEEKDAY_INPUTS.replaceChildren(...weekdayNames().map((name, day) => el("label", {},
    el("span", {}, name),
    el("input", { name: `day${day}`, value: periodsText(periods[String(day)]), "data-testid": `periods-${day}` }),
    el("span", { class: "field-error", role: "alert", "data-field": `periods.${day}` }))));
}

function calendarBody(form) {
  const periods = {};
  for (let day = 0; day < 7; day++) {
    const text = form.elements[`day${day}`].value.trim();
    if (text) periods[String(day)] = parsePeriods(text);
  }
  const overrides = {};
  for (const line of form.elements.overrides.value.split("\n").map((x) => x.trim()).filter(Boolean)) {
    const [day, ...rest] = line.split(/\s+/);
    overrides[day] = parsePeriods(rest.join(" "));
  }
  return {
    name: form.elements.name.value,
    timezone: form.elements.timezone.value.trim(),
    periods,
    holidays: form.elements.holidays.value.split(/[\s,]+/).filter(Boolean),
    overrides,
  };
}

function showCalendar(calendar) {
  state.calendar = calendar;
  const form = byId("calendar-form");
  clearFieldErrors(form);
  form.elements.name.value = calendar ? calendar.name : "";
  form.elements.timezone.value = calendar ? calendar.timezone : "Asia/Shanghai";
  drawWeekdays(calendar ? calendar.periods : { 0: [["09:00", "18:00"]], 1: [["09:00", "18:00"]], 2: [["09:00", "18:00"]], 3: [["09:00", "18:00"]], 4: [["09:00", "18:00"]] });
  form.elements.holidays.value = calendar ? calendar.holidays.join("\n") : "";
  form.elements.overrides.value = calendar
    ? Object.entries(calendar.overrides).map(([day, p]) => `${day} ${periodsText(p)}`).join("\n") : "";
  byId("calendar-delete").hidden = !calendar;
  byId("official-form").hidden = !calendar;
  byId("calendar-pick").value = calendar ? String(calendar.id) : "";
}

async function loadCalendars(keepId) {
  state.calendars = (await api("/api/admin/calendars")).data;
  const pick = byId("calendar-pick");
  pick.replaceChildren(el("option", { value: "" }, "—"), ...state.calendars.map((c) => el("option", { value: String(c.id) }, c.name)));
  const id = keepId ?? (state.calendar ? state.calendar.id : state.calendars[0]?.id);
  showCalendar(state.calendars.find((c) => c.id === id) || null);
}

byId("calendar-pick").addEventListener("change", (event) => {
  showCalendar(state.calendars.find((c) => String(c.id) === event.target.value) || null);
});
byId("calendar-new").addEventListener("click", () => showCalendar(null));

byId("calendar-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const body = calendarBody(form);
  const current = state.calendar;
  let saved;
  try {
    saved = current
      ? await send(`/api/admin/calendars/${current.id}`, "PUT", { ...body, version: current.version })
      : await send("/api/admin/calendars", "POST", body);
  } catch (error) {
    const path = current && `/api/admin/calendars/${current.id}`;
    const adopt = (latest) => { state.calendar = latest; };
    if (!(await keptOnConflict(error, form, path, current, adopt, "calendarConflict"))) refuse(form, error);
    return; // what was typed stays in the form
  }
  await attempt(async () => {
    await loadCalendars(saved.id);
    say(s("saved"));
  });
});

byId("calendar-delete").addEventListener("click", () => attempt(async () => {
  await send(`/api/admin/calendars/${state.calendar.id}`, "DELETE");
  state.calendar = null;
  await loadCalendars();
  say(s("deleted"));
}, () => loadCalendars()));

byId("official-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const year = Number(event.target.elements.year.value);
  await attempt(async () => {
    const saved = await send(`/api/admin/calendars/${state.calendar.id}/official-holidays`, "POST", { year, version: state.calendar.version });
    await loadCalendars(saved.id);
    say(s("imported", { year }));
  }, () => loadCalendars());
});

// --- SLA policies ------------------------------------------------------------------------------

function fillSelect(select, values, labelOf) {
  select.replaceChildren(...values.map((v) => el("option", { value: String(v) }, labelOf(v))));
}

function showPolicy(policy) {
  state.policy = policy;
  const form = byId("policy-form");
  clearFieldErrors(form);
  fillSelect(form.elements.priority, PRIORITIES, label);
  fillSelect(form.elements.tier, TIERS, label);
  form.elements.calendar_id.replaceChildren(el("option", { value: "" }, "—"),
    ...state.calendars.map((c) => el("option", { value: String(c.id) }, c.name)));
  form.elements.name.value = policy ? policy.name : "";
  form.elements.priority.value = policy ? policy.priority : "normal";
  form.elements.tier.value = policy ? policy.tier : "regular";
  for (const key of ["first_response_minutes", "next_response_minutes", "resolution_minutes"]) {
    form.elements[key].value = policy && policy[key] !== null ? String(policy[key]) : "";
  }
  form.elements.time_basis.value = policy ? policy.time_basis : "business";
  form.elements.calendar_id.value = policy && policy.calendar_id !== null ? String(policy.calendar_id) : String(state.calendars[0]?.id ?? "");
  for (const row of document.querySelectorAll("[data-testid=policies] tbody tr")) {
    row.classList.toggle("chosen", policy !== null && row.dataset.id === String(policy.id));
  }
}

async function loadPolicies(keepId) {
  if (!state.calendars.length) state.calendars = (await api("/api/admin/calendars")).data;
  state.policies = (await api("/api/admin/sla-policies")).data;
  const body = document.querySelector("[data-testid=policies] tbody");
  const minutes = (m) => (m === null ? "–" : String(m));
  body.replaceChildren(...state.policies.map((p) => {
    const row = el("tr", { class: "pick", "data-id": String(p.id), "data-testid": "policy-row" },
      el("td", {}, label(p.tier)), el("td", {}, label(p.priority)), el("td", {}, minutes(p.first_response_minutes)),
      el("td", {}, minutes(p.next_response_minutes)), el("td", {}, minutes(p.resolution_minutes)),
      el("td", {}, p.time_basis === "business" ? s("business") : s("calendarTime")));
    row.addEventListener("click", () => showPolicy(p));
    return row;
  }));
  showPolicy(state.policies.find((p) => p.id === keepId) || null);
}

byId("policy-new").addEventListener("click", () => showPolicy(null));

byId("policy-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const number = (key) => (form.elements[key].value.trim() === "" ? null : Number(form.elements[key].value));
  const body = {
    name: form.elements.name.value,
    priority: form.elements.priority.value,
    tier: form.elements.tier.value,
    first_response_minutes: number("first_response_minutes"),
    next_response_minutes: number("next_response_minutes"),
    resolution_minutes: number("resolution_minutes"),
    time_basis: form.elements.time_basis.value,
    calendar_id: form.elements.time_basis.value === "business" ? number("calendar_id") : null,
  };
  const current = state.policy;
  let saved;
  try {
    saved = current
      ? await send(`/api/admin/sla-policies/${current.id}`, "PUT", { ...body, version: current.version })
      : await send("/api/admin/sla-policies", "POST", body);
  } catch (error) {
    const path = current && `/api/admin/sla-policies/${current.id}`;
    const adopt = (latest) => { state.policy = latest; };
    if (!(await keptOnConflict(error, form, path, current, adopt, "policyConflict"))) refuse(form, error);
    return; // what was typed stays in the form
  }
  await attempt(async () => {
    await loadPolicies(saved.id);
    say(s("saved"));
  });
});

// --- the page ----------------------------------------------------------------------------------

const UI = {
  el, s, send, attempt, say, refuse, byId,
  role: () => state.me?.role,
  locale: () => (language() === "zh" ? "zh-CN" : "en"),
};
const LOADERS = {
  teams: loadTeams,
  users: setupUsers(UI),
  knowledge: setupKnowledge(UI),
  calendars: () => loadCalendars(),
  policies: () => loadPolicies(state.policy ? state.policy.id : undefined),
};

async function showTab() {
  // Agents and supervisors land on the knowledge base; the admin settings are refused them.
  const home = state.me && state.me.role === "agent" ? "knowledge" : "teams";
  const tab = (location.hash || `#${home}`).slice(1);
  const name = tab in LOADERS ? tab : home;
  for (const key of Object.keys(LOADERS)) {
    byId(`tab-${key}`).hidden = key !== name;
    delete byId(`tab-${key}`).dataset.ready;
    document.querySelector(`[data-tab=${key}]`).classList.toggle("active", key === name);
  }
  say("");
  byId("forbidden").hidden = state.me?.role === "admin" || name === "knowledge";
  await attempt(LOADERS[name]);
  byId(`tab-${name}`).dataset.ready = "1"; // loaded: what is typed now is not overwritten
}

async function start() {
  if (!token()) {
    byId("login").hidden = false;
    byId("app").hidden = true;
    return;
  }
  let me;
  try {
    me = await api("/api/auth/me");
  } catch (_error) {
    return;
  }
  state.me = me;
  byId("whoami").textContent = `${me.display_name} · ${me.role}`;
  byId("login").hidden = true;
  byId("app").hidden = false;
  for (const tab of ["teams", "calendars", "policies", "users"]) {
    document.querySelector(`[data-tab=${tab}]`).hidden = me.role === "agent";
  }
  await api("/api/admin/calendars/official-years").then((years) => {
    byId("official-years").textContent = s("officialYears", { source: years.source, first: years.first_year, last: years.last_year });
    byId("official-form").elements.year.value = String(Math.min(new Date().getFullYear(), years.last_year));
  }).catch(() => {});
  await showTab();
}

function signedOut() {
  forgetToken();
  byId("login").hidden = false;
  byId("app").hidden = true;
}

whenUnauthorized(signedOut);

byId("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  // signIn answers null when signed in, else the refusal's HTTP status (429: too many tries).
  const refused = await signIn(form.elements.username.value, form.elements.password.value);
  if (refused === null) {
    byId("login-error").textContent = "";
    await start();
  } else {
    byId("login-error").textContent = s(refused === 429 ? "tooManyAttempts" : "wrongPassword");
  }
});

byId("lang-toggle").addEventListener("click", async () => {
  setLanguage(language() === "zh" ? "en" : "zh");
  translate();
  await showTab();
});
window.addEventListener("hashchange", showTab);

translate();
drawWeekdays({});
start();
