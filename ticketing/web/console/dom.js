// Small DOM helpers shared by the console's modules. Values become text nodes, never HTML.
"use strict";

export const byId = (id) => document.getElementById(id);

/** An element with attributes and children; strings become text nodes, never HTML. */
export function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = String(value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function toast(text, kind = "info") {
  const box = byId("toasts");
  const node = h("div", { class: `toast ${kind}`, role: kind === "error" ? "alert" : "status", "data-testid": "toast" }, text);
  box.append(node);
  // Never more than three at once: they must not hide the panels under them.
  while (box.children.length > 3) box.firstChild.remove();
  setTimeout(() => node.remove(), kind === "ok" ? 2500 : kind === "error" ? 8000 : 6000);
}
