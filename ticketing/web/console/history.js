// One line of a ticket's history in words: what each event changed. Plain text only; the page
// puts it in through textContent like every other value.
"use strict";

import { label, t } from "./i18n.js";

const pairText = (key, pair) => (Array.isArray(pair) ? `${label(key, pair[0])} → ${label(key, pair[1])}` : "");

/** One `key: [old, new]` change. A team that stays the same was confirmed, not moved (a
 * supervisor choosing the team its route gave, so later category changes leave it there). */
function change(key, pair) {
  if (key === "team" && Array.isArray(pair) && pair[0] !== null && pair[0] === pair[1]) {
    return t("teamConfirmed", { team: pair[1] });
  }
  return `${t(key) || key}: ${pairText(key, pair)}`;
}

/** The team a ticket in no team joined with its assignee, after the rest of the line. */
const withTeam = (text, data) => (Array.isArray(data.team) ? [text, change("team", data.team)].filter(Boolean).join("; ") : text);

export function describeEvent(event) {
  const data = event.data || {};
  switch (event.kind) {
    case "status_changed":
      return pairText("status", data.status);
    case "priority_changed":
      return pairText("priority", data.priority);
    case "assigned":
      if (data.handed_off) return `${t("handedOffTag")}${data.reason ? ` (${label("handoff", data.reason)})` : ""}`;
      if (data.handed_back) return t("handBack");
      return withTeam(Array.isArray(data.assignee) ? `${data.assignee[0] || "–"} → ${data.assignee[1] || "–"}` : "", data);
    case "claimed":
      return withTeam(data.assignee || "", data);
    case "message":
      return label("message", data.message_kind);
    case "triaged":
      return Object.entries(data)
        .map(([key, pair]) => change(key, pair))
        .join("; ");
    case "sla":
      return [data.metric ? label("metric", data.metric) : "", data.kind || data.event || ""].filter(Boolean).join(" ");
    case "created":
      return [label("channel", data.channel), data.priority ? label("priority", data.priority) : ""].filter(Boolean).join(" · ");
    default:
      return "";
  }
}
