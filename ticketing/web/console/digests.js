// A supervisor's weekly digests (written by the worker every Monday 09:00 in their time zone):
// the headline figures of each week, and the whole digest as an HTML file in the console's
// language. Values reach the page as text (dom.js `h`), never as HTML.
"use strict";

import { api, token } from "./api.js";
import { byId, h } from "./dom.js";
import { addStrings, label, language, t } from "./i18n.js";

addStrings({
  zh: {
    "digest.title": "每周摘要",
    "digest.dashboard": "主管报表",
    "digest.about": "每周一 09:00（团队日历时区）自动生成，汇总上一周。",
    "digest.none": "还没有周报。第一份将在下周一 09:00 生成。",
    "digest.week": "{start} 至 {end}",
    "digest.breaches": "超时",
    "digest.slaMet": "{metric}达成",
    "digest.csat": "CSAT 平均",
    "digest.nps": "NPS",
    "digest.contained": "机器人分流",
    "digest.churn": "流失预警客户",
    "digest.download": "下载 HTML",
  },
  en: {
    "digest.title": "Weekly digest",
    "digest.dashboard": "Supervisor reports",
    "digest.about": "Written every Monday 09:00 (your team calendar's time zone) for the week before.",
    "digest.none": "No digest yet. The first comes next Monday at 09:00.",
    "digest.week": "{start} to {end}",
    "digest.breaches": "Breaches",
    "digest.slaMet": "{metric} met",
    "digest.csat": "CSAT average",
    "digest.nps": "NPS",
    "digest.contained": "Bot contained",
    "digest.churn": "Churn-risk customers",
    "digest.download": "Download HTML",
  },
});

function rowsOf(table) {
  if (!table) return [];
  return table.rows.map((row) => Object.fromEntries(table.columns.map((c, i) => [c, row[i]])));
}

function localDay(iso, zone, shiftDays = 0) {
  const at = new Date(new Date(iso).getTime() + shiftDays * 86400000);
  return new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(at);
}

function figure(value, text) {
  return h("div", { class: "figure" }, h("div", { class: "value" }, value === null || value === undefined ? "–" : String(value)), h("div", { class: "muted" }, text));
}

async function download(digest) {
  const lang = language();
  const response = await fetch(`/api/digests/${digest.id}.html?lang=${lang}`, {
    headers: { Authorization: "Bearer " + token() },
  });
  if (!response.ok) throw new Error("HTTP " + response.status);
  const url = URL.createObjectURL(await response.blob());
  const link = h("a", { href: url, download: `kefu-digest-${digest.week_start.replaceAll("-", "")}-${lang}.html` });
  link.click();
  URL.revokeObjectURL(url);
}

function renderDigest(digest, showError) {
  const f = digest.figures;
  const sla = rowsOf(f.sla);
  const [csat] = rowsOf(f.satisfaction);
  const [bot] = rowsOf(f.bot);
  const pct = (v) => (v === null || v === undefined ? "–" : `${v}%`);
  const week = t("digest.week", {
    start: localDay(digest.period_start, digest.timezone),
    end: localDay(digest.period_end, digest.timezone, -1),
  });
  const figures = [
    figure(sla.reduce((n, r) => n + r.breached, 0), t("digest.breaches")),
    ...sla.map((r) => figure(pct(r.pct_met), t("digest.slaMet", { metric: label("metric", r.metric) }))),
    figure(csat ? csat.csat_avg : null, t("digest.csat")),
    figure(csat ? csat.nps : null, t("digest.nps")),
    figure(pct(bot && bot.pct_contained), t("digest.contained")),
    figure(rowsOf(f.churn_risk).length, t("digest.churn")),
  ];
  const button = h("button", { type: "button", class: "ghost", "data-testid": "digest-download" }, t("digest.download"));
  button.addEventListener("click", () => download(digest).catch(showError));
  return h(
    "article",
    { class: "digest card", "data-testid": "digest" },
    h("h2", {}, week, " ", h("span", { class: "muted" }, digest.timezone)),
    h("div", { class: "figures" }, figures),
    button,
  );
}

export async function loadDigests(showError) {
  try {
    const body = await api("/api/digests");
    byId("digests").replaceChildren(...body.data.map((d) => renderDigest(d, showError)));
    byId("digests-empty").hidden = body.data.length > 0;
  } catch (error) {
    showError(error);
  }
}
