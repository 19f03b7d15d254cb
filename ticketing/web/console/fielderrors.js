// A 422 shown where it belongs, for every form of the settings page: each refusal beside the
// input its `loc` names, in the page's language, the input marked aria-invalid and the first one
// focused. Nothing typed is touched. Messages are set as text (textContent), never HTML.
//
// A form marks where refusals go with `<span class="field-error" data-field="...">` inside the
// input's label. `data-field` is a dotted path: "name", "periods.2", "overrides". A `loc` such as
// ["body", "periods.2"], ["body", "periods", "2", 2, 1] or ["body", "overrides", "2026-10-10"]
// goes to the longest `data-field` it starts with. A 409 that names its field (a name taken:
// `{"detail": "...", "loc": ["body", "name"]}`) is placed the same way.
//
// A change made by a single control outside any form (a table row's role select, its password
// input, its deactivate button) shows its refusal with showControlError, marked the same way.
"use strict";

export const FIELD_ERROR_STRINGS = {
  zh: {
    fixFields: "请修改标出的字段",
    notATime: "{value} 不是有效的时间（00:00 至 24:00）",
    timeFormat: "时间应写成 09:00 这样，而不是 {value}",
    midnightStart: "24:00 只能作为时段的结束；从午夜开始的时段请写 00:00",
    endsBeforeStart: "时段 {period} 结束早于开始；跨午夜的时段请在 00:00 处拆成两段",
    overlap: "时段 {first} 与 {second} 重叠",
    holidayAndOverride: "{day} 既是节假日又是调休上班日，请从其中一处删除",
    overrideNeedsPeriod: "{day} 的调休上班日至少需要一个时段（没有时段的日子是节假日）",
    notADate: "{value} 不是日期，应写成 2026-10-01 这样",
    unknownZone: "未知的时区 {value}，应写成 Asia/Shanghai 这样",
    moreThan: "必须大于 {n}",
    atMost: "不能超过 {n}",
    wholeNumber: "请填写整数",
    calendarTaken: "已有名为 {name} 的日历，请换一个名称",
    teamTaken: "已有名为 {name} 的团队，请换一个名称",
    userTaken: "用户名 {name} 已被使用",
    policyTaken: "{priority} / {tier} 的 SLA 策略已存在（编号 {id}），请编辑那一条",
    lastAdmin: "{user} 是最后一位在用的管理员，不能降级或停用",
    passwordShort: "密码至少需要 {n} 个字符",
    passwordLong: "密码不能超过 {n} 个字符",
    passwordGuessable: "密码太容易被猜到，请用更长、更少见的词组",
  },
  en: {
    fixFields: "Fix the marked fields",
    notATime: "{value} is not a time of day (00:00 to 24:00)",
    timeFormat: "write times like 09:00, not {value}",
    midnightStart: "24:00 can only end a period; a period from midnight starts at 00:00",
    endsBeforeStart: "period {period} ends before it starts; split a period crossing midnight at 00:00",
    overlap: "periods {first} and {second} overlap",
    holidayAndOverride: "{day} is both a holiday and a working-day override: remove it from one of them",
    overrideNeedsPeriod: "the working-day override on {day} needs at least one period (a day without any is a holiday)",
    notADate: "{value} is not a date; write dates like 2026-10-01",
    unknownZone: "unknown time zone {value}; write it like Asia/Shanghai",
    moreThan: "must be more than {n}",
    atMost: "must be at most {n}",
    wholeNumber: "must be a whole number",
    calendarTaken: "a calendar named {name} exists already; choose another name",
    teamTaken: "team {name} exists already; choose another name",
    userTaken: "user {name} exists already",
    policyTaken: "the {priority} / {tier} policy exists already (id {id}): edit that one",
    lastAdmin: "{user} is the last active admin: they cannot be demoted or deactivated",
    passwordShort: "password must have at least {n} characters",
    passwordLong: "password must have at most {n} characters",
    passwordGuessable: "password is too easy to guess{hint}",
  },
};

// The API's messages (English) this page says in its own words; any other is shown as sent.
const RULES = [
  [/'([^']*)' is not a time of day/, "notATime", (m) => ({ value: m[1] })],
  [/a time must look like '09:00'.*got '([^']*)'/, "timeFormat", (m) => ({ value: m[1] })],
  [/24:00 can only end a period/, "midnightStart", () => ({})],
  [/period (\S+) ends before it starts/, "endsBeforeStart", (m) => ({ period: m[1] })],
  [/periods (\S+) and (\S+) overlap/, "overlap", (m) => ({ first: m[1], second: m[2] })],
  [/(\d{4}-\d{2}-\d{2}) is both a holiday and a working-day override/, "holidayAndOverride", (m) => ({ day: m[1] })],
  [/override on (\d{4}-\d{2}-\d{2}) needs at least one period/, "overrideNeedsPeriod", (m) => ({ day: m[1] })],
  [/must be an ISO date like '2026-10-01', got '([^']*)'/, "notADate", (m) => ({ value: m[1] })],
  [/'([^']*)' is not a date/, "notADate", (m) => ({ value: m[1] })],
  [/unknown time zone '([^']*)'/, "unknownZone", (m) => ({ value: m[1] })],
  [/should be greater than (-?\d+)/, "moreThan", (m) => ({ n: m[1] })],
  [/should be less than or equal to (-?\d+)/, "atMost", (m) => ({ n: m[1] })],
  [/should be a valid integer/, "wholeNumber", () => ({})],
  [/^a calendar named (.+) exists already/, "calendarTaken", (m) => ({ name: m[1] })],
  [/^team (.+) exists already/, "teamTaken", (m) => ({ name: m[1] })],
  [/^user (.+) exists already/, "userTaken", (m) => ({ name: m[1] })],
  [/^the (\S+) \/ (\S+) policy exists already \(id (\d+)\)/, "policyTaken", (m) => ({ priority: m[1], tier: m[2], id: m[3] })],
  [/^(.+) is the last active admin/, "lastAdmin", (m) => ({ user: m[1] })],
  [/^password must have at least (\d+) characters/, "passwordShort", (m) => ({ n: m[1] })],
  [/^password must have at most (\d+) characters/, "passwordLong", (m) => ({ n: m[1] })],
  [/^password is too easy to guess(?:: (.*))?/, "passwordGuessable", (m) => ({ hint: m[1] ? `: ${m[1]}` : "" })],
];

/** One refusal's message in the page's language (`s` is the page's translator). */
export function fieldMessage(detail, s) {
  const msg = String(detail.msg ?? "");
  for (const [pattern, key, params] of RULES) {
    const match = msg.match(pattern);
    if (match) return s(key, params(match));
  }
  return msg;
}

/** The path a `loc` names inside the body: ["body", "periods.2", 0] → ["periods", "2", "0"]. */
export function fieldPath(loc) {
  const parts = Array.isArray(loc) ? loc : [];
  const inside = ["body", "query", "path"].includes(parts[0]) ? parts.slice(1) : parts;
  return inside.flatMap((part) => String(part).split(".")).filter((part) => part !== "");
}

function errorNodes(form) {
  return new Map([...form.querySelectorAll(".field-error[data-field]")].map((node) => [node.dataset.field, node]));
}

function placeOf(nodes, loc) {
  const path = fieldPath(loc);
  for (let length = path.length; length > 0; length--) {
    const node = nodes.get(path.slice(0, length).join("."));
    if (node) return node;
  }
  return null;
}

const controlOf = (node) => node.closest("label")?.querySelector("input, select, textarea") ?? null;

/** Empty every refusal in `form` and unmark its inputs. */
export function clearFieldErrors(form) {
  for (const node of form.querySelectorAll(".field-error[data-field]")) {
    const control = controlOf(node);
    if (control) clearControlError(node, control);
    else node.textContent = "";
  }
}

/** The refusals of `error` as field details: a 422's list, or a 409 naming its field (`loc`). */
export function refusalsOf(error) {
  if (error.fields && error.fields.length) return error.fields;
  const body = error.body;
  if (body && typeof body.detail === "string" && Array.isArray(body.loc) && body.loc.length) {
    return [{ loc: body.loc, msg: body.detail }];
  }
  return [];
}

/** Unmark one control and empty its refusal `node` (see showControlError). */
export function clearControlError(node, control) {
  node.textContent = "";
  control.removeAttribute("aria-invalid");
  if (node.id && control.getAttribute("aria-describedby") === node.id) control.removeAttribute("aria-describedby");
}

let controlErrors = 0; // ids for the refusals of single controls

/**
 * A refusal of a change made by one control (a table row's select, button or input): its
 * message, in the page's language where known, in `node` (as text), the control marked
 * aria-invalid, described by `node` and focused. Whatever field the API names, it is this
 * control's refusal; a refusal naming no field is shown as sent.
 */
export function showControlError(node, control, error, s) {
  const details = refusalsOf(error);
  const texts = details.length ? details.map((detail) => fieldMessage(detail, s)) : [String(error.message ?? "")];
  node.textContent = [...new Set(texts)].join("; ");
  if (!node.id) node.id = `control-error-${++controlErrors}`;
  control.setAttribute("aria-invalid", "true");
  control.setAttribute("aria-describedby", node.id);
  control.focus();
}

/**
 * Show a refused change's 422 beside the inputs of `form` it names; the first such input gets
 * the focus. Answers `{ shown, others }`: how many fields were marked, and the messages that
 * name no field of this form (for the page message).
 */
export function showFieldErrors(form, error, s) {
  clearFieldErrors(form);
  const nodes = errorNodes(form);
  const placed = new Map(); // error node → its messages
  const others = [];
  for (const detail of refusalsOf(error)) {
    const node = placeOf(nodes, detail.loc);
    const text = fieldMessage(detail, s);
    if (node) placed.set(node, [...(placed.get(node) || []), text]);
    else others.push(text);
  }
  let first = null;
  for (const [node, texts] of placed) {
    node.textContent = [...new Set(texts)].join("; ");
    const control = controlOf(node);
    if (!control) continue;
    if (!node.id) node.id = `${form.id || "form"}-error-${node.dataset.field.replace(/[^\w-]/g, "_")}`;
    control.setAttribute("aria-invalid", "true");
    control.setAttribute("aria-describedby", node.id);
    // The first in the page's order, whatever order the API listed them in.
    if (!first || first.compareDocumentPosition(control) & Node.DOCUMENT_POSITION_PRECEDING) first = control;
  }
  if (first) first.focus();
  return { shown: placed.size, others };
}
