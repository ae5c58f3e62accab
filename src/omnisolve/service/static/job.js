// The /ui/jobs/{id} page: job facts, a live incumbent/bound chart fed by the event stream,
// and the solution picture, download and cancel buttons once they apply.
"use strict";

(function () {
  const {
    FINISHED, api, request, streamEvents, initTokenField, notice, number, percent, when, badge,
  } = window.omni;
  const jobId = decodeURIComponent(window.location.pathname.split("/").pop());
  const base = `/jobs/${encodeURIComponent(jobId)}`;
  const PLOT_CONFIG = { responsive: true, displaylogo: false };
  const POLL_MS = 2000;
  const live = { incumbent: { x: [], y: [] }, bound: { x: [], y: [] } };
  let job = null;
  let streaming = null; // AbortController of the open event stream
  let figuresShown = false;

  const $ = (id) => document.getElementById(id);
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  function render() {
    const r = job.result || {};
    document.title = `omnisolve · ${job.name || job.id}`;
    $("job-name").textContent = job.name || job.filename || job.id;
    badge($("status"), job.status);
    $("objective").textContent = number(r.objective);
    $("bound").textContent = number(r.bound);
    $("gap").textContent = percent(r.gap);
    $("verdict").textContent = r.certificate ? r.certificate.verdict : "–";
    $("verdict").className = r.certificate ? `verdict ${r.certificate.verdict}` : "";
    $("result-status").textContent = r.status || "–";
    const cert = r.certificate || {};
    $("optimality").textContent = cert.optimality && cert.optimality !== "none" ? cert.optimality : "–";
    $("optimality").className = cert.optimality ? `optimality ${cert.optimality}` : "";
    $("optimality").title = cert.evidence || "";
    $("refutation").textContent = cert.refutation || "";
    $("refutation-row").hidden = !cert.refutation;
    const why = (r.extra || {}).explanation || {};
    const members = [...(why.rows || []), ...(why.bounds || [])];
    $("explanation").textContent = why.status === "infeasible" ? `${why.irreducible ? "irreducible " : ""}infeasible subset: ${members.join(", ")}` : "";
    $("explanation-row").hidden = why.status !== "infeasible";
    $("kind").textContent = `${job.problem_kind || "–"}${job.filename ? ` (${job.filename})` : ""}`;
    $("solver").textContent = r.solver ? `${r.solver} (asked: ${job.solver})` : job.solver;
    $("limits").textContent = `${job.time_limit} s, ${job.threads} thread${job.threads === 1 ? "" : "s"}`;
    $("runtime").textContent = r.runtime === undefined ? "–" : `${number(Number(r.runtime.toFixed(3)))} s`;
    $("created").textContent = when(job.created_at);
    $("error").textContent = job.error || (r.message && r.status === "error" ? r.message : "");
    $("cancel").disabled = FINISHED.includes(job.status);
    $("download").disabled = !job.result;
  }

  async function load() {
    try {
      job = await api(base);
      notice("");
    } catch (err) {
      notice(err.message);
      return;
    }
    render();
    if (FINISHED.includes(job.status)) showFigures();
    else if (!streaming) follow();
  }

  // ---- live chart --------------------------------------------------------------------------
  // Fresh arrays each time: Plotly.react redraws only data whose arrays changed identity.
  function drawLive() {
    const copy = (series) => ({ x: [...series.x], y: [...series.y] });
    const traces = [
      { name: "incumbent", mode: "lines+markers", line: { shape: "hv" }, ...copy(live.incumbent) },
      { name: "bound", mode: "lines+markers", line: { shape: "hv", dash: "dot" }, ...copy(live.bound) },
    ];
    const layout = {
      title: { text: "Incumbent and bound over time (live)" },
      xaxis: { title: { text: "time (s)" } }, yaxis: { title: { text: "objective" } },
      margin: { l: 60, r: 20, t: 60, b: 50 },
    };
    Plotly.react($("progress"), traces, layout, PLOT_CONFIG);
    $("progress-message").textContent = "";
  }

  function onEvent(name, data) {
    if (name === "incumbent") {
      if (data.objective !== null && data.objective !== undefined) {
        live.incumbent.x.push(data.t);
        live.incumbent.y.push(data.objective);
      }
      if (data.bound !== null && data.bound !== undefined) {
        live.bound.x.push(data.t);
        live.bound.y.push(data.bound);
      }
      drawLive();
      $("objective").textContent = number(data.objective);
      $("bound").textContent = number(data.bound);
    } else if (name === "status") {
      job.status = data.status;
      badge($("status"), data.status);
      $("cancel").disabled = FINISHED.includes(data.status);
    } else if (name === "end") {
      streaming.abort();
    }
  }

  // Follow the event stream; when it ends (or breaks) reload the job, which re-follows or polls.
  async function follow() {
    streaming = new AbortController();
    try {
      await streamEvents(`${base}/events`, onEvent, streaming.signal);
      await sleep(POLL_MS); // closed without an `end` event: do not reconnect in a tight loop
    } catch (err) {
      if (err.name !== "AbortError") await sleep(POLL_MS);
    }
    streaming = null;
    load();
  }

  // ---- figures -----------------------------------------------------------------------------
  async function showFigure(name, element, message) {
    try {
      const figure = await api(`${base}/figures/${name}`);
      Plotly.react(element, figure.data, figure.layout, PLOT_CONFIG);
      message.textContent = "";
    } catch (err) {
      message.textContent = err.status === 404 ? "No picture for this job." : err.message;
    }
  }

  function showFigures() {
    if (figuresShown) return;
    figuresShown = true;
    showFigure("progress", $("progress"), $("progress-message"));
    showFigure("solution", $("solution"), $("solution-message"));
  }

  // ---- buttons -----------------------------------------------------------------------------
  async function download() {
    try {
      const blob = await (await request(`${base}/solution`)).blob();
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = `${job.name || job.id}-solution.json`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 1000);
    } catch (err) {
      notice(err.message);
    }
  }

  async function cancel() {
    $("cancel").disabled = true;
    try {
      await request(base, { method: "DELETE" });
    } catch (err) {
      notice(err.message);
    }
    load();
  }

  $("download").addEventListener("click", download);
  $("cancel").addEventListener("click", cancel);
  initTokenField(load);
  load();
})();
