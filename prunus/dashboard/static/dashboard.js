// prunus dashboard: live updates over server-sent events, and the control buttons.
// No framework and no build step: the server renders HTML fragments; this script only
// fetches a fragment again when the event stream says that something it shows changed.
"use strict";

(function () {
  const body = document.body;
  const page = body.dataset.page;
  const pid = body.dataset.pid;
  const csrf = document.querySelector('meta[name="prunus-csrf"]').content;
  const content = document.getElementById("content");
  let fetching = false;
  let again = false;

  function fragmentUrl() {
    if (page === "table") return "/fragment/table" + window.location.search;
    return "/fragment/process/" + encodeURIComponent(pid);
  }

  async function refresh() {
    if (fetching) { again = true; return; }
    fetching = true;
    try {
      const response = await fetch(fragmentUrl(), { credentials: "same-origin" });
      if (response.ok) {
        const fresh = document.createElement("div");
        fresh.innerHTML = await response.text();
        // Keep the filter form the user may be editing; the rest is the server's.
        const editing = content.querySelector("#filters");
        const incoming = fresh.querySelector("#filters");
        if (editing && incoming) incoming.replaceWith(editing);
        content.replaceChildren(...fresh.childNodes);
        body.dataset.refreshed = String(Number(body.dataset.refreshed || 0) + 1);
      }
    } finally {
      fetching = false;
      if (again) { again = false; refresh(); }
    }
  }

  function shownPids() {
    const pids = new Set();
    content.querySelectorAll("[data-pid]").forEach((el) => pids.add(el.dataset.pid));
    return pids;
  }

  function setMode(daemon) {
    const mode = document.getElementById("mode");
    const was = body.dataset.daemon === "1";
    body.dataset.daemon = daemon ? "1" : "0";
    mode.className = daemon ? "mode-daemon" : "mode-readonly";
    mode.textContent = daemon
      ? "daemon running: controls enabled"
      : "read-only: no daemon runs on this home";
    return was !== daemon;
  }

  function listen() {
    const live = document.getElementById("live");
    const since = body.dataset.version ? "?since=" + body.dataset.version : "";
    const events = new EventSource("/events" + since);
    events.onopen = () => { live.className = "live-on"; };
    events.onerror = () => { live.className = "live-off"; };
    events.addEventListener("ping", (event) => {
      if (setMode(JSON.parse(event.data).daemon) && page === "process") refresh();
    });
    events.addEventListener("update", (event) => {
      const data = JSON.parse(event.data);
      body.dataset.version = String(data.version);
      const modeChanged = setMode(data.daemon);
      if (page === "table") { refresh(); return; }
      const shown = shownPids();
      if (modeChanged || data.changed === null || data.changed.some((p) => shown.has(p))) {
        refresh();
      }
    });
  }

  function flash(text, ok) {
    const box = document.getElementById("flash");
    box.textContent = text;
    box.className = ok ? "flash-ok" : "flash-error";
  }

  const QUESTIONS = {
    pause: (p) => `Pause process ${p} and its descendants? They take no new step until played.`,
    play: (p) => `Play process ${p} and its descendants?`,
    kill: (p) => `Kill process ${p} and all its descendants? This cannot be undone.`,
  };

  document.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button || button.disabled) return;
    const action = button.dataset.action;
    const target = button.dataset.pid;
    const dialog = document.getElementById("confirm");
    document.getElementById("confirm-text").textContent = QUESTIONS[action](target);
    const ok = document.getElementById("confirm-ok");
    ok.textContent = action.charAt(0).toUpperCase() + action.slice(1);
    dialog.returnValue = "";
    dialog.onclose = async () => {
      if (dialog.returnValue !== "ok") return;
      const response = await fetch(
        "/api/process/" + encodeURIComponent(target) + "/" + action,
        { method: "POST", credentials: "same-origin", headers: { "X-Prunus-CSRF": csrf } },
      );
      const answer = await response.json();
      flash(answer.message, answer.ok);
      refresh();
    };
    dialog.showModal();
  });

  listen();
})();
