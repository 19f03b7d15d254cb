// Supervisor dashboard: signs in with the OAuth2 password flow, keeps the bearer token in
// sessionStorage, reads /api/reports/* and draws them. Every value reaches the page through
// textContent or Chart.js, never as HTML, so customer text cannot inject markup.
"use strict";

const TOKEN_KEY = "kefu.token";
const REPORT_TITLES = {
  sla: "SLA 达成率 · SLA compliance",
  sla_trend: "SLA 每日趋势 · SLA per day",
  breaches: "超时清单 · Breaches",
  response_times: "响应与解决时长 · Response and resolution times",
  sla_tickets: "逐单 SLA 结论 · SLA verdicts per ticket",
  backlog: "积压 · Backlog by age",
  complaints_by_category: "投诉类别 · Complaints by category",
  complaints_by_severity: "严重度 · Complaints by severity",
  complaints_by_channel: "渠道 · Complaints by channel",
  reopen_rate: "重开率 · Reopen rate",
  triage_corrections: "分类被改正 · Triage corrected, per category",
  satisfaction: "满意度与净推荐值 · CSAT and NPS",
  follow_ups: "回访完成率 · Follow-up visits",
  bot: "机器人分流 · Bot containment and handoff",
  churn_risk: "流失预警 · Churn-risk customers",
  callbacks_open: "待回电 · Open call-backs",
};
const charts = {};

const byId = (id) => document.getElementById(id);
const token = () => sessionStorage.getItem(TOKEN_KEY);

function show(signedIn) {
  byId("login").hidden = signedIn;
  byId("dashboard").hidden = !signedIn;
  byId("sign-out").hidden = !signedIn;
}

function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  show(false);
}

async function api(path) {
  const response = await fetch(path, { headers: { Authorization: "Bearer " + token() } });
  if (response.status === 401) {
    signOut();
    throw new Error("请重新登录 Please sign in again");
  }
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    let detail = typeof body.detail === "string" ? body.detail : "HTTP " + response.status;
    if (Array.isArray(body.detail)) detail = body.detail.map((d) => `${d.loc.at(-1)}: ${d.msg}`).join("; ");
    throw new Error(detail);
  }
  return response;
}

function query() {
  const params = new URLSearchParams();
  for (const [key, value] of new FormData(byId("filters"))) {
    if (value !== "") params.append(key, value);
  }
  return params.toString();
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function renderTable(report) {
  const section = element("section", undefined, "report");
  const heading = element("h3", REPORT_TITLES[report.name] || report.name);
  const download = element("button", "导出 CSV · Export");
  download.type = "button";
  download.addEventListener("click", () => downloadCsv(report.name));
  heading.append(download);
  const table = element("table");
  const head = table.createTHead().insertRow();
  for (const column of report.columns) head.append(element("th", column));
  const body = table.createTBody();
  for (const row of report.rows) {
    const tr = body.insertRow();
    for (const value of row) {
      tr.append(element("td", value === null ? "–" : value, typeof value === "number" ? "num" : ""));
    }
  }
  if (!report.rows.length) {
    const tr = body.insertRow();
    const td = element("td", "无数据 No data");
    td.colSpan = report.columns.length;
    tr.append(td);
  }
  section.append(heading, table);
  return section;
}

async function downloadCsv(name) {
  const response = await api(`/api/reports/${encodeURIComponent(name)}.csv?${query()}`);
  const disposition = response.headers.get("Content-Disposition") || "";
  const match = disposition.match(/filename="([^"]+)"/);
  const url = URL.createObjectURL(await response.blob());
  const link = element("a");
  link.href = url;
  link.download = match ? match[1] : `${name}.csv`;
  link.click();
  URL.revokeObjectURL(url);
}

function rowsOf(report) {
  return report.rows.map((row) => Object.fromEntries(report.columns.map((c, i) => [c, row[i]])));
}

function draw(id, config) {
  if (typeof Chart === "undefined") return; // chart library not installed: tables still work
  if (charts[id]) charts[id].destroy();
  charts[id] = new Chart(byId(id), config);
}

function drawCharts(data) {
  const trend = rowsOf(data.sla_trend);
  const days = [...new Set(trend.map((r) => r.day))];
  const metrics = ["first_response", "next_response", "resolution"];
  draw("chart-sla", {
    type: "line",
    data: {
      labels: days,
      datasets: metrics.map((metric) => ({
        label: metric,
        data: days.map((day) => {
          const row = trend.find((r) => r.day === day && r.metric === metric);
          return row ? row.pct_met : null;
        }),
        spanGaps: true,
      })),
    },
    options: { scales: { y: { min: 0, max: 100 } } },
  });
  const categories = rowsOf(data.complaints_by_category);
  draw("chart-category", {
    type: "bar",
    data: { labels: categories.map((r) => r.category), datasets: [{ label: "tickets", data: categories.map((r) => r.tickets) }] },
  });
  const backlog = rowsOf(data.backlog);
  draw("chart-backlog", {
    type: "bar",
    data: { labels: backlog.map((r) => r.age), datasets: [{ label: "open tickets", data: backlog.map((r) => r.tickets) }] },
  });
  const times = rowsOf(data.response_times);
  draw("chart-times", {
    type: "bar",
    data: {
      labels: times.map((r) => r.metric),
      datasets: [
        { label: "median", data: times.map((r) => r.median_minutes) },
        { label: "p90", data: times.map((r) => r.p90_minutes) },
        { label: "工作时间 business median", data: times.map((r) => r.business_median_minutes) },
        { label: "工作时间 business p90", data: times.map((r) => r.business_p90_minutes) },
      ],
    },
  });
}

function drawCards(data) {
  const cards = byId("cards");
  cards.replaceChildren();
  const sla = Object.fromEntries(rowsOf(data.sla).map((r) => [r.metric, r.pct_met]));
  const [csat] = rowsOf(data.satisfaction);
  const [reopen] = rowsOf(data.reopen_rate);
  const [visits] = rowsOf(data.follow_ups);
  const [bot] = rowsOf(data.bot);
  const pct = (v) => (v === null || v === undefined ? "–" : `${v}%`);
  const items = [
    ["首次响应达成 First response met", pct(sla.first_response)],
    ["后续响应达成 Next response met", pct(sla.next_response)],
    ["解决达成 Resolution met", pct(sla.resolution)],
    ["CSAT 平均 average", csat && csat.csat_avg !== null ? csat.csat_avg : "–"],
    ["满意 Satisfied (4-5)", pct(csat && csat.pct_satisfied)],
    ["NPS 净推荐值", csat && csat.nps !== null ? csat.nps : "–"],
    ["重开率 Reopened", pct(reopen && reopen.pct_reopened)],
    ["回访完成 Follow-ups done", pct(visits && visits.pct_completed)],
    ["机器人分流 Bot contained", pct(bot && bot.pct_contained)],
    ["转人工 Handed off", pct(bot && bot.pct_handed_off)],
  ];
  for (const [label, value] of items) {
    const card = element("div", undefined, "card");
    card.append(element("div", value, "value"), element("div", label, "label"));
    cards.append(card);
  }
}

async function load() {
  const status = byId("status");
  status.textContent = "加载中 Loading…";
  status.className = "";
  try {
    const names = (await (await api("/api/reports")).json()).data;
    const q = query();
    const results = await Promise.all(
      names.map(async (name) => (await api(`/api/reports/${encodeURIComponent(name)}?${q}`)).json()),
    );
    const data = Object.fromEntries(results.map((r) => [r.name, r]));
    drawCards(data);
    drawCharts(data);
    byId("tables").replaceChildren(...results.map(renderTable));
    status.textContent = "";
  } catch (error) {
    status.textContent = error.message;
    status.className = "error";
  }
}

async function fillPickers() {
  const fill = async (path, select, label) => {
    try {
      const body = await (await api(path)).json();
      for (const item of body.data) {
        const option = element("option", label(item));
        option.value = item.id;
        select.append(option);
      }
    } catch (_error) {
      // Pickers are a convenience; the reports work without them.
    }
  };
  const suggestTags = async () => {
    try {
      const body = await (await api("/api/tags?limit=100")).json();
      byId("tag-options").replaceChildren(
        ...body.data.map((item) => {
          const option = element("option", `${item.tag} (${item.uses})`);
          option.value = item.tag;
          return option;
        }),
      );
    } catch (_error) {
      // As above: a tag can be typed without suggestions.
    }
  };
  await Promise.all([
    fill("/api/teams", byId("team-select"), (t) => t.name),
    fill("/api/users", byId("agent-select"), (u) => u.display_name || u.username),
    suggestTags(),
  ]);
}

async function signIn(event) {
  event.preventDefault();
  const form = new FormData(event.target);
  const response = await fetch("/api/auth/token", {
    method: "POST",
    body: new URLSearchParams({ username: form.get("username"), password: form.get("password") }),
  });
  if (!response.ok) {
    byId("login-error").textContent = "用户名或密码错误 Wrong username or password";
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, (await response.json()).access_token);
  byId("login-error").textContent = "";
  event.target.reset();
  start();
}

function start() {
  show(true);
  fillPickers();
  load();
}

document.addEventListener("DOMContentLoaded", () => {
  byId("login-form").addEventListener("submit", signIn);
  byId("sign-out").addEventListener("click", signOut);
  byId("filters").addEventListener("submit", (event) => {
    event.preventDefault();
    load();
  });
  if (token()) start();
  else show(false);
});
