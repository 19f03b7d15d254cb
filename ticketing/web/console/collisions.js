// Collision warnings: while a ticket is open, the console tells the server every 10 s (and
// when the agent types) and shows who else has it open or is typing; a reply sent after a
// colleague's asks first (the server answers 409 naming them).
"use strict";

import { api } from "./api.js";
import { byId } from "./dom.js";
import { t } from "./i18n.js";

const BEAT_MS = 10000;
const TYPING_EVERY_MS = 4000;
let number = null;
let timer = null;
let lastTyping = 0;

function draw(viewers) {
  const line = byId("t-viewers");
  const typing = viewers.filter((v) => v.typing).map((v) => v.display_name);
  const watching = viewers.filter((v) => !v.typing).map((v) => v.display_name);
  const parts = [];
  if (typing.length) parts.push(t("collision.typing", { names: typing.join("、") }));
  if (watching.length) parts.push(t("collision.viewing", { names: watching.join("、") }));
  line.textContent = parts.join(" · ");
  line.hidden = parts.length === 0;
}

async function beat(typing = false) {
  if (!number) return;
  const shown = number;
  try {
    const page = await api(`/api/tickets/${encodeURIComponent(shown)}/viewing`, { method: "POST", body: { typing } });
    if (shown === number) draw(page.data);
  } catch (_error) {
    // A missed heartbeat only delays the warning; the next one comes in 10 s.
  }
}

export function startViewing(ticketNumber) {
  if (number === ticketNumber) return;
  stopViewing();
  number = ticketNumber;
  draw([]);
  beat();
  timer = setInterval(beat, BEAT_MS);
}

export function stopViewing() {
  if (timer) clearInterval(timer);
  timer = null;
  if (number) api(`/api/tickets/${encodeURIComponent(number)}/viewing`, { method: "DELETE" }).catch(() => {});
  number = null;
  draw([]);
}

export function typed() {
  const now = Date.now();
  if (now - lastTyping < TYPING_EVERY_MS) return;
  lastTyping = now;
  beat(true);
}
