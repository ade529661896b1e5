// vigil's dashboard: counts, a paged agents table, one agent, nodes and the live feed.
// Everything comes from the server: /api/* for pictures of now, /events (Server-Sent
// Events, one per vigil event, id = seq) for what changes. No library, no build step.
"use strict";

const STATES = ["spawning", "idle", "busy", "on_call", "exhausted", "offline",
                "completed", "failed", "killed"];
const FEED_MAX = 200;
const view = { page: 0, pages: 1, state: "", type: "", node: "", q: "", detail: null };
let stream = null; // the EventSource, for the supervisor start `stream.epoch` (text)
let lastSeq = null; // the newest event this page has of `stream.epoch`

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : String(c ?? ""));
  return e;
}

function stateBadge(s) { return el("span", { class: "state s-" + s }, s); }

function when(t) {
  if (t === undefined || t === null) return "";
  return new Date(t * 1000).toLocaleTimeString();
}

// A picture from the server; a failure shows beside the live badge until the next
// request succeeds (the badge itself is the live feed's alone).
async function getJson(url) {
  let r;
  try {
    r = await fetch(url, { cache: "no-store" });
  } catch (e) {
    throw new Error(url + ": " + e.message);
  }
  if (!r.ok) throw new Error(url + ": HTTP " + r.status + " " + (await r.text()));
  $("problem").hidden = true;
  return r.json();
}

// A refresh that runs at most once per `ms`, and never twice at once, however often
// it is asked for: asked again meanwhile, it runs once more afterwards.
function throttled(ms, f) {
  let busy = false, again = false;
  const run = async () => {
    busy = true;
    again = false;
    try { await f(); } catch (e) { showError(e); }
    setTimeout(() => { busy = false; if (again) run(); }, ms);
  };
  return () => { if (busy) again = true; else run(); };
}

function showError(e) {
  $("problem").textContent = e.message;
  $("problem").hidden = false;
}

async function loadSummary() {
  const s = await getJson("/api/summary");
  if (!stream || stream.epoch !== s.epoch) {
    // The first picture, or the supervisor started again: events after this one.
    if (stream) $("feed").replaceChildren();
    follow(s.epoch, s.seq);
  }
  $("seq").textContent = "event " + s.seq;
  const totals = $("totals");
  totals.replaceChildren();
  for (const st of STATES) {
    const n = s.totals[st] || 0;
    totals.append(el("span", { class: "total", "data-state": st }, el("b", {}, n), stateBadge(st)));
  }
  const head = el("tr", {}, el("th", {}, "type"), ...STATES.map((st) => el("th", { class: "num" }, st)));
  $("counts").tHead.replaceChildren(head);
  const rows = s.types.map((t) => el("tr", { "data-type": t.type }, el("td", {}, t.type),
    ...STATES.map((st) => el("td", { class: "num", "data-state": st }, t.agents[st] || 0))));
  $("counts").tBodies[0].replaceChildren(...rows);
}

async function loadAgents() {
  const p = new URLSearchParams({ page: view.page });
  if (view.state) p.set("state", view.state);
  if (view.type) p.set("type", view.type);
  if (view.node) p.set("node", view.node);
  if (view.q) p.set("q", view.q);
  const r = await getJson("/api/agents?" + p);
  view.pages = Math.max(1, r.pages);
  const rows = r.agents.map((a) => {
    const tr = el("tr", { "data-id": a.id }, el("td", {}, a.id), el("td", {}, a.type),
      el("td", {}, a.node), el("td", {}, stateBadge(a.state)), el("td", {}, a.reason),
      el("td", {}, when(a.last_beat)), el("td", { class: "num" }, a.restarts),
      el("td", {}, a.last_error));
    tr.addEventListener("click", () => openDetail(a.id));
    return tr;
  });
  $("agents").tBodies[0].replaceChildren(...rows);
  $("page-info").textContent = "page " + (r.page + 1) + " of " + view.pages + " (" + r.total + " agents)";
  $("prev").disabled = r.page === 0;
  $("next").disabled = r.page + 1 >= view.pages;
}

function eventText(e) {
  let s = when(e.t) + " #" + e.seq + " " + e.kind + " " + e.agent;
  if (e.kind === "transition") s += " " + e.from + " → " + e.to;
  if (e.reason) s += " (" + e.reason + ")";
  return s;
}

async function openDetail(id) {
  view.detail = id;
  const d = await getJson("/api/agents/" + encodeURIComponent(id));
  if (view.detail !== id) return; // closed, or another opened, meanwhile
  const a = d.status;
  $("detail-id").textContent = a.id;
  const fields = [["state", stateBadge(a.state)], ["type", a.type], ["node", a.node],
    ["version", a.version], ["reason", a.reason], ["registered", when(a.registered_at)],
    ["last beat", when(a.last_beat)], ["missed", a.missed], ["healthy", a.healthy],
    ["restarts", a.restarts], ["last restart reason", a.last_restart_reason],
    ["last error", a.last_error]];
  if (a.restart_due !== undefined) fields.push(["restart due", when(a.restart_due)]);
  $("detail").replaceChildren(...fields.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
  $("detail-events").replaceChildren(...d.events.map((e) => el("li", {}, eventText(e))));
  $("detail-section").hidden = false;
}

async function loadNodes() {
  const r = await getJson("/api/nodes");
  const head = el("tr", {}, el("th", {}, "node"), el("th", { class: "num" }, "agents"),
    el("th", {}, "by state"), el("th", {}, "beats late"));
  $("nodes").tHead.replaceChildren(head);
  // A node's row lists its agents in the table above.
  $("nodes").tBodies[0].replaceChildren(...r.nodes.map((n) => {
    const tr = el("tr", { "data-node": n.node, title: "its agents" },
      el("td", {}, n.node), el("td", { class: "num" }, n.total),
      el("td", {}, ...STATES.filter((st) => n.agents[st]).flatMap((st) => [stateBadge(st), " " + n.agents[st] + " "])),
      el("td", {}, (n.overloaded ? "overloaded, " : "") + Math.round(n.lateness * 1000) + " ms"));
    tr.addEventListener("click", () => { $("f-node").value = n.node; $("filter").requestSubmit(); });
    return tr;
  }));
}

const refreshSummary = throttled(1000, loadSummary);
const refreshAgents = throttled(2000, loadAgents);
const refreshNodes = throttled(3000, loadNodes);
const refreshDetail = throttled(2000, async () => { if (view.detail) await openDetail(view.detail); });

function refreshAll() {
  refreshSummary(); refreshAgents(); refreshNodes(); refreshDetail();
}

// Events wait here for the next frame: a fleet of a million can send thousands a
// second, and the feed shows only the newest FEED_MAX of them anyway.
let pending = [];
let flushing = false;

function addToFeed(e) {
  pending.push(e);
  if (pending.length > FEED_MAX) pending = pending.slice(-FEED_MAX);
  if (flushing) return;
  flushing = true;
  requestAnimationFrame(() => {
    flushing = false;
    const feed = $("feed");
    const items = pending.reverse().map((x) => el("li", { "data-seq": x.seq }, eventText(x)));
    pending = [];
    feed.prepend(...items);
    while (feed.children.length > FEED_MAX) feed.lastChild.remove();
  });
}

// The live feed of the supervisor start `epoch` (text: 64 bits), after event `from`:
// the browser resumes after the last event it saw (Last-Event-ID) when the connection
// drops, this page too when it opens the stream again itself (`from`), and the server
// tells it to resync when that is no longer possible without a gap (another start, or
// events gone from the history).
function follow(epoch, from) {
  if (stream) stream.close();
  lastSeq = from;
  const es = new EventSource("/events?epoch=" + encodeURIComponent(epoch) + "&from=" + from);
  es.epoch = epoch;
  stream = es;
  es.onopen = () => { $("live").textContent = "live"; $("live").className = "live on"; };
  es.onerror = () => {
    $("live").textContent = "reconnecting";
    $("live").className = "live off";
    // Refused (503: too many streams, or no supervisor): the browser gives up on its
    // own, so this page tries again itself.
    if (es.readyState === EventSource.CLOSED)
      setTimeout(() => { if (stream === es) follow(epoch, lastSeq); }, 5000);
  };
  es.onmessage = (m) => {
    const e = JSON.parse(m.data);
    lastSeq = e.seq;
    addToFeed(e);
    if (view.detail === e.agent) refreshDetail();
    refreshAll();
  };
  es.addEventListener("start", (m) => { lastSeq = JSON.parse(m.data).seq; });
  // The history no longer held what this page missed, or the supervisor started
  // again: start over from a fresh picture, and follow the new start from its seq.
  es.addEventListener("resync", (m) => {
    const d = JSON.parse(m.data);
    if (d.seq !== undefined) lastSeq = d.seq;
    pending = [];
    $("feed").replaceChildren();
    if (d.epoch !== undefined && d.epoch !== es.epoch) follow(d.epoch, d.seq);
    refreshAll();
  });
  es.addEventListener("end", () => { $("live").textContent = "supervisor gone"; $("live").className = "live off"; });
}

function init() {
  for (const st of STATES) $("f-state").append(el("option", { value: st }, st));
  $("filter").addEventListener("submit", (ev) => {
    ev.preventDefault();
    view.state = $("f-state").value;
    view.type = $("f-type").value.trim();
    view.node = $("f-node").value.trim();
    view.q = $("f-q").value.trim();
    view.page = 0;
    loadAgents().catch(showError);
  });
  $("prev").addEventListener("click", () => { view.page = Math.max(0, view.page - 1); loadAgents().catch(showError); });
  $("next").addEventListener("click", () => { view.page = Math.min(view.pages - 1, view.page + 1); loadAgents().catch(showError); });
  $("detail-close").addEventListener("click", () => { view.detail = null; $("detail-section").hidden = true; });
  Promise.all([loadSummary(), loadAgents(), loadNodes()]).catch(showError);
  setInterval(refreshAll, 10000); // the picture stays fresh without events too
}

init();
