// Shared layer of the omnisolve pages: the API token, authenticated fetch, the job event
// stream, and formatting. Exposed as `window.omni`; the page scripts build on it.
"use strict";

(function () {
  const TOKEN_KEY = "omnisolve.token";
  const FINISHED = ["succeeded", "failed", "cancelled"];

  function token() {
    return localStorage.getItem(TOKEN_KEY) || "";
  }

  // The header field: shows the stored token, stores edits, tells the page to reload its data.
  function initTokenField(onChange) {
    const input = document.getElementById("token");
    input.value = token();
    const store = () => {
      localStorage.setItem(TOKEN_KEY, input.value.trim());
      notice("");
      onChange();
    };
    input.addEventListener("change", store);
    document.getElementById("token-form").addEventListener("submit", (event) => event.preventDefault());
  }

  function notice(text) {
    const box = document.getElementById("notice");
    box.textContent = text;
    box.hidden = !text;
  }

  // FastAPI's `detail` is a string, or a list of {loc, msg} for validation errors.
  function describe(detail) {
    if (Array.isArray(detail)) {
      return detail.map((d) => `${(d.loc || []).slice(1).join(".")}: ${d.msg}`).join("; ");
    }
    return typeof detail === "string" ? detail : JSON.stringify(detail);
  }

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  // fetch() with the token; resolves to the Response, rejects with an ApiError carrying the
  // server's `detail` on any non-2xx answer (401 gets a hint about the token field).
  async function request(path, options = {}) {
    const headers = Object.assign({ Authorization: `Bearer ${token()}` }, options.headers || {});
    const response = await fetch(path, Object.assign({}, options, { headers }));
    if (response.ok) return response;
    let detail = response.statusText;
    try {
      detail = describe((await response.json()).detail);
    } catch (_) {
      /* not JSON: keep the status text */
    }
    if (response.status === 401) {
      detail = `${detail || "unauthorized"} — paste a valid API token at the top right`;
    }
    throw new ApiError(response.status, detail);
  }

  async function api(path, options = {}) {
    const response = await request(path, options);
    return response.status === 204 ? null : response.json();
  }

  // Read a text/event-stream with fetch (EventSource cannot send the token header) and call
  // onEvent(name, data) per event until the stream ends or `signal` aborts it.
  async function streamEvents(path, onEvent, signal) {
    const response = await request(path, { signal, headers: { Accept: "text/event-stream" } });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value.replace(/\r\n/g, "\n");
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        dispatch(buffer.slice(0, cut), onEvent);
        buffer = buffer.slice(cut + 2);
      }
    }
  }

  function dispatch(block, onEvent) {
    let name = "message";
    const data = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("event:")) name = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).trim());
    }
    if (!data.length && name === "message") return; // comment or keep-alive
    let parsed = data.join("\n");
    try {
      parsed = JSON.parse(parsed);
    } catch (_) {
      /* plain text data */
    }
    onEvent(name, parsed);
  }

  function number(value) {
    if (value === null || value === undefined) return "–";
    if (Number.isInteger(value)) return String(value);
    return String(Number(value.toPrecision(10)));
  }

  function percent(value) {
    return value === null || value === undefined ? "–" : `${Number((100 * value).toPrecision(4))} %`;
  }

  function when(iso) {
    return iso ? new Date(iso).toLocaleString() : "–";
  }

  function badge(element, status) {
    element.textContent = status;
    element.className = `badge ${status}`;
    return element;
  }

  window.omni = {
    FINISHED, ApiError, api, request, streamEvents, initTokenField, notice, number, percent, when, badge,
  };
})();
