// Supervisor dashboard: signs in with the OAuth2 password flow, keeps the bearer token in
// sessionStorage, reads /api/reports/* and draws them: headline figures and charts first, every
// one a link to the tickets behind it in the console (#/tickets?… drill-down filters), and the
// long tables folded, loaded when opened and paged. Every value reaches the page through
// textContent or Chart.js, never as HTML, so customer text cannot inject markup.
"use strict";

const TOKEN_KEY = "kefu.token";
// The reports are asked for in Asia/Shanghai (the API's default zone): its days start at +08:00.
const ZONE_OFFSET = "+08:00";
const PAGE_ROWS = 25;
const METRICS = ["first_response", "next_response", "resolution"];
const METRIC_NAMES = {
  first_response: "首次响应 First response",
  next_response: "后续响应 Next response",
  resolution: "解决 Resolution",
};
// What the headline and the charts need; the tables below load when opened.
const HEADLINE_REPORTS = [
  "sla", "sla_trend", "sla_by_team", "sla_team_trend", "satisfaction", "backlog", "bot",
  "complaints_by_category", "response_times",
];
const REPORT_TITLES = {
  sla: "SLA 达成率 · SLA compliance",
  sla_trend: "SLA 每日趋势 · SLA per day",
  sla_by_team: "各团队 SLA · SLA met per team",
  sla_by_agent: "各坐席 SLA · SLA met per agent",
  sla_team_trend: "各团队 SLA 每日趋势 · SLA per team and day",
  sla_agent_trend: "各坐席 SLA 每日趋势 · SLA per agent and day",
  breaches: "超时清单 · Breaches",
  response_times: "响应与解决时长 · Response and resolution times",
  sla_tickets: "逐单 SLA 结论 · SLA verdicts per ticket",
  ticket_times: "逐单时长导出 · Per-ticket times (export)",
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
// Backlog buckets (ticketing/reports/complaints.py BACKLOG_BUCKETS): age in hours, [low, high).
const BACKLOG_HOURS = { "< 4 h": [0, 4], "4-24 h": [4, 24], "1-3 d": [24, 72], "3-7 d": [72, 168], "> 7 d": [168, null] };
const charts = {};
let period = { start: null, end: null };

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

// --- the filter bar: one place reads it, for the reports and for the console's links -----------

function filterValues() {
  const values = [];
  for (const [key, value] of new FormData(byId("filters"))) {
    if (value !== "") values.push([key, String(value)]);
  }
  return values;
}

function query() {
  return new URLSearchParams(filterValues()).toString();
}

// The console's list of the tickets behind a figure: the filter bar's slices (not the period,
// which each figure gives as from/to) and the figure's own filters.
function consoleLink(filters) {
  const params = new URLSearchParams(filterValues().filter(([key]) => key !== "days"));
  for (const [key, value] of Object.entries(filters)) {
    if (value !== null && value !== undefined) params.set(key, String(value));
  }
  return "/console#/tickets?" + params.toString().replaceAll("+", "%20");
}

function inPeriod(filters = {}) {
  return { ...filters, from: period.start, to: period.end };
}

function dayRange(day) {
  const from = new Date(`${day}T00:00:00${ZONE_OFFSET}`);
  return { from: from.toISOString(), to: new Date(from.getTime() + 86400000).toISOString() };
}

// --- small DOM helpers --------------------------------------------------------------------------

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function rowsOf(report) {
  return report.rows.map((row) => Object.fromEntries(report.columns.map((c, i) => [c, row[i]])));
}

const pct = (v) => (v === null || v === undefined ? "–" : `${v}%`);

// --- headline figures ---------------------------------------------------------------------------

function card(label, value, href, { testid, alert = false, sub } = {}) {
  const node = element("a", undefined, alert ? "card alert" : "card");
  node.href = href;
  if (testid) node.dataset.testid = testid;
  node.append(element("div", value, "value"), element("div", label, "label"));
  if (sub) node.append(element("div", sub, "sub"));
  return node;
}

function drawCards(data) {
  const sla = Object.fromEntries(rowsOf(data.sla).map((r) => [r.metric, r]));
  const [csat] = rowsOf(data.satisfaction);
  const [bot] = rowsOf(data.bot);
  const backlog = rowsOf(data.backlog).reduce((n, r) => n + r.tickets, 0);
  const cards = [];
  for (const metric of METRICS) {
    const row = sla[metric] || { pct_met: null, met: 0, breached: 0 };
    cards.push(
      card(`${METRIC_NAMES[metric]} 达成 met`, pct(row.pct_met), consoleLink(inPeriod({ sla: metric })), {
        testid: `figure-met-${metric}`,
        sub: `${row.met + row.breached} 个时限 deadlines`,
      }),
    );
  }
  for (const metric of METRICS) {
    const breached = sla[metric] ? sla[metric].breached : 0;
    cards.push(
      card(`${METRIC_NAMES[metric]} 超时 breached`, breached, consoleLink(inPeriod({ breached: metric })), {
        testid: `figure-breached-${metric}`,
        alert: breached > 0,
      }),
    );
  }
  const rated = consoleLink(inPeriod({ rated: true }));
  cards.push(
    card("CSAT 平均 average", csat && csat.csat_avg !== null ? csat.csat_avg : "–", rated, {
      testid: "figure-csat",
      sub: `满意 satisfied ${pct(csat && csat.pct_satisfied)}`,
    }),
    card("NPS 净推荐值", csat && csat.nps !== null ? csat.nps : "–", rated, {
      testid: "figure-nps",
      sub: `${csat ? csat.nps_answers : 0} 份回答 answers`,
    }),
    card("积压 Backlog (open now)", backlog, consoleLink({ open: true }), { testid: "figure-backlog" }),
    card("机器人分流 Bot contained", pct(bot && bot.pct_contained), consoleLink(inPeriod({ handed_off: false })), {
      testid: "figure-contained",
      sub: `${bot ? bot.conversations : 0} 个会话 conversations`,
    }),
    card("转人工 Handed off", pct(bot && bot.pct_handed_off), consoleLink(inPeriod({ handed_off: true })), {
      testid: "figure-handed-off",
    }),
  );
  byId("cards").replaceChildren(...cards);
}

// --- charts: a click on a bar or a point opens its tickets ---------------------------------------

function draw(id, config, linkOf) {
  if (typeof Chart === "undefined") return; // chart library not installed: figures still work
  if (charts[id]) charts[id].destroy();
  config.options = {
    ...(config.options || {}),
    onClick: (_event, elements) => {
      if (!elements.length) return;
      const href = linkOf(elements[0].datasetIndex, elements[0].index);
      if (href) location.href = href;
    },
  };
  charts[id] = new Chart(byId(id), config);
}

function drawSlaCharts(data) {
  const trend = rowsOf(data.sla_trend);
  const days = [...new Set(trend.map((r) => r.day))];
  draw(
    "chart-sla",
    {
      type: "line",
      data: {
        labels: days,
        datasets: METRICS.map((metric) => ({
          label: METRIC_NAMES[metric],
          data: days.map((day) => (trend.find((r) => r.day === day && r.metric === metric) || {}).pct_met ?? null),
          spanGaps: true,
        })),
      },
      options: { scales: { y: { min: 0, max: 100 } } },
    },
    (dataset, index) => consoleLink({ breached: METRICS[dataset], ...dayRange(days[index]) }),
  );
  const teamRows = rowsOf(data.sla_by_team);
  const teams = [...new Map(teamRows.map((r) => [r.team_id, r.team || "未分组 no team"])).entries()];
  draw(
    "chart-teams",
    {
      type: "bar",
      data: {
        labels: teams.map(([, name]) => name),
        datasets: METRICS.map((metric) => ({
          label: METRIC_NAMES[metric],
          data: teams.map(([id]) => (teamRows.find((r) => r.team_id === id && r.metric === metric) || {}).pct_met ?? null),
        })),
      },
      options: { scales: { y: { min: 0, max: 100 } } },
    },
    // Tickets in no team have no team_id to filter by: that bar links to every team's.
    (dataset, index) => consoleLink(inPeriod({ breached: METRICS[dataset], team_id: teams[index][0] })),
  );
  drawTeamTrend(rowsOf(data.sla_team_trend));
}

function drawTeamTrend(rows) {
  const days = [...new Set(rows.map((r) => r.day))].sort();
  const teams = [...new Map(rows.map((r) => [r.team_id, r.team || "未分组 no team"])).entries()];
  const pctOf = (teamId, day) => {
    const mine = rows.filter((r) => r.team_id === teamId && r.day === day);
    const met = mine.reduce((n, r) => n + r.met, 0);
    const all = met + mine.reduce((n, r) => n + r.breached, 0);
    return all ? Math.round((1000 * met) / all) / 10 : null;
  };
  draw(
    "chart-team-trend",
    {
      type: "line",
      data: {
        labels: days,
        datasets: teams.map(([id, name]) => ({ label: name, data: days.map((day) => pctOf(id, day)), spanGaps: true })),
      },
      options: { scales: { y: { min: 0, max: 100 } } },
    },
    (dataset, index) => consoleLink({ team_id: teams[dataset][0], ...dayRange(days[index]) }),
  );
}

function drawOtherCharts(data) {
  const categories = rowsOf(data.complaints_by_category);
  draw(
    "chart-category",
    { type: "bar", data: { labels: categories.map((r) => r.category), datasets: [{ label: "工单 tickets", data: categories.map((r) => r.tickets) }] } },
    (_dataset, index) => consoleLink(inPeriod({ category: categories[index].category })),
  );
  const backlog = rowsOf(data.backlog);
  draw(
    "chart-backlog",
    { type: "bar", data: { labels: backlog.map((r) => r.age), datasets: [{ label: "未解决 open tickets", data: backlog.map((r) => r.tickets) }] } },
    (_dataset, index) => {
      const [low, high] = BACKLOG_HOURS[backlog[index].age] || [0, null];
      const ago = (hours) => new Date(Date.now() - hours * 3600000).toISOString();
      return consoleLink({ open: true, from: high === null ? null : ago(high), to: ago(low) });
    },
  );
  const times = rowsOf(data.response_times);
  draw(
    "chart-times",
    {
      type: "bar",
      data: {
        labels: times.map((r) => METRIC_NAMES[r.metric] || r.metric),
        datasets: [
          { label: "中位数 median", data: times.map((r) => r.median_minutes) },
          { label: "p90", data: times.map((r) => r.p90_minutes) },
          { label: "工作时间 business median", data: times.map((r) => r.business_median_minutes) },
          { label: "工作时间 business p90", data: times.map((r) => r.business_p90_minutes) },
        ],
      },
    },
    (_dataset, index) => consoleLink(inPeriod({ sla: times[index].metric })),
  );
  const [bot] = rowsOf(data.bot);
  draw(
    "chart-bot",
    {
      type: "doughnut",
      data: {
        labels: ["机器人解决 contained", "转人工 handed off"],
        datasets: [{ data: bot ? [bot.contained, bot.handed_off] : [0, 0] }],
      },
    },
    (_dataset, index) => consoleLink(inPeriod({ handed_off: index === 1 })),
  );
}

// --- the tables: folded, loaded when opened, paged ----------------------------------------------

function cell(column, value) {
  if (value === null || value === undefined) return element("td", "–");
  // A ticket, a team or an agent opens its tickets in the console.
  const href =
    column === "ticket" && typeof value === "string"
      ? `/console#/ticket/${encodeURIComponent(value)}`
      : column === "team_id" || column === "agent_id"
        ? consoleLink(inPeriod({ [column]: value }))
        : null;
  if (href) {
    const td = element("td");
    const link = element("a", value);
    link.href = href;
    td.append(link);
    return td;
  }
  return element("td", value, typeof value === "number" ? "num" : "");
}

function renderPage(holder, report, page) {
  const pages = Math.max(1, Math.ceil(report.rows.length / PAGE_ROWS));
  const table = element("table");
  const head = table.createTHead().insertRow();
  for (const column of report.columns) head.append(element("th", column));
  const body = table.createTBody();
  for (const row of report.rows.slice(page * PAGE_ROWS, (page + 1) * PAGE_ROWS)) {
    const tr = body.insertRow();
    row.forEach((value, i) => tr.append(cell(report.columns[i], value)));
  }
  if (!report.rows.length) {
    const td = element("td", "无数据 No data");
    td.colSpan = report.columns.length;
    body.insertRow().append(td);
  }
  const bar = element("div", undefined, "bar");
  const turn = (text, to, enabled) => {
    const button = element("button", text);
    button.type = "button";
    button.disabled = !enabled;
    button.addEventListener("click", () => renderPage(holder, report, to));
    return button;
  };
  bar.append(
    turn("‹ 上一页 Previous", page - 1, page > 0),
    element("span", `${page + 1} / ${pages} · ${report.rows.length} 行 rows`),
    turn("下一页 Next ›", page + 1, page + 1 < pages),
  );
  const wrap = element("div", undefined, "table-wrap");
  wrap.append(table);
  holder.replaceChildren(bar, wrap);
}

function foldedTable(name) {
  const details = element("details", undefined, "report");
  details.dataset.report = name;
  const summary = element("summary", REPORT_TITLES[name] || name);
  const download = element("button", "导出 CSV · Export");
  download.type = "button";
  download.addEventListener("click", (event) => {
    event.preventDefault();
    downloadCsv(name).catch(showStatusError);
  });
  summary.append(" ", download);
  const holder = element("div", "加载中 Loading…");
  details.append(summary, holder);
  details.addEventListener("toggle", async () => {
    if (!details.open || details.dataset.loaded === query()) return;
    details.dataset.loaded = query();
    try {
      renderPage(holder, await (await api(`/api/reports/${encodeURIComponent(name)}?${query()}`)).json(), 0);
    } catch (error) {
      holder.textContent = error.message;
      delete details.dataset.loaded;
    }
  });
  return details;
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

// --- loading ------------------------------------------------------------------------------------

function showStatusError(error) {
  byId("status").textContent = error.message;
  byId("status").className = "error";
}

async function load() {
  const status = byId("status");
  status.textContent = "加载中 Loading…";
  status.className = "";
  try {
    const names = (await (await api("/api/reports")).json()).data;
    const q = query();
    const results = await Promise.all(
      HEADLINE_REPORTS.filter((name) => names.includes(name)).map(
        async (name) => (await api(`/api/reports/${encodeURIComponent(name)}?${q}`)).json(),
      ),
    );
    const data = Object.fromEntries(results.map((r) => [r.name, r]));
    period = { start: results[0].start, end: results[0].end };
    drawCards(data);
    drawSlaCharts(data);
    drawOtherCharts(data);
    byId("tables").replaceChildren(...names.map(foldedTable));
    status.textContent = "";
  } catch (error) {
    showStatusError(error);
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
