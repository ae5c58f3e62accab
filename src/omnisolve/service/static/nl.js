// The /ui/nl page: send a problem in words to POST /nl and show the formulation, the model,
// the answer and the certificate side by side, then how the candidates agreed.
"use strict";

(function () {
  const { api, initTokenField, notice, number } = window.omni;
  const $ = (id) => document.getElementById(id);

  // A value as read: a number formatted, text as it is, a list of texts one per line, else JSON.
  function shown(value) {
    if (typeof value === "number") return number(value);
    if (typeof value === "string") return value;
    if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value.join("\n");
    return JSON.stringify(value, null, 1).replace(/\n\s*/g, " ");
  }

  function pairs(element, entries) {
    element.replaceChildren(...entries.flatMap(([key, value]) => {
      const dt = document.createElement("dt");
      const dd = document.createElement("dd");
      dt.textContent = key;
      dd.textContent = shown(value);
      return [dt, dd];
    }));
  }

  // JSON with one line per field and per variable or constraint, as omnisolve writes models.
  function compact(doc) {
    const lines = Object.entries(doc).map(([key, value]) => {
      const rows = Array.isArray(value) && value.length && typeof value[0] === "object";
      const text = rows ? `[\n${value.map((v) => `  ${JSON.stringify(v)}`).join(",\n")}\n ]` : JSON.stringify(value);
      return ` ${JSON.stringify(key)}: ${text}`;
    });
    return `{\n${lines.join(",\n")}\n}`;
  }

  function cell(text, className) {
    const td = document.createElement("td");
    td.textContent = text;
    if (className) td.className = className;
    return td;
  }

  function render(found) {
    const r = found.result;
    const cert = r.certificate || {};
    pairs($("formulation"), Object.entries(found.formulation));
    $("model").textContent = compact(found.model);
    $("status").textContent = r.status;
    $("objective").textContent = number(r.objective);
    pairs($("answer"), Object.entries(found.answer));
    $("verdict").textContent = cert.verdict || "–";
    $("verdict").className = cert.verdict ? `verdict ${cert.verdict}` : "";
    $("optimality").textContent = cert.optimality && cert.optimality !== "none" ? cert.optimality : "–";
    $("optimality").className = cert.optimality ? `optimality ${cert.optimality}` : "";
    $("violation").textContent = cert.verdict ? number(cert.max_violation) : "–";
    $("recomputed").textContent = number(cert.objective);
    $("evidence").textContent = cert.evidence || r.message || "";
    const n = found.candidates.length;
    $("agreement").textContent = n > 1 ? `${found.agreeing} of ${n} candidates agree on the chosen answer.` : "";
    $("candidates").replaceChildren(...found.candidates.map((c, k) => {
      const tr = document.createElement("tr");
      tr.append(cell(String(k + 1)), cell(c.status), cell(number(c.objective), "num"), cell(String(c.repairs), "num"),
        cell(k === found.chosen ? "chosen" : c.error));
      return tr;
    }));
    $("repairs").replaceChildren(...found.repairs.map((message) => {
      const li = document.createElement("li");
      li.textContent = message.split("\n")[0];
      return li;
    }));
    $("outcome").hidden = false;
  }

  async function solve(event) {
    event.preventDefault();
    $("nl-error").textContent = "";
    const text = $("text").value.trim();
    if (!text) {
      $("nl-error").textContent = "describe the problem first";
      return;
    }
    const button = $("solve");
    button.disabled = true;
    button.textContent = "Working…";
    try {
      const found = await api("/nl", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ text, samples: Number($("samples").value) }),
      });
      render(found);
    } catch (err) {
      $("nl-error").textContent = err.message;
    } finally {
      button.disabled = false;
      button.textContent = "Formulate and solve";
    }
  }

  $("nl-form").addEventListener("submit", solve);
  initTokenField(() => notice(""));
})();
