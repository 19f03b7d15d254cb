// The tickets behind a dashboard figure: `#/tickets?breached=first_response&from=…&to=…` lists
// them in the queue view. The hash's short names become the API's drill-down filters
// (ticketing/api/drilldown.py); unknown names are left out, and the API checks every value.
"use strict";

import { addStrings, label, locale, t } from "./i18n.js";

// Hash name -> API parameter of /api/console/tickets.
const PARAMS = {
  breached: "sla_breached",
  met: "sla_met",
  sla: "sla",
  from: "created_from",
  to: "created_to",
  tier: "tier",
  rated: "rated",
  handed_off: "handed_off",
  open: "open",
  tag: "tag",
  team_id: "team_id",
  agent_id: "assignee_id",
  category: "category",
  severity: "severity",
  priority: "priority",
  channel: "channel",
};

addStrings({
  zh: {
    "queue.filtered": "筛选的工单",
    "drill.breached": "{metric}超时",
    "drill.met": "{metric}达成",
    "drill.sla": "有{metric}结论",
    "drill.from": "创建于 {at} 起",
    "drill.to": "创建于 {at} 前",
    "drill.rated": "已评价",
    "drill.handed_off": "机器人转人工",
    "drill.handed_off.false": "机器人直接建单",
    "drill.open": "未解决",
    "drill.tag": "标签：{value}",
    "drill.team_id": "团队 #{value}",
    "drill.agent_id": "坐席 #{value}",
    "drill.clear": "清除筛选",
  },
  en: {
    "queue.filtered": "Filtered tickets",
    "drill.breached": "{metric} breached",
    "drill.met": "{metric} met",
    "drill.sla": "{metric} decided",
    "drill.from": "created from {at}",
    "drill.to": "created before {at}",
    "drill.rated": "surveyed",
    "drill.handed_off": "handed off by the bot",
    "drill.handed_off.false": "filed by the bot alone",
    "drill.open": "unresolved",
    "drill.tag": "tag: {value}",
    "drill.team_id": "team #{value}",
    "drill.agent_id": "agent #{value}",
    "drill.clear": "Clear filters",
  },
});

/** The API's parameters for the hash's query (`breached=…&from=…`), known names only. */
export function drillParams(hashQuery) {
  const given = new URLSearchParams(hashQuery);
  const params = new URLSearchParams();
  for (const [name, value] of given) {
    if (PARAMS[name] && value !== "") params.set(PARAMS[name], value);
  }
  return params;
}

function when(iso) {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeStyle: "short" }).format(at);
}

/** Each filter of the hash's query, in words, for the chips above the list. */
export function describeDrill(hashQuery) {
  const words = [];
  for (const [name, value] of new URLSearchParams(hashQuery)) {
    if (!PARAMS[name]) continue;
    if (["breached", "met", "sla"].includes(name)) words.push(t(`drill.${name}`, { metric: label("metric", value) }));
    else if (name === "from" || name === "to") words.push(t(`drill.${name}`, { at: when(value) }));
    else if (name === "handed_off" && value === "false") words.push(t("drill.handed_off.false"));
    else if (["rated", "handed_off", "open"].includes(name)) words.push(t(`drill.${name}`));
    else if (name === "tag") words.push(t("drill.tag", { value }));
    else if (name === "team_id" || name === "agent_id") words.push(t(`drill.${name}`, { value }));
    else words.push(label(name, value));
  }
  return words;
}
