// Presence: the agent's status (online, away, offline) in the top bar, sent again every minute
// while the console is open (a console closed for a few minutes counts as offline), and for
// supervisors the list of who is on. Coming online may bring queued work by itself when the
// team auto-assigns; the live stream then shows it in "my tickets".
"use strict";

import { api } from "./api.js";
import { byId, h } from "./dom.js";
import { label, t } from "./i18n.js";

const KEY = "kefu.console.presence";
const BEAT_MS = 60000;
let timers = [];
let showError = () => {};

function chosen() {
  try {
    return localStorage.getItem(KEY) || "online";
  } catch (_error) {
    return "online";
  }
}

async function send(status) {
  try {
    await api("/api/presence", { method: "POST", body: { status } });
  } catch (error) {
    showError(error);
  }
}

let lastSeen = [];

function drawWhoIsOn() {
  const rows = lastSeen.map((p) =>
      h(
        "li",
        { class: `presence-${p.status}`, "data-testid": "presence-row", dataset: { status: p.status } },
        h("span", { class: "dot", "aria-hidden": "true" }),
        h("span", {}, p.display_name),
        h("span", { class: "muted" }, label("presence", p.status)),
      ),
  );
  byId("who-is-on").replaceChildren(...rows);
}

async function loadWhoIsOn() {
  try {
    lastSeen = (await api("/api/presence")).data;
    drawWhoIsOn();
  } catch (error) {
    showError(error);
  }
}

export function setupPresence(onError) {
  showError = onError;
  byId("presence").addEventListener("change", (event) => {
    try {
      localStorage.setItem(KEY, event.target.value);
    } catch (_error) {
      // private mode: the choice lasts for this page only
    }
    send(event.target.value);
  });
}

export function startPresence(me) {
  stopPresence();
  const select = byId("presence");
  for (const option of select.options) option.textContent = label("presence", option.value);
  select.value = chosen();
  send(select.value);
  timers.push(setInterval(() => send(select.value), BEAT_MS));
  const supervisor = me.role !== "agent";
  byId("who-is-on-panel").hidden = !supervisor;
  if (supervisor) {
    loadWhoIsOn();
    timers.push(setInterval(loadWhoIsOn, BEAT_MS));
  }
}

export function stopPresence(signingOut = false) {
  for (const timer of timers) clearInterval(timer);
  timers = [];
  if (signingOut) send("offline");
}

export function translatePresence() {
  for (const option of byId("presence").options) option.textContent = label("presence", option.value);
  byId("who-is-on-title").textContent = t("whoIsOn");
  drawWhoIsOn();
}
