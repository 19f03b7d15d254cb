// The knowledge-base tab of the settings page: articles the bot answers from (supervisors and
// admins write them, agents read the published ones) and, for supervisors, the questions the
// bot could not answer. Every value is shown as text (textContent, input values), never HTML.
"use strict";

import { clearFieldErrors } from "./fielderrors.js";

export const KB_STRINGS = {
  zh: {
    knowledge: "知识库", articles: "文章", search: "搜索文章", allStatuses: "全部状态", draft: "草稿",
    published: "已发布", category: "类别", newArticle: "新建文章", articleTitle: "标题",
    answerZh: "中文答案", answerEn: "英文答案", examplesZh: "中文示例问题（每行一个）",
    examplesEn: "英文示例问题（每行一个）", status: "状态", updated: "更新", noArticles: "没有文章",
    articleSaved: "文章已保存", articleDeleted: "文章已删除", confirmDelete: "删除这篇文章？",
    articleConflict: "其他人刚保存过这篇文章。您的内容仍在表单中；再次保存将覆盖他们的版本。",
    unanswered: "机器人未能回答的问题", question: "问题", language: "语言", count: "次数",
    examples: "示例", lastSeen: "最近", createArticle: "创建文章", dismiss: "忽略",
    noUnanswered: "暂无未回答的问题", draftOpened: "草稿已创建：请写答案后发布", dismissed: "已忽略",
    readOnly: "只读：主管和管理员可以编辑文章。",
  },
  en: {
    knowledge: "Knowledge base", articles: "Articles", search: "Search articles",
    allStatuses: "All statuses", draft: "Draft", published: "Published", category: "Category",
    newArticle: "New article", articleTitle: "Title", answerZh: "Answer (Chinese)",
    answerEn: "Answer (English)", examplesZh: "Example questions in Chinese (one a line)",
    examplesEn: "Example questions in English (one a line)", status: "Status", updated: "Updated",
    noArticles: "No articles", articleSaved: "Article saved", articleDeleted: "Article deleted",
    confirmDelete: "Delete this article?",
    articleConflict: "Someone else saved this article meanwhile. Your text is still in the form; saving again replaces their version.",
    unanswered: "Questions the bot could not answer", question: "Question", language: "Language",
    count: "Count", examples: "Examples", lastSeen: "Last seen", createArticle: "Create article",
    dismiss: "Dismiss", noUnanswered: "No unanswered questions", draftOpened: "Draft created: write the answer, then publish",
    dismissed: "Dismissed", readOnly: "Read only: supervisors and admins edit articles.",
  },
};

const lines = (text) => text.split("\n").map((x) => x.trim()).filter(Boolean);

/** The tab's loader; `ui` gives the page's helpers: el, s, send, say, refuse, byId, role(). */
export function setupKnowledge(ui) {
  const { el, s, send, say, byId } = ui;
  const state = { article: null, items: [] };
  const form = byId("article-form");
  const writer = () => ["supervisor", "admin"].includes(ui.role());

  const clearErrors = () => clearFieldErrors(form);

  /** A refusal: 422 messages next to the fields they name, anything else in the page message. */
  const showError = (error) => ui.refuse(form, error);

  function showArticle(article) {
    state.article = article;
    clearErrors();
    form.hidden = !article && !writer();
    form.elements.title.value = article ? article.title : "";
    form.elements.category.value = article ? article.category : "";
    form.elements.status.value = article ? article.status : "draft";
    form.elements.answer_zh.value = article ? article.answer_zh : "";
    form.elements.answer_en.value = article ? article.answer_en : "";
    form.elements.examples_zh.value = article ? article.examples_zh.join("\n") : "";
    form.elements.examples_en.value = article ? article.examples_en.join("\n") : "";
    byId("article-fields").disabled = !writer();
    byId("article-delete").hidden = !article || !writer();
    byId("article-save").hidden = !writer();
    for (const row of document.querySelectorAll("[data-testid=article-row]")) {
      row.classList.toggle("chosen", article !== null && row.dataset.id === String(article.id));
    }
  }

  function drawArticles() {
    const body = document.querySelector("[data-testid=articles] tbody");
    if (!state.items.length) {
      body.replaceChildren(el("tr", {}, el("td", { colSpan: 4, class: "muted" }, s("noArticles"))));
      return;
    }
    body.replaceChildren(...state.items.map((a) => {
      const row = el("tr", { class: "pick", "data-id": String(a.id), "data-testid": "article-row" },
        el("td", {}, a.title), el("td", {}, a.category), el("td", {}, s(a.status)),
        el("td", {}, new Date(a.updated_at).toLocaleDateString(ui.locale())));
      row.addEventListener("click", () => { say(""); showArticle(a); });
      return row;
    }));
  }

  async function loadArticles(keepId) {
    const filters = byId("article-filters").elements;
    const query = new URLSearchParams();
    if (filters.q.value.trim()) query.set("q", filters.q.value.trim());
    if (filters.status.value) query.set("status", filters.status.value);
    if (filters.category.value.trim()) query.set("category", filters.category.value.trim());
    state.items = (await send(`/api/knowledge?${query}`, "GET")).items;
    drawArticles();
    if (keepId !== undefined) showArticle(state.items.find((a) => a.id === keepId) || state.article);
    else if (!state.article) showArticle(null);
    // Filtering while editing leaves the form (and what is typed in it) alone.
    for (const row of document.querySelectorAll("[data-testid=article-row]")) {
      row.classList.toggle("chosen", state.article !== null && row.dataset.id === String(state.article.id));
    }
  }

  function drawUnanswered(groups) {
    const body = document.querySelector("[data-testid=unanswered] tbody");
    if (!groups.length) {
      body.replaceChildren(el("tr", {}, el("td", { colSpan: 5, class: "muted" }, s("noUnanswered"))));
      return;
    }
    body.replaceChildren(...groups.map((g) => {
      const create = el("button", { type: "button", "data-testid": "unanswered-create" }, s("createArticle"));
      const dismiss = el("button", { type: "button", class: "ghost", "data-testid": "unanswered-dismiss" }, s("dismiss"));
      create.addEventListener("click", () => act(async () => {
        const draft = await send(`/api/knowledge/unanswered/${g.id}/article`, "POST");
        await loadUnanswered();
        await loadArticles(draft.id);
        showArticle(draft);
        say(s("draftOpened"));
        form.elements.answer_zh.focus();
      }));
      dismiss.addEventListener("click", () => act(async () => {
        await send(`/api/knowledge/unanswered/${g.id}/dismiss`, "POST");
        await loadUnanswered();
        say(s("dismissed"));
      }));
      return el("tr", { "data-testid": "unanswered-row" }, el("td", {}, g.question),
        el("td", {}, g.language), el("td", {}, String(g.count)),
        el("td", { class: "muted" }, g.examples.join(" · ")),
        el("td", { class: "actions" }, create, dismiss));
    }));
  }

  async function loadUnanswered() {
    byId("unanswered-card").hidden = !writer();
    if (writer()) drawUnanswered((await send("/api/knowledge/unanswered", "GET")).groups);
  }

  async function act(action) {
    try {
      await action();
    } catch (error) {
      showError(error);
    }
  }

  function articleBody() {
    return {
      title: form.elements.title.value,
      category: form.elements.category.value.trim(),
      status: form.elements.status.value,
      answer_zh: form.elements.answer_zh.value,
      answer_en: form.elements.answer_en.value,
      examples_zh: lines(form.elements.examples_zh.value),
      examples_en: lines(form.elements.examples_en.value),
    };
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const current = state.article;
    try {
      const saved = current
        ? await send(`/api/knowledge/${current.id}`, "PATCH", { ...articleBody(), version: current.version })
        : await send("/api/knowledge", "POST", articleBody());
      state.article = saved;
      await loadArticles(saved.id);
      say(s("articleSaved"));
    } catch (error) {
      if (error.status !== 409 || !current) return showError(error);
      // Stale: keep what the user typed; take the newer version so the next save is deliberate.
      const latest = await send(`/api/knowledge/${current.id}`, "GET").catch(() => null);
      if (latest) state.article = latest;
      clearErrors();
      say(s("articleConflict"), "bad");
    }
  });

  byId("article-delete").addEventListener("click", () => act(async () => {
    if (!state.article || !window.confirm(s("confirmDelete"))) return;
    await send(`/api/knowledge/${state.article.id}`, "DELETE");
    state.article = null;
    await loadArticles();
    say(s("articleDeleted"));
  }));
  byId("article-new").addEventListener("click", () => { say(""); showArticle(null); form.elements.title.focus(); });
  byId("article-filters").addEventListener("submit", (event) => {
    event.preventDefault();
    act(() => loadArticles());
  });
  byId("article-filters").elements.status.addEventListener("change", () => act(() => loadArticles()));

  return async () => {
    byId("article-new").hidden = !writer();
    byId("article-readonly").hidden = writer();
    state.article = null;
    await loadArticles();
    await loadUnanswered();
  };
}
