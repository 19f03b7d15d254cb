// The agent console: queues, one ticket with its conversation, the customer panel, call-backs
// and notifications, kept current by the live stream. Every value from the API reaches the
// page through textContent (the `h` helper of dom.js), never as HTML: customer text cannot become
// markup, and the page's CSP forbids inline script besides.
"use strict";

import {
  api,
  ApiError,
  forgetToken,
  liveStream,
  signIn,
  signOutEverywhere,
  token,
  whenUnauthorized,
} from "./api.js";
import { watchAssistant } from "./health.js";
import { describeEvent } from "./history.js";
import { clearSelection, renderTags, selectCell, setBulkUser, setupBulk, syncSelection, toggleSelected } from "./bulk.js";
import { loadAssignmentView, setupAssignment } from "./assignment.js";
import { loadCannedView, setCannedUser, setupCanned } from "./canned.js";
import { loadDigests } from "./digests.js";
import { describeDrill, drillParams } from "./drilldown.js";
import { resetKnowledgeSearch, setupKnowledgeSearch } from "./kbsearch.js";
import { startViewing, stopViewing, typed } from "./collisions.js";
import { byId, h, toast } from "./dom.js";
import { setupPresence, startPresence, stopPresence, translatePresence } from "./presence.js";
import { label, language, locale, setLanguage, t, translatePage } from "./i18n.js";
import { installShortcuts, showHelp } from "./shortcuts.js";

const QUEUES = ["mine", "team", "unassigned", "breaching", "escalations"];

const state = {
  me: null,
  route: { view: "queue", queue: "mine" },
  queue: { rows: [], cursor: null },
  ticket: null, // the ticket shown, from /api/console/tickets/{number}
  transcriptLastId: 0,
  composerMode: "reply",
  stopStream: null,
  refreshTimer: null,
  pendingTickets: new Set(),
  flash: new Set(),
};

// --- small DOM helpers --------------------------------------------------------------------------

function showError(error) {
  if (error instanceof ApiError && error.status === 401) return;
  const detail = error instanceof ApiError && error.status === 0 ? t("networkError") : error.message;
  toast(t("error", { detail }), "error");
}

// --- times --------------------------------------------------------------------------------------

function formatTime(iso) {
  if (!iso) return "–";
  const when = new Date(iso);
  const today = new Date();
  const sameDay = when.toDateString() === today.toDateString();
  const options = sameDay
    ? { hour: "2-digit", minute: "2-digit" }
    : { month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" };
  return new Intl.DateTimeFormat(locale(), options).format(when);
}

function formatDate(iso) {
  if (!iso) return "–";
  return new Intl.DateTimeFormat(locale(), { year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(iso));
}

function span(ms) {
  const minutes = Math.max(1, Math.round(Math.abs(ms) / 60000));
  if (minutes < 60) return t("minutes", { n: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return t("hours", { h: hours, m: minutes % 60 });
  return t("days", { d: Math.floor(hours / 24), h: hours % 24 });
}

function relative(iso) {
  const ms = new Date(iso).getTime() - Date.now();
  return ms >= 0 ? t("dueIn", { t: span(ms) }) : t("overdueBy", { t: span(ms) });
}

// --- sign-in ------------------------------------------------------------------------------------

function showSignedIn(signedIn) {
  byId("login").hidden = signedIn;
  byId("app").hidden = !signedIn;
  byId("sign-out").hidden = !signedIn;
  byId("live").hidden = !signedIn;
  byId("presence").hidden = !signedIn;
  if (!signedIn) byId("whoami").textContent = "";
}

function signOut(expired = false) {
  if (state.stopStream) state.stopStream();
  state.stopStream = null;
  stopPresence(!expired);
  stopViewing();
  forgetToken();
  state.me = null;
  showSignedIn(false);
  byId("login-error").textContent = expired ? t("signInAgain") : "";
}

async function onSignIn(event) {
  event.preventDefault();
  const form = new FormData(event.target);
  const refused = await signIn(String(form.get("username")), String(form.get("password")));
  if (refused !== null) {
    byId("login-error").textContent = t(refused === 429 ? "tooManyAttempts" : "wrongPassword");
    return;
  }
  byId("login-error").textContent = "";
  event.target.reset();
  start();
}

async function start() {
  try {
    state.me = await api("/api/auth/me");
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) showError(error);
    return;
  }
  showSignedIn(true);
  setBulkUser(state.me);
  setCannedUser(state.me);
  startPresence(state.me);
  renderWhoami();
  const supervisor = state.me.role !== "agent";
  byId("nav-escalations").hidden = !supervisor;
  byId("nav-assignment").hidden = !supervisor;
  byId("nav-digests").hidden = state.me.role !== "supervisor";
  byId("nav-reports").hidden = !supervisor;
  byId("nav-settings").hidden = state.me.role !== "admin";
  byId("team-label").dataset.i18n = state.me.team_id ? "queue.team" : "queue.all";
  byId("team-label").textContent = t(byId("team-label").dataset.i18n);
  state.stopStream = liveStream(onLiveEvent, setLive);
  route();
}

function renderWhoami() {
  if (!state.me) return;
  byId("whoami").textContent = `${state.me.display_name} · ${label("role", state.me.role)}`;
}

function setLive(on) {
  byId("live").dataset.state = on ? "on" : "off";
  byId("live-text").textContent = on ? t("live") : t("liveOff");
}

// --- routing ------------------------------------------------------------------------------------

function parseRoute() {
  const raw = location.hash.replace(/^#\/?/, "");
  const mark = raw.indexOf("?");
  const path = mark < 0 ? raw : raw.slice(0, mark);
  // The dashboard's drill-down: every ticket the user may see, filtered as the figure counted.
  if (path === "tickets") return { view: "queue", queue: "all", drill: mark < 0 ? "" : raw.slice(mark + 1) };
  if (path === "digests") return { view: "digests" };
  const parts = path.split("/");
  if (parts[0] === "ticket" && parts[1]) return { view: "ticket", number: decodeURIComponent(parts[1]) };
  if (parts[0] === "callbacks") return { view: "callbacks" };
  if (parts[0] === "notifications") return { view: "notifications" };
  if (parts[0] === "canned") return { view: "canned" };
  if (parts[0] === "assignment") return { view: "assignment" };
  const queue = QUEUES.includes(parts[1]) ? parts[1] : "mine";
  return { view: "queue", queue };
}

function route() {
  if (!state.me) return;
  const next = parseRoute();
  const sameTicket = next.view === "ticket" && state.route.view === "ticket" && state.route.number === next.number;
  state.route = next;
  if (next.view !== "ticket") stopViewing();
  for (const view of ["queue", "ticket", "callbacks", "notifications", "canned", "assignment", "digests"]) {
    byId(`view-${view}`).hidden = view !== next.view;
  }
  const navKey = next.view === "queue" ? (next.queue === "all" ? "tickets" : `queue/${next.queue}`) : next.view;
  for (const link of document.querySelectorAll("#sidebar a")) {
    link.classList.toggle("active", link.dataset.nav === navKey);
    if (link.dataset.nav === navKey) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  loadCounts();
  if (next.view === "queue") {
    state.lastQueue = next.queue;
    state.lastQueueHash = next.queue === "all" ? location.hash : `#/queue/${next.queue}`;
    byId("search").value = "";
    byId("sort").value = "";
    loadQueue();
  } else if (next.view === "ticket") {
    if (!sameTicket) {
      state.ticket = null;
      state.transcriptLastId = 0;
      byId("transcript").replaceChildren();
      byId("t-message").hidden = true;
      byId("composer-text").value = "";
      resetKnowledgeSearch();
      setComposerMode("reply");
    }
    byId("back").href = state.lastQueueHash || "#/queue/mine";
    startViewing(next.number);
    loadTicket(next.number);
  } else if (next.view === "callbacks") {
    loadCallbacks();
  } else if (next.view === "canned") {
    loadCannedView();
  } else if (next.view === "assignment") {
    loadAssignmentView();
  } else if (next.view === "digests") {
    loadDigests(showError);
  } else {
    loadNotifications();
  }
}

// --- counts -------------------------------------------------------------------------------------

async function loadCounts() {
  try {
    const counts = await api("/api/console/queues");
    for (const node of document.querySelectorAll("[data-count]")) {
      const value = counts[node.dataset.count];
      node.textContent = value ? String(value) : "";
      node.hidden = !value;
    }
  } catch (error) {
    showError(error);
  }
}

// --- a queue ------------------------------------------------------------------------------------

function queueTitle(queue) {
  if (queue === "all") return t("queue.filtered");
  if (queue === "team" && state.me && !state.me.team_id) return t("queue.all");
  return t(`queue.${queue}`);
}

async function loadQueue({ more = false } = {}) {
  const queue = state.route.queue;
  byId("queue-title").textContent = queueTitle(queue);
  const params = new URLSearchParams({ queue });
  const drill = queue === "all" ? state.route.drill || "" : "";
  for (const [name, value] of drillParams(drill)) params.set(name, value);
  renderDrill(queue === "all" ? describeDrill(drill) : null);
  const q = byId("search").value.trim();
  if (q) params.set("q", q);
  if (byId("sort").value) params.set("sort", byId("sort").value);
  if (more && state.queue.cursor) params.set("cursor", state.queue.cursor);
  else params.set("limit", String(Math.max(50, state.queue.rows.length)));
  try {
    const page = await api(`/api/console/tickets?${params}`);
    if (state.route.view !== "queue" || state.route.queue !== queue) return;
    const known = new Set(state.queue.rows.map((r) => r.number));
    const fresh = state.queue.shownQueue === queue && !more;
    state.queue.rows = more ? state.queue.rows.concat(page.data) : page.data;
    state.queue.cursor = page.next_cursor;
    state.queue.shownQueue = queue;
    byId("queue-count").textContent = t(page.count === 1 ? "countOne" : "countOf", { n: page.count });
    renderQueue(fresh ? known : null);
  } catch (error) {
    showError(error);
  }
}

function renderDrill(words) {
  const box = byId("queue-filters");
  box.hidden = !words;
  if (!words) return;
  box.replaceChildren(
    ...words.map((word) => h("span", { class: "chip", "data-testid": "drill-chip" }, word)),
    h("a", { href: "#/queue/mine", class: "clear" }, t("drill.clear")),
  );
}

function slaCell(row) {
  const cell = h("td", { class: "sla-cell" });
  if (row.status === "pending" && row.sla_paused_at) {
    cell.append(h("span", { class: "chip paused" }, t("paused")));
    return cell;
  }
  const breached = Object.values(row.sla_breached).some(Boolean);
  if (breached) cell.append(h("span", { class: "chip breached" }, t("breached")), " ");
  else if (row.sla_at_risk) cell.append(h("span", { class: "chip at-risk" }, t("atRisk")), " ");
  if (row.next_deadline_at) {
    cell.append(
      h("span", { class: "due", dataset: { due: row.next_deadline_at }, title: formatTime(row.next_deadline_at) }, relative(row.next_deadline_at)),
    );
  } else if (!breached) {
    cell.append(h("span", { class: "muted" }, "–"));
  }
  return cell;
}

function renderQueue(previous) {
  const body = byId("queue-rows");
  const rows = state.queue.rows.map((row) => {
    const breached = Object.values(row.sla_breached).some(Boolean);
    const tr = h("tr", {
      class: [breached ? "breached" : row.sla_at_risk ? "at-risk" : "", previous && !previous.has(row.number) ? "new" : ""].join(" ").trim(),
      dataset: { number: row.number },
      "data-testid": "queue-row",
      tabindex: "0",
      onclick: (event) => {
        if (event.target.closest("button, input, td.select")) return;
        location.hash = `#/ticket/${row.number}`;
      },
      onkeydown: (event) => {
        if (event.key === "Enter") location.hash = `#/ticket/${row.number}`;
      },
    });
    const subject = h("td", { class: "subject" }, h("a", { href: `#/ticket/${row.number}` }, row.subject));
    if (row.last_customer_message && !row.subject.endsWith(row.last_customer_message)) {
      subject.append(h("div", { class: "preview muted" }, row.last_customer_message));
    }
    if (row.handed_off) subject.append(" ", h("span", { class: "chip handoff" }, t("handedOffTag")));
    const customer = h("td", { class: "customer" }, row.customer_name || "–");
    if (row.customer_tier && row.customer_tier !== "regular") {
      customer.append(" ", h("span", { class: `chip tier-${row.customer_tier}` }, label("tier", row.customer_tier)));
    }
    if (row.churn_risk) customer.append(" ", h("span", { class: "chip churn", title: t("churnRisk") }, "⚠"));
    const actions = h("td", { class: "row-actions" });
    if (!row.assignee && row.status !== "closed") {
      actions.append(h("button", { type: "button", class: "small", "data-testid": "row-claim", onclick: () => claim(row.number) }, t("claim")));
    }
    tr.append(
      selectCell(row),
      h("td", { class: "number" }, row.number),
      subject,
      customer,
      h("td", {}, h("span", { class: `chip priority-${row.priority}` }, label("priority", row.priority))),
      h("td", {}, h("span", { class: `chip status-${row.status}` }, label("status", row.status))),
      h("td", {}, row.assignee ? row.assignee.display_name : h("span", { class: "muted" }, t("unassigned"))),
      slaCell(row),
      actions,
    );
    return tr;
  });
  // A refresh redraws the rows: the keyboard's place (j/k) stays on the same ticket.
  const focused = document.activeElement && document.activeElement.closest("#queue-rows tr");
  body.replaceChildren(...rows);
  if (focused) {
    const again = rows.find((tr) => tr.dataset.number === focused.dataset.number);
    if (again) again.focus();
  }
  syncSelection(state.queue.rows);
  byId("queue-empty").hidden = rows.length > 0;
  byId("load-more").hidden = !state.queue.cursor;
}

// --- claiming -----------------------------------------------------------------------------------

async function claim(number) {
  try {
    const ticket = await api(`/api/tickets/${encodeURIComponent(number)}/claim`, { method: "POST" });
    if (ticket.handed_off && ticket.conversation_id) {
      // The customer sees who has joined before the first reply arrives.
      await api(`/api/console/tickets/${encodeURIComponent(number)}/join`, { method: "POST" }).catch(() => null);
    }
    toast(t("claimed", { number }), "ok");
    location.hash = `#/ticket/${number}`;
    if (state.route.view === "ticket") loadTicket(number);
  } catch (error) {
    if (error instanceof ApiError && error.status === 409) {
      // Say who has it, in the agent's language, from the ticket as it is now.
      const now = await api(`/api/console/tickets/${encodeURIComponent(number)}`).catch(() => null);
      const name = now && now.assignee ? now.assignee.display_name : "?";
      const text = now && now.assignee ? t("claimedBy", { number, name }) : t("conflict", { detail: error.detail });
      if (state.route.view === "ticket" && state.route.number === number) {
        showTicketMessage(text);
        if (now) renderTicket(now);
      } else {
        toast(text, "error");
        loadQueue();
      }
      loadCounts();
      return;
    }
    showError(error);
  }
}

// --- one ticket ---------------------------------------------------------------------------------

function showTicketMessage(text) {
  const node = byId("t-message");
  node.textContent = text;
  node.hidden = !text;
}

async function loadTicket(number) {
  try {
    const [ticket, customer] = await Promise.all([
      api(`/api/console/tickets/${encodeURIComponent(number)}`),
      api(`/api/console/tickets/${encodeURIComponent(number)}/customer`),
    ]);
    if (state.route.view !== "ticket" || state.route.number !== number) return;
    renderTicket(ticket);
    renderCustomer(customer);
    await loadTranscript(number);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      showTicketMessage(error.detail);
      return;
    }
    showError(error);
  }
}

async function loadTranscript(number) {
  const after = state.transcriptLastId ? `?after_id=${state.transcriptLastId}` : "";
  const transcript = await api(`/api/console/tickets/${encodeURIComponent(number)}/transcript${after}`);
  if (state.route.view !== "ticket" || state.route.number !== number) return;
  appendTranscript(transcript.data);
  renderConversationState(transcript.conversation);
}

function renderConversationState(conversation) {
  const node = byId("conv-state");
  if (!conversation) {
    node.textContent = label("channel", state.ticket ? state.ticket.channel : null);
    node.dataset.state = "none";
    return;
  }
  node.dataset.state = conversation.state;
  node.textContent = `${label("channel", conversation.channel)} · ${label("conversation", conversation.state, { name: conversation.agent_name || "" })}`;
}

function appendTranscript(messages) {
  const list = byId("transcript");
  const ticket = state.ticket;
  if (!list.children.length && ticket && !ticket.conversation_id && ticket.description) {
    // Phone, e-mail and API tickets: what the customer reported opens the thread.
    list.append(
      h(
        "li",
        { class: "msg msg-description", "data-testid": "description" },
        h("div", { class: "meta" }, h("span", { class: "who" }, t("description")), h("time", {}, formatTime(ticket.created_at))),
        h("div", { class: "body" }, ticket.description),
      ),
    );
  }
  const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  for (const message of messages) {
    if (message.id <= state.transcriptLastId) continue;
    state.transcriptLastId = message.id;
    const who =
      message.kind === "agent" || message.kind === "note"
        ? message.author_name || label("message", message.kind)
        : message.kind === "customer"
          ? (state.ticket && state.ticket.customer_name) || label("message", "customer")
          : label("message", "bot");
    const meta = h(
      "div",
      { class: "meta" },
      h("span", { class: "who" }, who),
      message.kind === "note" ? h("span", { class: "chip note" }, t("internalNote")) : null,
      h("time", { datetime: message.created_at }, formatTime(message.created_at)),
    );
    const item = h(
      "li",
      { class: `msg msg-${message.kind}`, dataset: { id: String(message.id), kind: message.kind }, "data-testid": "message" },
      meta,
      h("div", { class: "body", "data-testid": "message-body" }, message.body),
    );
    if (message.buttons && message.buttons.length) {
      item.append(h("div", { class: "buttons" }, message.buttons.map((title) => h("span", { class: "chip" }, title))));
    }
    list.append(item);
  }
  if (!list.children.length) list.append(h("li", { class: "muted empty-thread" }, t("noMessages")));
  else if (messages.length) list.querySelector(".empty-thread")?.remove();
  if (nearBottom || messages.length) list.scrollTop = list.scrollHeight;
}

function badge(kind, value, extra = "") {
  return h("span", { class: `chip ${kind}-${value} ${extra}`.trim() }, label(kind, value));
}

function renderTicket(ticket) {
  state.ticket = ticket;
  const me = state.me;
  byId("t-number").textContent = ticket.number;
  byId("t-subject").textContent = ticket.subject;
  const badges = [
    badge("status", ticket.status),
    badge("priority", ticket.priority),
    badge("severity", ticket.severity),
    badge("category", ticket.category),
    ticket.handed_off ? h("span", { class: "chip handoff" }, t("handedOffTag")) : null,
    h("span", { class: "muted" }, `${t("assignee")}: `, ticket.assignee ? ticket.assignee.display_name : t("unassigned")),
  ];
  byId("t-badges").replaceChildren(...badges.filter(Boolean));
  renderActions(ticket);
  renderSla(ticket);
  renderFacts(ticket);
  renderTags(ticket, () => loadTicket(ticket.number));
  renderHistory(ticket.events);
  renderConversationState(ticket.conversation);
  const mayReply = ticket.assignee ? ticket.assignee.id === me.id || me.role !== "agent" : me.role !== "agent";
  state.mayReply = mayReply && ticket.status !== "closed";
  setComposerMode(state.composerMode);
}

function actionButton(text, onClick, { kind = "", testid } = {}) {
  return h("button", { type: "button", class: kind, "data-testid": testid, onclick: onClick }, text);
}

function renderActions(ticket) {
  const actions = [];
  if (ticket.can_claim) actions.push(actionButton(t("claim"), () => claim(ticket.number), { kind: "primary", testid: "claim" }));
  for (const status of ticket.allowed_status) {
    // A new ticket opens when claimed or answered: no separate button for that.
    if (status === "open" && ticket.status === "new") continue;
    if (status === "open") {
      const reopening = ticket.status === "resolved" || ticket.status === "closed";
      actions.push(
        actionButton(reopening ? t("reopen") : t("resume"), () => changeStatus(ticket.number, "open", reopening), {
          testid: reopening ? "reopen" : "status-open",
        }),
      );
    } else {
      actions.push(actionButton(t(`to.${status}`), () => changeStatus(ticket.number, status), { testid: `status-${status}` }));
    }
  }
  if (ticket.can_hand_back) actions.push(actionButton(t("handBack"), () => handBack(ticket.number), { testid: "hand-back" }));
  byId("t-actions").replaceChildren(...actions);
}

function renderSla(ticket) {
  const list = byId("sla");
  if (!ticket.sla_clocks.length) {
    list.replaceChildren(h("li", { class: "muted" }, t("slaNone")));
    return;
  }
  const paused = Boolean(ticket.sla_paused_at);
  list.replaceChildren(
    ...ticket.sla_clocks.map((clock) => {
      let stateText;
      let cls;
      if (clock.met_at) {
        stateText = `${t("met")} ${formatTime(clock.met_at)}`;
        cls = clock.breached ? "breached" : "met";
      } else if (clock.breached) {
        stateText = t("breached");
        cls = "breached";
      } else if (paused) {
        stateText = t("paused");
        cls = "paused";
      } else if (clock.at_risk) {
        stateText = t("atRisk");
        cls = "at-risk";
      } else {
        stateText = "";
        cls = "running";
      }
      const due = clock.due_at && !clock.met_at
        ? h("span", { class: "due", dataset: { due: clock.due_at } }, paused ? "" : relative(clock.due_at))
        : null;
      return h(
        "li",
        { class: `clock ${cls}`, "data-testid": `sla-${clock.metric}` },
        h("span", { class: "metric" }, label("metric", clock.metric)),
        h("span", { class: "when" }, clock.due_at ? formatTime(clock.due_at) : ""),
        h("span", { class: "state" }, stateText, due && stateText ? " · " : "", due),
        clock.warn_at && !clock.met_at && !clock.breached
          ? h("span", { class: "warn-at muted" }, t("warnAt", { t: formatTime(clock.warn_at) }))
          : null,
      );
    }),
  );
}

function renderFacts(ticket) {
  const facts = [
    [t("team"), ticket.team ? ticket.team.name : "–"],
    [t("channel"), label("channel", ticket.channel)],
    [t("created"), formatTime(ticket.created_at)],
    [t("order"), ticket.order_number || "–"],
  ];
  if (ticket.triage_confidence !== null && ticket.triage_confidence !== undefined) {
    // How sure triage was of the category, and where the ticket may belong instead.
    facts.push([t("triageConfidence"), `${Math.round(ticket.triage_confidence * 100)}%`]);
    if (ticket.triage_runner_up) facts.push([t("runnerUp"), label("category", ticket.triage_runner_up)]);
  }
  if (ticket.secondary_categories && ticket.secondary_categories.length) {
    facts.push([t("secondaryCategories"), ticket.secondary_categories.map((c) => label("category", c)).join(", ")]);
  }
  byId("t-facts").replaceChildren(...facts.flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
}

function renderHistory(events) {
  const actor = (event) =>
    event.actor_name ||
    (event.actor_kind === "bot" ? t("actorBot") : event.actor_kind === "customer" ? t("actorCustomer") : t("actorSystem"));
  byId("history").replaceChildren(
    ...events
      .slice()
      .reverse()
      .map((event) =>
        h(
          "li",
          {},
          h("time", { datetime: event.created_at }, formatTime(event.created_at)),
          h("span", { class: "what" }, label("event", event.kind)),
          h("span", { class: "detail" }, describeEvent(event)),
          h("span", { class: "actor muted" }, actor(event)),
        ),
      ),
  );
}

function renderCustomer(customer) {
  const root = byId("customer");
  if (!customer) {
    root.replaceChildren(h("p", { class: "muted" }, t("noCustomer")));
    return;
  }
  const stat = (term, value, extra) => h("div", { class: `stat ${extra || ""}` }, h("div", { class: "value" }, value), h("div", { class: "term" }, term));
  const churn = customer.churn_risk
    ? h(
        "div",
        { class: "churn-box", "data-testid": "churn-risk" },
        h("strong", {}, `⚠ ${t("churnRisk")}`),
        h("ul", {}, customer.churn_reasons.map((reason) => h("li", {}, label("churn", reason)))),
        customer.churn_flagged_at ? h("div", { class: "flagged" }, t("flaggedOn", { date: formatDate(customer.churn_flagged_at) })) : null,
      )
    : h("div", { class: "muted ok-text" }, t("churnNone"));
  const nps = customer.nps === null ? "–" : String(customer.nps);
  const current = state.route.number;
  root.replaceChildren(
    h("div", { class: "customer-name" }, h("strong", { "data-testid": "customer-name" }, customer.name), " ", badge("tier", customer.tier, "tier")),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, t("lifecycle")),
      h("dd", {}, label("lifecycle", customer.lifecycle)),
      h("dt", {}, t("language")),
      h("dd", {}, customer.language === "en" ? "English" : "中文"),
      h("dt", {}, t("channels")),
      h("dd", {}, customer.channels.map((c) => label("identity", c)).join(", ") || "–"),
      h("dt", {}, t("since")),
      h("dd", {}, formatDate(customer.created_at)),
    ),
    churn,
    h(
      "div",
      { class: "stats" },
      stat(t("ticketsCount"), String(customer.tickets_count)),
      stat(t("complaints30d"), String(customer.complaints_30d), customer.complaints_30d >= 2 ? "bad" : ""),
      stat(t("csatAvg"), customer.csat_average === null ? "–" : String(customer.csat_average), customer.csat_average !== null && customer.csat_average <= 2 ? "bad" : ""),
      stat(t("nps"), nps, customer.nps !== null && customer.nps < 0 ? "bad" : ""),
    ),
    h("h3", {}, t("surveys")),
    customer.surveys.length
      ? h(
          "ul",
          { class: "surveys", "data-testid": "surveys" },
          customer.surveys.map((s) =>
            h(
              "li",
              {},
              h("span", { class: s.csat !== null && s.csat <= 2 ? "score bad" : "score" }, s.csat === null ? "CSAT –" : `CSAT ${s.csat}/5`),
              h("span", { class: s.nps !== null && s.nps <= 6 ? "score bad" : "score" }, s.nps === null ? "NPS –" : `NPS ${s.nps}/10`),
              h("a", { href: `#/ticket/${s.ticket}` }, s.ticket),
              h("span", { class: "muted" }, formatDate(s.created_at)),
              s.comment ? h("div", { class: "comment" }, s.comment) : null,
            ),
          ),
        )
      : h("p", { class: "muted" }, t("noSurveys")),
    h("h3", {}, t("pastTickets")),
    customer.tickets.length
      ? h(
          "ul",
          { class: "past", "data-testid": "past-tickets" },
          customer.tickets.map((p) =>
            h(
              "li",
              { class: p.number === current ? "current" : "" },
              h("a", { href: `#/ticket/${p.number}` }, p.number),
              " ",
              badge("status", p.status),
              " ",
              h("span", { class: "past-subject" }, p.subject),
              h("span", { class: "muted" }, ` ${formatDate(p.created_at)}${p.number === current ? ` (${t("thisTicket")})` : ""}`),
            ),
          ),
        )
      : h("p", { class: "muted" }, t("noPastTickets")),
  );
}

// --- acting on a ticket -------------------------------------------------------------------------

function setComposerMode(mode) {
  state.composerMode = mode;
  const composer = byId("composer");
  composer.dataset.mode = mode;
  for (const button of composer.querySelectorAll(".modes button")) {
    const on = button.dataset.mode === mode;
    button.classList.toggle("active", on);
    button.setAttribute("aria-selected", on ? "true" : "false");
  }
  const text = byId("composer-text");
  const send = byId("composer-send");
  const ticket = state.ticket;
  const blocked = mode === "reply" && ticket && !state.mayReply;
  text.placeholder = mode === "reply" ? t("replyPlaceholder") : t("notePlaceholder");
  send.textContent = mode === "reply" ? t("send") : t("addNote");
  text.disabled = Boolean(blocked);
  send.disabled = Boolean(blocked);
  let hint = "";
  if (blocked) {
    if (ticket.status === "closed") hint = label("status", "closed");
    else if (ticket.assignee) hint = t("handledBy", { name: ticket.assignee.display_name });
    else hint = t("claimToReply");
  }
  else if (mode === "reply" && ticket && !ticket.conversation) hint = t("noChannel");
  byId("composer-hint").textContent = hint;
}

async function submitComposer(event) {
  event.preventDefault();
  const ticket = state.ticket;
  const text = byId("composer-text");
  const body = text.value.trim();
  if (!ticket || !body) return;
  const path = state.composerMode === "reply" ? "replies" : "notes";
  byId("composer-send").disabled = true;
  try {
    const url = `/api/tickets/${encodeURIComponent(ticket.number)}/${path}`;
    if (path === "replies") {
      try {
        await api(url, { method: "POST", body: { body, seen_message_id: state.transcriptLastId } });
      } catch (error) {
        // A colleague answered since this transcript was drawn: ask before sending a second reply.
        if (!(error instanceof ApiError && error.status === 409 && window.confirm(t("collision.confirm", { detail: error.detail })))) throw error;
        await api(url, { method: "POST", body: { body, send_anyway: true } });
      }
    } else {
      await api(url, { method: "POST", body: { body } });
    }
    text.value = "";
    toast(state.composerMode === "reply" ? t("replySent") : t("noteAdded"), "ok");
    await loadTicket(ticket.number);
  } catch (error) {
    showError(error);
  } finally {
    setComposerMode(state.composerMode);
  }
}

async function changeStatus(number, status, reopening = false) {
  try {
    if (reopening) await api(`/api/tickets/${encodeURIComponent(number)}/reopen`, { method: "POST" });
    else await api(`/api/tickets/${encodeURIComponent(number)}/status`, { method: "POST", body: { status } });
    toast(t("statusChanged", { number, status: label("status", status) }), "ok");
    showTicketMessage("");
    await loadTicket(number);
    loadCounts();
  } catch (error) {
    if (error instanceof ApiError && error.status === 409) {
      showTicketMessage(t("conflict", { detail: error.detail }));
      loadTicket(number);
      return;
    }
    showError(error);
  }
}

async function handBack(number) {
  try {
    await api(`/api/console/tickets/${encodeURIComponent(number)}/hand-back`, { method: "POST" });
    toast(t("handedBack"), "ok");
    await loadTicket(number);
    // The bot takes over once the gateway has resumed it: look again shortly.
    setTimeout(() => state.route.number === number && loadTicket(number), 2000);
  } catch (error) {
    showError(error);
  }
}

// --- call-backs ---------------------------------------------------------------------------------

async function loadCallbacks() {
  const status = byId("callback-status").value;
  try {
    const result = await api(`/api/callbacks?status=${encodeURIComponent(status)}`);
    if (state.route.view !== "callbacks") return;
    byId("callback-list").replaceChildren(...result.data.map(renderCallback));
    byId("callback-empty").hidden = result.data.length > 0;
  } catch (error) {
    showError(error);
  }
}

function renderCallback(task) {
  const overdue = !task.completed_at && new Date(task.due_at).getTime() < Date.now();
  const card = h(
    "article",
    { class: `card callback${overdue ? " overdue" : ""}`, "data-testid": "callback", dataset: { id: String(task.id) } },
    h(
      "header",
      {},
      h("strong", {}, task.customer_name || "–"),
      " ",
      h("span", { class: "chip" }, label("reason", task.reason)),
      task.ticket ? h("a", { href: `#/ticket/${task.ticket}` }, task.ticket) : null,
    ),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, t("phone")),
      h("dd", { class: "phone" }, task.phone ? h("a", { href: `tel:${task.phone}` }, task.phone) : h("span", { class: "muted" }, t("noPhone"))),
      h("dt", {}, t("due")),
      h("dd", { class: overdue ? "bad" : "" }, `${formatTime(task.due_at)} · ${relative(task.due_at)}`),
    ),
    task.summary ? h("div", { class: "block" }, h("h3", {}, t("summary")), h("p", { class: "pre" }, task.summary)) : null,
    task.script ? h("div", { class: "block script" }, h("h3", {}, t("script")), h("p", { class: "pre" }, task.script)) : null,
  );
  if (task.completed_at) {
    card.append(
      h("p", { class: "done" }, `${label("outcome", task.outcome)} · ${formatTime(task.completed_at)}`, task.outcome_note ? ` · ${task.outcome_note}` : ""),
    );
    return card;
  }
  const outcome = h(
    "select",
    { name: "outcome", required: true },
    ["reached", "no_answer", "wrong_number", "declined"].map((value) => h("option", { value }, label("outcome", value))),
  );
  const csat = h("select", { name: "csat" }, h("option", { value: "" }, "–"), [1, 2, 3, 4, 5].map((n) => h("option", { value: String(n) }, String(n))));
  const nps = h("select", { name: "nps" }, h("option", { value: "" }, "–"), [...Array(11).keys()].map((n) => h("option", { value: String(n) }, String(n))));
  const note = h("input", { name: "note", maxlength: "2000" });
  const form = h(
    "form",
    { class: "outcome-form", "data-testid": "callback-form" },
    h("label", {}, t("outcome"), outcome),
    h("label", {}, t("csat"), csat),
    h("label", {}, t("npsScore"), nps),
    h("label", { class: "wide" }, t("outcomeNote"), note),
    h("button", { type: "submit", class: "primary" }, t("saveOutcome")),
  );
  const scores = () => {
    const reached = outcome.value === "reached";
    csat.disabled = !reached;
    nps.disabled = !reached;
  };
  outcome.addEventListener("change", scores);
  scores();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { outcome: outcome.value, note: note.value.trim() };
    if (outcome.value === "reached") {
      if (csat.value) body.csat = Number(csat.value);
      if (nps.value) body.nps = Number(nps.value);
    }
    try {
      await api(`/api/callbacks/${task.id}/outcome`, { method: "POST", body });
      toast(t("outcomeSaved"), "ok");
      loadCallbacks();
      loadCounts();
    } catch (error) {
      showError(error);
    }
  });
  card.append(form);
  return card;
}

// --- notifications ------------------------------------------------------------------------------

function notificationText(n) {
  const data = n.data || {};
  const number = data.ticket_number || (n.ticket_id ? `T-${String(n.ticket_id).padStart(6, "0")}` : "");
  return t(`notify.${n.kind}`, {
    number,
    metric: data.metric ? label("metric", data.metric) : "",
    due: data.due_at ? formatTime(data.due_at) : "",
    csat: data.csat ?? "–",
    nps: data.nps ?? "–",
  });
}

async function loadNotifications() {
  try {
    const result = await api("/api/notifications?limit=100");
    if (state.route.view !== "notifications") return;
    state.notifications = result.data;
    byId("notification-list").replaceChildren(
      ...result.data.map((n) => {
        const number = n.data && n.data.ticket_number;
        return h(
          "li",
          { class: `notification kind-${n.kind}${n.read_at ? " read" : ""}`, "data-testid": "notification" },
          h("span", { class: `chip kind-${n.kind}` }, label("notification", n.kind)),
          h("span", { class: "text" }, notificationText(n)),
          h("time", { datetime: n.created_at }, formatTime(n.created_at)),
          number ? h("a", { href: `#/ticket/${number}`, onclick: () => markRead([n.id]) }, t("open")) : null,
          n.read_at ? null : h("button", { type: "button", class: "small ghost", onclick: () => markRead([n.id]) }, t("markRead")),
        );
      }),
    );
    byId("notification-empty").hidden = result.data.length > 0;
  } catch (error) {
    showError(error);
  }
}

async function markRead(ids) {
  if (!ids.length) return;
  try {
    await api("/api/notifications/read", { method: "POST", body: { ids } });
    loadCounts();
    if (state.route.view === "notifications") loadNotifications();
  } catch (error) {
    showError(error);
  }
}

// --- live updates -------------------------------------------------------------------------------

function onLiveEvent(name, data) {
  if (name === "end") {
    signOut(true);
    return;
  }
  if (name === "ready") {
    if (!state.streamReady) {
      state.streamReady = true;
      scheduleRefresh(); // anything that happened between loading the page and the stream
    }
    return;
  }
  if (name === "ticket") state.pendingTickets.add(data.ticket);
  if (name === "notification") {
    toast(notificationText({ kind: data.kind, data: { ticket_number: data.ticket, ...data.data } }), data.kind === "sla_warning" ? "warn" : "error");
  }
  if (name === "callback") toast(t("newCallback"), "info");
  scheduleRefresh(name);
}

function scheduleRefresh() {
  if (state.refreshTimer) return;
  state.refreshTimer = setTimeout(refreshNow, 250);
}

function refreshNow() {
  state.refreshTimer = null;
  const tickets = state.pendingTickets;
  state.pendingTickets = new Set();
  loadCounts();
  const view = state.route.view;
  if (view === "queue") loadQueue();
  else if (view === "ticket" && (tickets.has(state.route.number) || !tickets.size)) loadTicket(state.route.number);
  else if (view === "callbacks") loadCallbacks();
  else if (view === "notifications") loadNotifications();
}

// --- keyboard shortcuts (shortcuts.js lists them on `?`) -----------------------------------------

function moveTicket(step) {
  const rows = state.queue.rows;
  if (state.route.view === "ticket") {
    const index = rows.findIndex((row) => row.number === state.route.number);
    const next = index < 0 ? rows[0] : rows[index + step];
    if (next) location.hash = `#/ticket/${next.number}`;
    return;
  }
  if (state.route.view !== "queue") return;
  const trs = [...document.querySelectorAll("#queue-rows tr")];
  const index = trs.indexOf(document.activeElement ? document.activeElement.closest("tr") : null);
  const target = trs[Math.min(trs.length - 1, Math.max(0, index + step))];
  if (target) target.focus();
}

function focusComposer(mode) {
  if (state.route.view !== "ticket") return;
  setComposerMode(mode);
  byId("composer-text").focus();
}

function resolveShown() {
  const ticket = state.ticket;
  if (state.route.view === "ticket" && ticket && ticket.allowed_status.includes("resolved")) {
    changeStatus(ticket.number, "resolved");
  }
}

function selectFocused() {
  const row = document.activeElement ? document.activeElement.closest("#queue-rows tr") : null;
  if (row) toggleSelected(row.dataset.number);
}

function backToQueue() {
  if (state.route.view === "ticket") byId("back").click();
  else clearSelection();
}

// Relative due times ("due in 12 min") move on without a reload.
function tick() {
  for (const node of document.querySelectorAll("[data-due]")) {
    if (node.textContent) node.textContent = relative(node.dataset.due);
  }
}

// --- start-up -----------------------------------------------------------------------------------

function applyLanguage() {
  translatePage();
  translatePresence();
  byId("lang-toggle").textContent = language() === "zh" ? "English" : "中文";
  byId("lang-toggle").setAttribute("aria-label", language() === "zh" ? "Switch to English" : "切换到中文");
  renderWhoami();
  if (byId("live").dataset.state) setLive(byId("live").dataset.state === "on");
  if (state.me) {
    const teamLabel = byId("team-label");
    teamLabel.textContent = t(teamLabel.dataset.i18n);
    route();
  }
}

document.addEventListener("DOMContentLoaded", () => {
  whenUnauthorized(() => signOut(true));
  byId("login-form").addEventListener("submit", onSignIn);
  byId("sign-out").addEventListener("click", async () => {
    await signOutEverywhere();
    signOut(false);
  });
  byId("lang-toggle").addEventListener("click", () => {
    setLanguage(language() === "zh" ? "en" : "zh");
    applyLanguage();
  });
  byId("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    state.queue.rows = [];
    loadQueue();
  });
  byId("sort").addEventListener("change", () => {
    state.queue.rows = [];
    loadQueue();
  });
  byId("load-more").addEventListener("click", () => loadQueue({ more: true }));
  byId("callback-status").addEventListener("change", loadCallbacks);
  byId("read-all").addEventListener("click", () => markRead((state.notifications || []).filter((n) => !n.read_at).map((n) => n.id)));
  byId("composer").addEventListener("submit", submitComposer);
  byId("composer-text").addEventListener("input", typed);
  byId("composer-text").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) byId("composer").requestSubmit();
  });
  for (const button of document.querySelectorAll("#composer .modes button")) {
    button.addEventListener("click", () => setComposerMode(button.dataset.mode));
  }
  setupBulk({ me: null, reload: () => loadQueue(), showError });
  byId("keys-help").addEventListener("click", showHelp);
  setupPresence(showError);
  setupAssignment({ showError });
  setupCanned({ ticketNumber: () => (state.route.view === "ticket" ? state.route.number : null), showError });
  setupKnowledgeSearch({ ticket: () => state.ticket, showError });
  installShortcuts({
    next: () => moveTicket(1),
    previous: () => moveTicket(-1),
    select: selectFocused,
    reply: () => focusComposer("reply"),
    note: () => focusComposer("note"),
    resolve: resolveShown,
    back: backToQueue,
  });
  window.addEventListener("hashchange", route);
  setInterval(tick, 30000);
  watchAssistant(byId("assistant-offline"));
  applyLanguage();
  if (token()) start();
  else showSignedIn(false);
});
