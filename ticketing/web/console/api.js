// Talking to the desk API: the bearer token (sessionStorage, as the reports page keeps it), JSON
// requests with readable errors, and the live stream read with fetch so the token travels in
// a header (EventSource cannot send one, and a token in a URL ends up in logs).
"use strict";

const TOKEN_KEY = "kefu.token";

export class ApiError extends Error {
  constructor(status, detail, body = null) {
    super(detail);
    this.status = status;
    this.detail = detail;
    this.body = body; // the parsed answer: a 422's detail names each refused field
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

let onUnauthorized = () => {};

/** What to do when the API says the token is no longer good (401). */
export function whenUnauthorized(callback) {
  onUnauthorized = callback;
}

function detailOf(body, status) {
  if (body && typeof body.detail === "string") return body.detail;
  if (body && Array.isArray(body.detail) && body.detail.length) {
    return body.detail.map((d) => d.msg).join("; ");
  }
  return "HTTP " + status;
}

/** Call the API; resolves to the parsed JSON body, rejects with an ApiError. */
export async function api(path, { method = "GET", body } = {}) {
  const headers = { Authorization: "Bearer " + token(), Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (_error) {
    throw new ApiError(0, "network");
  }
  const data = await response.json().catch(() => null);
  if (response.status === 401) {
    onUnauthorized();
    throw new ApiError(401, detailOf(data, 401));
  }
  if (!response.ok) throw new ApiError(response.status, detailOf(data, response.status), data);
  return data;
}

// The status of a failed sign-in (401 wrong password, 429 too many attempts), or null when in.
export async function signIn(username, password) {
  const response = await fetch("/api/auth/token", {
    method: "POST",
    body: new URLSearchParams({ username, password }),
  });
  if (!response.ok) return response.status;
  sessionStorage.setItem(TOKEN_KEY, (await response.json()).access_token);
  return null;
}

// Ends this token (and every other of this user) on the server; the caller forgets it.
export async function signOutEverywhere() {
  const current = token();
  if (!current) return;
  await fetch("/api/auth/logout", {
    method: "POST",
    headers: { Authorization: "Bearer " + current },
  }).catch(() => {});
}

/**
 * Follow /api/console/stream until `stop()`: each server-sent event goes to `onEvent(name,
 * data)`; `onState(true|false)` says whether the stream is connected. The server ends each
 * response after a while; the next one resumes from the last event id.
 */
export function liveStream(onEvent, onState) {
  let lastId = null;
  let stopped = false;
  let controller = null;
  let failures = 0;

  function dispatch(block) {
    let name = "message";
    const data = [];
    for (const line of block.split("\n")) {
      if (!line || line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") name = value;
      else if (field === "data") data.push(value);
      else if (field === "id") lastId = value;
    }
    if (!data.length) return;
    let parsed;
    try {
      parsed = JSON.parse(data.join("\n"));
    } catch (_error) {
      return;
    }
    onEvent(name, parsed);
  }

  async function connect() {
    controller = new AbortController();
    const headers = { Authorization: "Bearer " + token(), Accept: "text/event-stream" };
    if (lastId) headers["Last-Event-ID"] = lastId;
    const response = await fetch("/api/console/stream", { headers, signal: controller.signal });
    if (response.status === 401) {
      stopped = true;
      onUnauthorized();
      return;
    }
    if (!response.ok || !response.body) throw new Error("stream HTTP " + response.status);
    onState(true);
    failures = 0;
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) !== -1) {
        dispatch(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  }

  async function run() {
    while (!stopped) {
      try {
        await connect();
      } catch (_error) {
        if (stopped) return;
        failures += 1;
        onState(false);
      }
      if (stopped) return;
      // A normal end reconnects at once; failures back off up to 10 s.
      const wait = failures ? Math.min(10000, 500 * 2 ** failures) : 50;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  run();
  return function stop() {
    stopped = true;
    if (controller) controller.abort();
    onState(false);
  };
}
