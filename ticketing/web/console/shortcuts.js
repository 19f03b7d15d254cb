// Keyboard shortcuts for the frequent moves; `?` lists them. None fires while typing in a field
// (except Escape, which leaves the field), and none uses a modifier key the browser needs.
"use strict";

import { byId, h } from "./dom.js";
import { t } from "./i18n.js";

export const SHORTCUTS = [
  ["j", "next"],
  ["k", "previous"],
  ["x", "select"],
  ["r", "reply"],
  ["n", "note"],
  ["e", "resolve"],
  ["Escape", "back"],
  ["?", "help"],
];

function typing(target) {
  return target instanceof HTMLElement && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

export function showHelp() {
  const dialog = byId("shortcuts");
  const rows = SHORTCUTS.map(([key, action]) => h("tr", {}, h("td", {}, h("kbd", {}, key === "Escape" ? "Esc" : key)), h("td", {}, t(`keys.${action}`))));
  dialog.replaceChildren(
    h("h2", {}, t("keys.title")),
    h("table", { class: "shortcuts", "data-testid": "shortcut-list" }, h("tbody", {}, ...rows)),
    h("form", { method: "dialog" }, h("button", { type: "submit", class: "primary" }, t("keys.close"))),
  );
  if (!dialog.open) dialog.showModal();
}

/** `actions`: a function per action name of SHORTCUTS (help is built in). */
export function installShortcuts(actions) {
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (byId("app").hidden || byId("shortcuts").open) return;
    if (typing(event.target)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    const found = SHORTCUTS.find(([key]) => key === event.key);
    if (!found) return;
    const action = found[1] === "help" ? showHelp : actions[found[1]];
    if (!action) return;
    event.preventDefault();
    action();
  });
}
