// Whether the assistant answers customers: when the Rasa or action server is down, the console
// says so, since every chat then comes straight to the agents. Reads /readyz (no sign-in).
"use strict";

const EVERY_MS = 15000;

async function assistantOffline() {
  try {
    const response = await fetch("/readyz", { cache: "no-store" });
    const body = await response.json();
    return body.assistant === "offline";
  } catch (_error) {
    return false; // the web process itself is away: the console shows its own errors then
  }
}

/** Show `banner` (its text comes from its data-i18n key) while the assistant is offline. */
export function watchAssistant(banner) {
  const check = async () => {
    banner.hidden = !(await assistantOffline());
  };
  check();
  setInterval(check, EVERY_MS);
}
