// The console's words in Chinese and English. The language comes from the browser unless the
// agent picked one (kept in localStorage); every string reaches the page as text, never HTML.
"use strict";

const LANG_KEY = "kefu.console.lang";

const STRINGS = {
  zh: {
    title: "坐席工作台",
    signInTitle: "登录坐席工作台",
    username: "用户名",
    password: "密码",
    signIn: "登录",
    signOut: "退出",
    wrongPassword: "用户名或密码错误",
    signInAgain: "登录已过期，请重新登录",
    queues: "工单队列",
    work: "待办",
    "queue.mine": "我的工单",
    "queue.team": "本组工单",
    "queue.all": "全部工单",
    "queue.unassigned": "未分配",
    "queue.breaching": "即将超时（1 小时内）",
    "queue.escalations": "升级队列",
    callbacks: "回访电话",
    notifications: "通知",
    searchPlaceholder: "搜索主题、订单号或 T-000123",
    sortBy: "排序",
    "sort.default": "默认",
    "sort.due": "最先到期",
    "sort.oldest": "最早创建",
    "sort.newest": "最新创建",
    "col.ticket": "工单",
    "col.subject": "主题",
    "col.customer": "客户",
    "col.priority": "优先级",
    "col.status": "状态",
    "col.assignee": "处理人",
    "col.sla": "SLA 到期",
    "col.actions": "操作",
    queueEmpty: "这个队列里没有工单。",
    loadMore: "加载更多",
    countOf: "共 {n} 张",
    countOne: "共 1 张",
    description: "问题描述",
    noMessages: "还没有消息",
    flaggedOn: "标记于 {date}",
    back: "← 返回队列",
    claim: "认领",
    claimed: "已认领 {number}",
    claimedBy: "{number} 已被 {name} 认领",
    transcript: "对话记录",
    modeReply: "回复客户",
    modeNote: "内部备注",
    send: "发送",
    addNote: "添加备注",
    sendHint: "Ctrl+Enter 发送",
    replyPlaceholder: "回复将发送到客户所在的渠道…",
    notePlaceholder: "内部备注只有坐席能看到，客户看不到…",
    claimToReply: "认领后才能回复客户",
    handledBy: "此工单由 {name} 处理",
    noChannel: "此工单没有在线会话：回复会记录在工单中",
    sla: "SLA 时效",
    slaNone: "此工单没有 SLA 计时",
    paused: "已暂停（等待客户）",
    met: "已达成",
    breached: "已超时",
    atRisk: "即将超时",
    dueIn: "{t} 后到期",
    overdueBy: "已超时 {t}",
    warnAt: "预警时间 {t}",
    customer: "客户信息",
    noCustomer: "此工单没有关联客户",
    history: "处理记录",
    tier: "会员等级",
    lifecycle: "生命周期",
    language: "语言",
    since: "客户自",
    channels: "联系渠道",
    churnRisk: "流失风险",
    churnNone: "无流失风险",
    pastTickets: "历史工单",
    ticketsCount: "工单数",
    complaints30d: "30 天内投诉",
    csatAvg: "CSAT 平均",
    nps: "NPS",
    surveys: "满意度评价",
    noSurveys: "还没有评价",
    noPastTickets: "没有其他工单",
    thisTicket: "当前",
    assignee: "处理人",
    team: "团队",
    channel: "渠道",
    category: "类别",
    severity: "严重度",
    created: "创建时间",
    order: "订单号",
    unassigned: "未分配",
    handBack: "交回机器人",
    handedBack: "已交回机器人，机器人恢复后会继续接待客户",
    reopen: "重新打开",
    resume: "继续处理",
    "to.pending": "挂起（等待客户）",
    "to.resolved": "标记已解决",
    "to.closed": "关闭工单",
    statusChanged: "{number} 状态：{status}",
    replySent: "回复已发送",
    noteAdded: "备注已添加",
    handedOffTag: "转人工",
    internalNote: "内部备注",
    live: "实时",
    liveOff: "重新连接中…",
    show: "显示",
    callbackOpen: "待回访",
    callbackDone: "已完成",
    callbacksEmpty: "没有回访电话任务。",
    phone: "电话",
    noPhone: "无电话号码",
    due: "到期",
    summary: "案件摘要",
    script: "话术",
    outcome: "结果",
    outcomeNote: "备注",
    csat: "满意度 CSAT (1-5)",
    npsScore: "推荐度 NPS (0-10)",
    saveOutcome: "记录结果",
    outcomeSaved: "已记录回访结果",
    scoresNeedReached: "只有联系上客户时才能记录评分",
    markAllRead: "全部标为已读",
    markRead: "标为已读",
    notificationsEmpty: "没有通知。",
    open: "打开",
    error: "出错了：{detail}",
    networkError: "网络错误，请重试",
    conflict: "操作冲突：{detail}",
    "ago.now": "刚刚",
    minutes: "{n} 分钟",
    hours: "{h} 小时 {m} 分",
    days: "{d} 天 {h} 小时",
    "notify.sla_warning": "SLA 预警：{number} {metric}将于 {due} 到期",
    "notify.sla_breach": "SLA 超时：{number} {metric}已于 {due} 超时",
    "notify.low_score": "低分评价：{number}（CSAT {csat}，NPS {nps}）",
    "notify.callback": "新的回访任务",
    newCallback: "新的回访电话任务",
    actorSystem: "系统",
    actorBot: "机器人",
    actorCustomer: "客户",
  },
  en: {
    title: "Agent console",
    signInTitle: "Sign in to the agent console",
    username: "Username",
    password: "Password",
    signIn: "Sign in",
    signOut: "Sign out",
    wrongPassword: "Wrong username or password",
    signInAgain: "Your session has expired; please sign in again",
    queues: "Queues",
    work: "To do",
    "queue.mine": "My tickets",
    "queue.team": "My team",
    "queue.all": "All tickets",
    "queue.unassigned": "Unassigned",
    "queue.breaching": "Breaching soon (1 h)",
    "queue.escalations": "Escalations",
    callbacks: "Call-backs",
    notifications: "Notifications",
    searchPlaceholder: "Search subject, order or T-000123",
    sortBy: "Sort",
    "sort.default": "Default",
    "sort.due": "Due first",
    "sort.oldest": "Oldest",
    "sort.newest": "Newest",
    "col.ticket": "Ticket",
    "col.subject": "Subject",
    "col.customer": "Customer",
    "col.priority": "Priority",
    "col.status": "Status",
    "col.assignee": "Assignee",
    "col.sla": "SLA due",
    "col.actions": "Actions",
    queueEmpty: "No tickets in this queue.",
    loadMore: "Load more",
    countOf: "{n} tickets",
    countOne: "1 ticket",
    description: "Description",
    noMessages: "No messages yet",
    flaggedOn: "flagged on {date}",
    back: "← Back to queue",
    claim: "Claim",
    claimed: "Claimed {number}",
    claimedBy: "{number} was already claimed by {name}",
    transcript: "Conversation",
    modeReply: "Reply to customer",
    modeNote: "Internal note",
    send: "Send",
    addNote: "Add note",
    sendHint: "Ctrl+Enter to send",
    replyPlaceholder: "Your reply goes to the customer's own channel…",
    notePlaceholder: "Internal notes are seen by agents only, never by the customer…",
    claimToReply: "Claim the ticket to reply to the customer",
    handledBy: "{name} is handling this ticket",
    noChannel: "No chat on this ticket: replies are kept on the ticket",
    sla: "SLA",
    slaNone: "No SLA clock on this ticket",
    paused: "Paused (waiting on customer)",
    met: "Met",
    breached: "Breached",
    atRisk: "At risk",
    dueIn: "due in {t}",
    overdueBy: "overdue by {t}",
    warnAt: "warning at {t}",
    customer: "Customer",
    noCustomer: "No customer on this ticket",
    history: "History",
    tier: "Tier",
    lifecycle: "Lifecycle",
    language: "Language",
    since: "Customer since",
    channels: "Channels",
    churnRisk: "Churn risk",
    churnNone: "No churn risk",
    pastTickets: "Past tickets",
    ticketsCount: "Tickets",
    complaints30d: "Complaints (30 d)",
    csatAvg: "CSAT avg",
    nps: "NPS",
    surveys: "Satisfaction scores",
    noSurveys: "No scores yet",
    noPastTickets: "No other tickets",
    thisTicket: "this",
    assignee: "Assignee",
    team: "Team",
    channel: "Channel",
    category: "Category",
    severity: "Severity",
    created: "Created",
    order: "Order",
    unassigned: "Unassigned",
    handBack: "Hand back to bot",
    handedBack: "Handed back: the bot takes over once it has resumed",
    reopen: "Reopen",
    resume: "Resume",
    "to.pending": "Pending (wait for customer)",
    "to.resolved": "Resolve",
    "to.closed": "Close",
    statusChanged: "{number} is now {status}",
    replySent: "Reply sent",
    noteAdded: "Note added",
    handedOffTag: "handed off",
    internalNote: "Internal note",
    live: "Live",
    liveOff: "Reconnecting…",
    show: "Show",
    callbackOpen: "To call",
    callbackDone: "Done",
    callbacksEmpty: "No call-backs to make.",
    phone: "Phone",
    noPhone: "no phone number",
    due: "Due",
    summary: "Case summary",
    script: "Script",
    outcome: "Outcome",
    outcomeNote: "Note",
    csat: "CSAT (1-5)",
    npsScore: "NPS (0-10)",
    saveOutcome: "Record outcome",
    outcomeSaved: "Call-back outcome recorded",
    scoresNeedReached: "Scores can only be recorded when the customer was reached",
    markAllRead: "Mark all read",
    markRead: "Mark read",
    notificationsEmpty: "No notifications.",
    open: "Open",
    error: "Error: {detail}",
    networkError: "Network error; please retry",
    conflict: "Conflict: {detail}",
    "ago.now": "just now",
    minutes: "{n} min",
    hours: "{h} h {m} min",
    days: "{d} d {h} h",
    "notify.sla_warning": "SLA warning: {number} {metric} due at {due}",
    "notify.sla_breach": "SLA breach: {number} {metric} was due at {due}",
    "notify.low_score": "Low score: {number} (CSAT {csat}, NPS {nps})",
    "notify.callback": "New call-back task",
    newCallback: "New call-back task",
    actorSystem: "System",
    actorBot: "Bot",
    actorCustomer: "Customer",
  },
};

// Labels of the API's enumerations, per language.
const LABELS = {
  zh: {
    status: { new: "新建", open: "处理中", pending: "待客户回复", resolved: "已解决", closed: "已关闭" },
    priority: { low: "低", normal: "普通", high: "高", urgent: "紧急" },
    category: {
      product_quality: "产品质量", service: "服务态度", delivery: "物流配送", price: "价格",
      contract: "合同", policy: "政策", other: "其他",
    },
    severity: { general: "一般", major: "重大" },
    channel: { web: "网页聊天", telegram: "Telegram", phone: "电话", email: "邮件", api: "API" },
    tier: { regular: "普通会员", silver: "银卡会员", gold: "金卡会员", key_account: "大客户" },
    lifecycle: { potential: "潜在客户", new: "新客户", mature: "成熟客户", declining: "衰退期", churned: "已流失" },
    churn: { complaints: "30 天内投诉 2 次以上", detractor: "NPS 贬损者（0-6 分）", key_account_breach: "大客户 SLA 超时" },
    metric: { first_response: "首次响应", next_response: "后续响应", resolution: "解决" },
    conversation: { bot: "机器人接待中", queued: "等待人工", agent: "人工接待：{name}" },
    message: { customer: "客户", bot: "机器人", agent: "坐席", note: "内部备注" },
    event: {
      created: "创建工单", triaged: "分类", status_changed: "状态变更", assigned: "分配",
      claimed: "认领", message: "消息", note: "内部备注", priority_changed: "优先级变更", sla: "SLA",
    },
    reason: { unreachable: "无法在线联系", no_answer: "问卷未回复", care_visit: "大客户关怀回访" },
    outcome: { reached: "已联系上", no_answer: "无人接听", wrong_number: "号码错误", declined: "客户拒绝" },
    notification: { sla_warning: "SLA 预警", sla_breach: "SLA 超时", low_score: "低分评价", callback: "回访任务" },
    identity: { web: "网页", telegram: "Telegram", phone: "电话", email: "邮件" },
    role: { agent: "坐席", supervisor: "主管", admin: "管理员" },
    handoff: { request: "客户要求", bot_unavailable: "机器人不可用", fallback: "机器人无法理解" },
  },
  en: {
    status: { new: "New", open: "Open", pending: "Pending", resolved: "Resolved", closed: "Closed" },
    priority: { low: "Low", normal: "Normal", high: "High", urgent: "Urgent" },
    category: {
      product_quality: "Product quality", service: "Service", delivery: "Delivery", price: "Price",
      contract: "Contract", policy: "Policy", other: "Other",
    },
    severity: { general: "General", major: "Major" },
    channel: { web: "Web chat", telegram: "Telegram", phone: "Phone", email: "Email", api: "API" },
    tier: { regular: "Regular", silver: "Silver", gold: "Gold", key_account: "Key account" },
    lifecycle: { potential: "Potential", new: "New", mature: "Mature", declining: "Declining", churned: "Churned" },
    churn: { complaints: "2+ complaints in 30 days", detractor: "NPS detractor (0-6)", key_account_breach: "SLA breach on a key account" },
    metric: { first_response: "First response", next_response: "Next response", resolution: "Resolution" },
    conversation: { bot: "Bot is answering", queued: "Waiting for an agent", agent: "Agent: {name}" },
    message: { customer: "Customer", bot: "Bot", agent: "Agent", note: "Internal note" },
    event: {
      created: "Created", triaged: "Triaged", status_changed: "Status", assigned: "Assigned",
      claimed: "Claimed", message: "Message", note: "Internal note", priority_changed: "Priority", sla: "SLA",
    },
    reason: { unreachable: "Not reachable online", no_answer: "Survey unanswered", care_visit: "Key-account care visit" },
    outcome: { reached: "Reached", no_answer: "No answer", wrong_number: "Wrong number", declined: "Declined" },
    notification: { sla_warning: "SLA warning", sla_breach: "SLA breach", low_score: "Low score", callback: "Call-back" },
    identity: { web: "Web", telegram: "Telegram", phone: "Phone", email: "Email" },
    role: { agent: "Agent", supervisor: "Supervisor", admin: "Admin" },
    handoff: { request: "customer asked", bot_unavailable: "bot unavailable", fallback: "bot did not understand" },
  },
};

function browserLanguage() {
  const wanted = (navigator.languages && navigator.languages[0]) || navigator.language || "zh";
  return /^zh/i.test(wanted) ? "zh" : "en";
}

function stored() {
  try {
    const value = localStorage.getItem(LANG_KEY);
    return value === "zh" || value === "en" ? value : null;
  } catch (_error) {
    return null;
  }
}

let lang = stored() || browserLanguage();

export function language() {
  return lang;
}

export function setLanguage(value) {
  lang = value === "en" ? "en" : "zh";
  try {
    localStorage.setItem(LANG_KEY, lang);
  } catch (_error) {
    // Private mode: the choice lasts for this page only.
  }
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
}

function fill(text, params) {
  return text.replace(/\{(\w+)\}/g, (whole, key) =>
    params && params[key] !== undefined && params[key] !== null ? String(params[key]) : whole,
  );
}

/** The string `key` in the current language, with {placeholders} filled from `params`. */
export function t(key, params) {
  const text = STRINGS[lang][key] ?? STRINGS.zh[key] ?? key;
  return fill(text, params);
}

/** The label of an API value (`label("status", "open")`), or the value itself if unknown. */
export function label(kind, value, params) {
  if (value === null || value === undefined) return "–";
  const text = (LABELS[lang][kind] || {})[value];
  return text === undefined ? String(value) : fill(text, params);
}

/** Set every [data-i18n] element's text and [data-i18n-placeholder] placeholder. */
export function translatePage(root = document) {
  for (const node of root.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of root.querySelectorAll("[data-i18n-placeholder]")) {
    node.placeholder = t(node.dataset.i18nPlaceholder);
  }
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
}

export function locale() {
  return lang === "zh" ? "zh-CN" : "en-GB";
}
