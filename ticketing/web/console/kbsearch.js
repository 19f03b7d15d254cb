// Searching the knowledge base while replying: the "Knowledge" button under the reply box opens
// a search over the published articles (ranked by the retrieval the bot uses); a click puts the
// article's answer in the ticket's language into the reply box. Answers are text, never HTML.
"use strict";

import { api } from "./api.js";
import { byId, h } from "./dom.js";
import { t } from "./i18n.js";

let ctx = { ticket: () => null, showError: () => {} };
let timer = null;

function panel() {
  return byId("kb-panel");
}

/** The answer in the ticket's language, else the one the article has. */
function answerFor(article) {
  const language = ctx.ticket()?.language === "en" ? "en" : "zh";
  const first = language === "en" ? article.answer_en : article.answer_zh;
  return first || article.answer_zh || article.answer_en;
}

function insert(article) {
  const box = byId("composer-text");
  const answer = answerFor(article);
  box.value = box.value.trim() ? `${box.value.trimEnd()}\n\n${answer}` : answer;
  box.dispatchEvent(new Event("input", { bubbles: true }));
  close();
  box.focus();
  box.setSelectionRange(box.value.length, box.value.length);
}

function draw(items) {
  const list = byId("kb-results");
  if (!items.length) {
    list.replaceChildren(h("li", { class: "muted" }, t("kb.none")));
    return;
  }
  list.replaceChildren(...items.slice(0, 8).map((article) =>
    h("li", { "data-testid": "kb-result" },
      h("button", { type: "button", class: "kb-pick", onclick: () => insert(article) },
        h("strong", {}, article.title),
        h("span", { class: "muted" }, answerFor(article))))));
}

async function search() {
  const q = byId("kb-q").value.trim();
  const query = new URLSearchParams({ status: "published" });
  if (q) query.set("q", q);
  try {
    const found = await api(`/api/knowledge?${query}`);
    if (byId("kb-q").value.trim() === q) draw(found.items);
  } catch (error) {
    ctx.showError(error);
  }
}

function open() {
  panel().hidden = false;
  byId("kb-open").setAttribute("aria-expanded", "true");
  const box = byId("composer-text");
  if (!byId("kb-q").value && box.value.trim()) byId("kb-q").value = box.value.trim().slice(0, 200);
  byId("kb-q").focus();
  search();
}

function close() {
  panel().hidden = true;
  byId("kb-open").setAttribute("aria-expanded", "false");
}

/** `context`: { ticket() (the ticket shown, or null), showError(error) }. */
export function setupKnowledgeSearch(context) {
  ctx = { ...ctx, ...context };
  byId("kb-open").addEventListener("click", () => (panel().hidden ? open() : close()));
  byId("kb-q").addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, 200);
  });
  byId("kb-q").addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      close();
      byId("composer-text").focus();
    } else if (event.key === "Enter") {
      event.preventDefault();
      clearTimeout(timer);
      search();
    }
  });
}

/** A new ticket on screen: the search starts empty. */
export function resetKnowledgeSearch() {
  close();
  byId("kb-q").value = "";
  byId("kb-results").replaceChildren();
}
