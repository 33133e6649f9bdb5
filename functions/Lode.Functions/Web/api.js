// Calls to the Lode API with the signed-in key, and errors turned into sentences a person can act on.

const KEY = "lode.apiKey";

export const session = {
  get key() { return sessionStorage.getItem(KEY); },
  signIn(key) { sessionStorage.setItem(KEY, key); },
  signOut() { sessionStorage.removeItem(KEY); },
};

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

const MESSAGES = {
  400: "The request was not accepted",
  401: "That API key was not accepted. Check it and sign in again.",
  403: "Your key is not allowed to do that. Ask an administrator.",
  404: "That was not found.",
  413: "That is too long to send.",
  429: "Too many requests right now. Wait a moment and try again.",
  503: "The service is unavailable at the moment. Try again in a minute.",
};

async function errorFrom(response) {
  let detail = "";
  try { detail = (await response.json())?.error?.message ?? ""; } catch { /* not JSON: the status says enough */ }
  const general = MESSAGES[response.status] ?? (response.status >= 500
    ? "Something went wrong on the server. Try again later."
    : `The request failed (${response.status}).`);
  // 400 and 413 explain what to change; for the rest the general sentence is what a person needs.
  const message = response.status === 400 && detail ? `${general}: ${detail}` : general;
  const retryAfter = response.headers.get("Retry-After");
  return new ApiError(response.status, retryAfter && response.status === 429
    ? `${message} (about ${retryAfter} s)` : message);
}

// "api/documents/docs/a%20b/c.pdf" for ("api/documents", "docs", "a b/c.pdf"): each part of the key escaped, its
// slashes kept, as the API's {bucket}/{*key} routes expect.
export const objectPath = (route, bucket, key) =>
  `${route}/${encodeURIComponent(bucket)}/${key.split("/").map(encodeURIComponent).join("/")}`;

export async function call(path, { method = "GET", body, accept = "application/json", signal } = {}) {
  let response;
  try {
    response = await fetch(path, {
      method,
      signal,
      headers: {
        Authorization: `Bearer ${session.key}`,
        Accept: accept,
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    if (e.name === "AbortError") throw e;
    throw new ApiError(0, "Cannot reach the server. Check your connection and try again.");
  }
  if (!response.ok) throw await errorFrom(response);
  return response;
}

export async function json(path, options) {
  const response = await call(path, options);
  return response.status === 204 ? null : response.json();
}

// Server-sent events from a fetch response: yields { event, data } with data parsed as JSON.
export async function* events(response) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (data.length) yield { event, data: JSON.parse(data.join("\n")) };
    }
  }
}
