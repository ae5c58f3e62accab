// The /ui page: submit a problem (uploaded or pasted) and watch the job list.
"use strict";

(function () {
  const { api, initTokenField, notice, number, when, badge } = window.omni;
  const REFRESH_MS = 2000;
  const form = document.getElementById("submit-form");
  const errorBox = document.getElementById("submit-error");

  async function loadSolvers() {
    const select = document.getElementById("solver");
    try {
      const solvers = await api("/ui/solvers");
      for (const s of solvers) {
        const option = new Option(s.available ? s.name : `${s.name} (not installed)`, s.name);
        option.disabled = !s.available;
        option.title = s.description || "";
        select.add(option);
      }
    } catch (err) {
      errorBox.textContent = `Could not list the solvers: ${err.message}`;
    }
  }

  // A chosen file goes as multipart; pasted text as JSON with its file name.
  function requestBody() {
    const file = document.getElementById("file").files[0];
    const threads = document.getElementById("threads").value.trim();
    const options = {
      solver: document.getElementById("solver").value,
      time_limit: Number(document.getElementById("time_limit").value),
      cross_check: document.getElementById("cross_check").value,
    };
    if (threads) options.threads = Number(threads); // left empty: the server's share of its cores
    if (file) {
      const body = new FormData();
      body.append("file", file);
      for (const [key, value] of Object.entries(options)) body.append(key, String(value));
      return { body };
    }
    const content = document.getElementById("content").value;
    const filename = document.getElementById("filename").value.trim();
    if (!content.trim()) throw new Error("choose a file or paste the problem text");
    if (!filename) throw new Error("give the pasted text a file name, e.g. ft06.txt, so its format is known");
    return {
      body: JSON.stringify(Object.assign({ content, filename }, options)),
      headers: { "Content-Type": "application/json" },
    };
  }

  async function submit(event) {
    event.preventDefault();
    errorBox.textContent = "";
    const button = document.getElementById("submit");
    button.disabled = true;
    try {
      const job = await api("/jobs", Object.assign({ method: "POST" }, requestBody()));
      window.location.href = `/ui/jobs/${encodeURIComponent(job.id)}`;
    } catch (err) {
      errorBox.textContent = err.message;
      button.disabled = false;
    }
  }

  function row(job) {
    const tr = document.createElement("tr");
    const link = document.createElement("a");
    link.href = `/ui/jobs/${encodeURIComponent(job.id)}`;
    link.textContent = job.name || job.filename || job.id;
    const objective = job.result ? number(job.result.objective) : "–";
    const solver = job.result && job.result.solver ? job.result.solver : job.solver;
    const cells = [link, job.problem_kind || "–", solver, badge(document.createElement("span"), job.status),
      objective, when(job.created_at)];
    cells.forEach((value, k) => {
      const td = document.createElement("td");
      if (k === 4) td.className = "num";
      td.append(value);
      tr.append(td);
    });
    return tr;
  }

  async function refreshJobs() {
    const status = document.getElementById("status-filter").value;
    const message = document.getElementById("jobs-message");
    try {
      const page = await api(`/jobs?limit=50${status ? `&status=${status}` : ""}`);
      document.getElementById("jobs").replaceChildren(...page.items.map(row));
      message.textContent = page.total > page.items.length
        ? `Showing the latest ${page.items.length} of ${page.total} jobs.`
        : page.total ? "" : "No jobs yet.";
    } catch (err) {
      notice(err.message);
    }
  }

  form.addEventListener("submit", submit);
  document.getElementById("status-filter").addEventListener("change", refreshJobs);
  initTokenField(refreshJobs);
  loadSolvers();
  refreshJobs();
  setInterval(() => {
    if (!document.hidden) refreshJobs();
  }, REFRESH_MS);
})();
