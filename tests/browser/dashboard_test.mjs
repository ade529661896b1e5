// vigil's dashboard in a real headless Chromium (issue 22), against a real
// `vigil-node supervise --http` and real agents processes: the page loads without
// console errors, its counts equal `vigil-node status`, killing the agents moves them
// to offline on the page within the liveness bound, an SSE resume with Last-Event-ID
// has no gap, the page's own reconnect after its connection drops has none either,
// the agents table pages and filters at 100,000 agents, and a new supervisor start is
// followed (resync, a feed that starts over whole). Screenshots go to
// $VIGIL_SCREENSHOTS. Every wait is bounded; ports are chosen by the programs.
//
//   VIGIL_NODE=build/examples/vigil-node VIGIL_SCREENSHOTS=build/screenshots \
//     node tests/browser/dashboard_test.mjs
import assert from "node:assert/strict";
import { spawn, execFile } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { launch } from "./cdp.mjs";

const vigilNode = process.env.VIGIL_NODE;
const shots = process.env.VIGIL_SCREENSHOTS || fs.mkdtempSync(path.join(os.tmpdir(), "vigil-shots-"));
const chromium = process.env.VIGIL_CHROMIUM || "/usr/bin/chromium";
const bulk = Number(process.env.VIGIL_BULK_AGENTS || 100000);
assert.ok(vigilNode, "set VIGIL_NODE to the vigil-node program");
fs.mkdirSync(shots, { recursive: true });
const work = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-browser-"));
const children = [];
let browser = null;

function log(...xs) { console.log("dashboard test:", ...xs); }

async function cleanup() {
  if (browser) await browser.close().catch(() => {});
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  fs.rmSync(work, { recursive: true, force: true });
}

// Whatever fails, no process of the test outlives it.
for (const what of ["uncaughtException", "unhandledRejection"]) {
  process.on(what, async (e) => {
    console.error("dashboard test: FAILED (" + what + "):", e && e.stack ? e.stack : e);
    await cleanup();
    process.exit(1);
  });
}

const overall = setTimeout(async () => {
  console.error("dashboard test: not done after 420 s");
  await cleanup();
  process.exit(1);
}, 420000);

// Starts vigil-node; resolves with the first stdout line matching `pattern` (bounded).
function start(args, pattern, what, ms = 30000) {
  const child = spawn(vigilNode, args, { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let out = "";
  child.stderr.on("data", () => {});
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(what + ": no line like " + pattern + " in " + ms + " ms:\n" + out)), ms);
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(pattern);
      if (m) { clearTimeout(timer); resolve({ child, match: m }); }
    });
    child.on("exit", (code) => { clearTimeout(timer); reject(new Error(what + " exited " + code + ":\n" + out)); });
  });
}

// A loopback TCP relay to the dashboard that the test can cut, as a network that drops
// would: `down()` ends every connection and refuses new ones until `up()`. It puts the
// server's own address in the Host header (the server serves no other) and notes where
// each `/events` request resumes (its Last-Event-ID, or `from=`; null: from now).
function relay(target) {
  // `retarget(port)`: later connections go to another server (a supervisor started
  // again), as a name that points elsewhere would.
  const open = new Set();
  const resumes = [];
  let refusing = false;
  const server = net.createServer((c) => {
    if (refusing) return c.destroy();
    const u = net.connect(target, "127.0.0.1");
    open.add(c);
    open.add(u);
    const end = () => { c.destroy(); u.destroy(); open.delete(c); open.delete(u); };
    c.on("data", (d) => {
      const text = d.toString("latin1");
      if (text.startsWith("GET /events")) {
        const m = text.match(/^Last-Event-ID: *(\d+)/im) || text.match(/^GET \S*[?&]from=(\d+)/);
        resumes.push(m ? Number(m[1]) : null);
      }
      u.write(Buffer.from(text.replace(/^Host: [^\r\n]*/im, "Host: 127.0.0.1:" + target), "latin1"));
    });
    u.pipe(c);
    for (const x of [c, u]) { x.on("error", end); x.on("close", end); }
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({
    port: server.address().port,
    resumes,
    down() { refusing = true; for (const x of open) x.destroy(); },
    retarget(p) { target = p; },
    up() { refusing = false; },
  })));
}

// Polls `f` until it returns a truthy value, every 100 ms, at most `ms`.
async function until(what, ms, f) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    try { last = await f(); if (last) return last; } catch (e) { last = e; }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(what + ": not within " + ms + " ms (last: " + last + ")");
}

function getJson(port, p) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: "127.0.0.1", port, path: p, timeout: 10000 }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => (res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(p + ": " + res.statusCode + " " + body))));
    });
    req.on("timeout", () => req.destroy(new Error(p + ": no answer in 10 s")));
    req.on("error", reject);
  });
}

// `vigil-node status`: its counts by state ("idle 50", ..., "total 50").
function status(port) {
  return new Promise((resolve, reject) => {
    execFile(vigilNode, ["status", "--connect", "127.0.0.1:" + port], { timeout: 20000 }, (err, stdout) => {
      if (err) return reject(err);
      const counts = {};
      for (const m of stdout.matchAll(/^\s*([a-z_]+)\s+(\d+)\s*$/gm)) counts[m[1]] = Number(m[2]);
      resolve(counts);
    });
  });
}

// Reads `/events` resuming after `after` (of start `epoch`): the first `n` ids.
function sseIds(port, epoch, after, n) {
  return new Promise((resolve, reject) => {
    const ids = [];
    const req = http.get({ host: "127.0.0.1", port, path: "/events?epoch=" + epoch,
                           headers: { "Last-Event-ID": String(after) } }, (res) => {
      let buf = "";
      res.on("data", (d) => {
        buf += d;
        let i;
        while ((i = buf.indexOf("\n\n")) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const id = block.match(/^id: (\d+)$/m);
          if (block.match(/^event: resync$/m)) { req.destroy(); return reject(new Error("resync: " + block)); }
          if (block.match(/^event: /m)) continue; // start: no vigil event
          if (id) ids.push(Number(id[1]));
          if (ids.length >= n) { req.destroy(); return resolve(ids); }
        }
      });
    });
    req.on("error", (e) => { if (ids.length < n) reject(e); });
    setTimeout(() => { req.destroy(); reject(new Error("sse: " + ids.length + " of " + n + " events in 20 s")); }, 20000);
  });
}

function pageTotals(page) {
  return page.evaluate(() => Object.fromEntries([...document.querySelectorAll(".total")].map(
    (x) => [x.dataset.state, Number(x.querySelector("b").textContent)])));
}

function rowIds(page) {
  return page.evaluate(() => [...document.querySelectorAll("#agents tbody tr")].map((x) => x.dataset.id));
}

try {
  const config = path.join(work, "settings.json");
  fs.writeFileSync(config, JSON.stringify({
    heartbeat: { interval: "1s", timeout: "3s", check_interval: "1s", max_missed: 1 },
    history: 200000 }));
  // No store: the supervisor's start (epoch) is then 63 random bits, more than a
  // JavaScript number holds exactly; the page must carry it as text.
  const sup = await start(["supervise", "--port", "0", "--http", "0", "--no-store", "--config", config],
                          /supervising on port (\d+)[\s\S]*HTTP on http:\/\/127\.0\.0\.1:(\d+)/, "supervise");
  const port = Number(sup.match[1]), httpPort = Number(sup.match[2]);
  const front = await relay(httpPort);
  const url = "http://127.0.0.1:" + front.port + "/";
  log("supervisor on", port, "dashboard on", httpPort, "seen through a relay at", url);
  const agents = await start(["agents", "--connect", "127.0.0.1:" + port, "--count", "50", "--type", "coder",
                              "--id-prefix", "coder", "--work", "idle", "--node", "node-a"],
                             /vigil-node: \d+ agents \(/, "agents");
  await until("50 agents idle", 30000, async () => (await status(port)).idle === 50);

  browser = await launch(chromium);
  const page = await browser.newPage(1400, 1000);
  // The live stream is cut when the test ends or a server closes it; the page reconnects.
  page.ignoreFailed = (u) => u.includes("/events");
  await page.goto(url);

  // The counts equal `vigil-node status`.
  await until("the page shows 50 idle", 20000, async () => (await pageTotals(page)).idle === 50);
  const shown = await pageTotals(page);
  const told = await status(port);
  for (const [state, n] of Object.entries(shown)) assert.equal(n, told[state] || 0, "state " + state);
  assert.equal(Object.values(shown).reduce((a, b) => a + b, 0), told.total);
  await until("the agents table", 10000, async () => (await page.count("#agents tbody tr")) === 50);
  await until("the live feed", 10000, async () => (await page.text("#live")) === "live");
  await until("node-a with its 50 agents in the nodes table", 10000, async () =>
    (await page.evaluate(() => document.querySelector('#nodes tr[data-node="node-a"] td.num')?.textContent)) === "50");
  // A node's row lists its agents.
  await page.click('#nodes tr[data-node="node-a"]');
  await until("node-a's agents listed", 10000, async () => (await page.text("#page-info")).includes("(50 agents)") &&
    (await page.evaluate(() => [...document.querySelectorAll("#agents tbody tr td:nth-child(3)")].every((x) => x.textContent === "node-a"))));
  assert.equal(await page.evaluate(() => document.querySelector("#f-node").value), "node-a");
  await page.evaluate(() => { document.querySelector("#f-node").value = ""; });
  await page.click('#filter button[type="submit"]');
  await page.screenshot(path.join(shots, "dashboard-50-agents.png"));

  // One agent in detail.
  await page.click('#agents tbody tr[data-id="coder-7"]');
  await until("coder-7 in detail", 10000, async () => (await page.text("#detail-id")) === "coder-7");
  assert.ok((await page.count("#detail-events li")) >= 1, "coder-7's recent events");

  // Killing the agents' process: offline on the page within the liveness bound
  // (timeout 3 s + a check interval, or at once when the connection drops).
  const killedAt = Date.now();
  agents.child.kill("SIGKILL");
  await until("50 offline on the page", 15000, async () => (await pageTotals(page)).offline === 50);
  const took = Date.now() - killedAt;
  log("offline on the page after", took, "ms");
  assert.ok(took <= 3000 + 1000 + 3000, "offline within the liveness bound plus the page's refresh, took " + took + " ms");
  assert.ok((await page.evaluate(() => [...document.querySelectorAll("#feed li")].filter((x) => x.textContent.includes("offline")).length)) > 0,
            "the live feed shows the offline transitions");
  await until("the agents table shows them offline too", 10000, async () =>
    page.evaluate(() => [...document.querySelectorAll("#agents tbody tr td:nth-child(4)")].every((x) => x.textContent === "offline")));
  await page.screenshot(path.join(shots, "dashboard-offline.png"));

  // An SSE resume with Last-Event-ID goes on without a gap.
  const summary = await getJson(httpPort, "/api/summary");
  assert.equal(typeof summary.epoch, "string", "the epoch is text (64 bits)");
  const after = summary.seq - 60;
  const ids = await sseIds(httpPort, summary.epoch, after, 40);
  assert.deepEqual(ids, Array.from({ length: 40 }, (_, i) => after + 1 + i));
  log("resume after", after, "got", ids[0], "..", ids[ids.length - 1]);

  // The browser's own reconnect: its connection drops, 10 agents come meanwhile, and
  // the page resumes after the last event it had (Last-Event-ID): no gap in its feed.
  const feedSeqs = () => page.evaluate(() => [...document.querySelectorAll("#feed li")].map((x) => Number(x.dataset.seq)));
  const streamsBefore = front.resumes.length;
  page.ignoreFailed = () => true; // what fails while the network is down is the point
  front.down();
  await until("the page sees its stream drop", 10000, async () => (await page.text("#live")) !== "live");
  // The newest event the page got (once its feed has drawn what came).
  const lastBefore = await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(lastSeq))));
  assert.equal((await feedSeqs())[0], lastBefore, "the feed shows the newest event the page got");
  await start(["agents", "--connect", "127.0.0.1:" + port, "--count", "10", "--type", "tester",
               "--id-prefix", "tester", "--work", "idle", "--node", "node-c"], /vigil-node: \d+ agents \(/, "testers");
  await until("10 testers idle", 30000, async () => (await status(port)).idle === 10);
  front.up();
  await until("the page live again", 30000, async () => (await page.text("#live")) === "live");
  await until("the testers in the feed", 10000, async () =>
    (await page.evaluate(() => [...document.querySelectorAll("#feed li")].filter((x) => x.textContent.includes(" tester-")).length)) >= 10);
  page.ignoreFailed = (u) => u.includes("/events");
  const seqs = await feedSeqs();
  assert.ok(seqs.includes(lastBefore), "the feed keeps what it had: " + lastBefore);
  seqs.forEach((x, i) => i === 0 || assert.equal(x, seqs[i - 1] - 1, "no gap in the feed at " + x));
  const resumed = front.resumes.slice(streamsBefore);
  assert.ok(resumed.length >= 1 && resumed.every((x) => x === lastBefore),
            "every new stream resumed after " + lastBefore + " (asked: " + resumed.join(", ") + ")");
  log("the page resumed after", lastBefore, "in", resumed.length, "tries; its feed", seqs[seqs.length - 1], "..", seqs[0]);
  await page.screenshot(path.join(shots, "dashboard-resumed.png"));

  // 100,000 agents: the server pages and filters; the page never loads them all.
  const many = await start(["agents", "--connect", "127.0.0.1:" + port, "--count", String(bulk), "--type", "bulk",
                            "--id-prefix", "bulk", "--work", "idle", "--node", "node-b"],
                           /vigil-node: \d+ agents \(/, "bulk agents", 180000);
  void many;
  await until(bulk + " bulk agents registered", 120000, async () => {
    const s = await getJson(httpPort, "/api/summary");
    const t = s.types.find((x) => x.type === "bulk");
    return t && t.agents.idle === bulk;
  });
  await page.click("#detail-close");
  await until("the detail closed", 10000, async () => page.evaluate(() => document.querySelector("#detail-section").hidden));
  await page.type("#f-type", "bulk");
  await page.click('#filter button[type="submit"]');
  await until("page 1 of the bulk agents", 20000, async () =>
    (await page.text("#page-info")).includes("(" + bulk + " agents)"));
  const pageSize = await page.count("#agents tbody tr");
  assert.equal(pageSize, 50, "one page of 50 rows, not the fleet");
  const firstIds = await rowIds(page);
  await page.click("#next");
  await until("page 2", 20000, async () => (await page.text("#page-info")).startsWith("page 2 of " + Math.ceil(bulk / 50)));
  const secondIds = await rowIds(page);
  assert.equal(secondIds.length, 50);
  assert.ok(secondIds.every((id) => !firstIds.includes(id)), "page 2 shows other agents");
  await page.type("#f-q", "bulk-9999");
  await page.click('#filter button[type="submit"]');
  const expected = Array.from({ length: bulk }, (_, i) => "bulk-" + (i + 1)).filter((id) => id.includes("bulk-9999")).length;
  await until("the filtered page", 20000, async () =>
    (await page.text("#page-info")).includes("(" + expected + " agents)"));
  const filtered = await rowIds(page);
  assert.ok(filtered.length === Math.min(50, expected) && filtered.every((id) => id.includes("bulk-9999")), filtered.join(" "));
  await page.screenshot(path.join(shots, "dashboard-100k-filtered.png"));
  await page.evaluate(() => { document.querySelector("#f-q").value = ""; });
  await page.click('#filter button[type="submit"]');
  await until("all bulk agents again", 20000, async () =>
    (await page.text("#page-info")).includes("(" + bulk + " agents)"));
  await page.screenshot(path.join(shots, "dashboard-100k.png"), { fullPage: true });

  // The supervisor starts again (no store: a new epoch, seqs from 1 again): the page's
  // resume names the old start, the server answers resync with the new one, and the
  // page follows the new start from there: its feed starts over and goes on whole.
  const problemsBefore = page.problems.length;
  page.ignoreFailed = () => true; // the server is away for a moment: that is the point
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  await until("every process of the first start gone", 10000, async () => children.every((c) => c.exitCode !== null || c.signalCode !== null));
  const sup2 = await start(["supervise", "--port", "0", "--http", "0", "--no-store", "--config", config],
                           /supervising on port (\d+)[\s\S]*HTTP on http:\/\/127\.0\.0\.1:(\d+)/, "supervise again");
  const port2 = Number(sup2.match[1]), httpPort2 = Number(sup2.match[2]);
  front.retarget(httpPort2);
  const summary2 = await getJson(httpPort2, "/api/summary");
  assert.notEqual(summary2.epoch, summary.epoch, "a new start");
  await until("the page follows the new start", 30000, async () =>
    (await page.evaluate(() => stream && stream.epoch)) === summary2.epoch && (await page.text("#live")) === "live");
  page.ignoreFailed = (u) => u.includes("/events");
  page.problems.splice(problemsBefore); // what failed while no server answered
  await start(["agents", "--connect", "127.0.0.1:" + port2, "--count", "5", "--type", "after",
               "--id-prefix", "after", "--work", "idle", "--node", "node-d"], /vigil-node: \d+ agents \(/, "agents after");
  await until("5 agents of the new start idle on the page", 20000, async () => (await pageTotals(page)).idle === 5);
  await until("their events in the feed", 10000, async () =>
    (await page.evaluate(() => [...document.querySelectorAll("#feed li")].filter((x) => x.textContent.includes(" after-")).length)) >= 10);
  const seqs2 = await feedSeqs();
  assert.ok(seqs2.every((x) => x <= 10), "only the new start's events in the feed: " + seqs2.join(" "));
  seqs2.forEach((x, i) => i === 0 || assert.equal(x, seqs2[i - 1] - 1, "no gap in the new feed at " + x));
  const told2 = await status(port2);
  assert.deepEqual(await pageTotals(page), Object.fromEntries(Object.keys(await pageTotals(page)).map((st) => [st, told2[st] || 0])));
  await until("node-d with its 5 agents in the nodes table", 10000, async () =>
    (await page.evaluate(() => document.querySelector('#nodes tr[data-node="node-d"] td.num')?.textContent)) === "5");
  log("the page followed the new start", summary2.epoch, "feed", seqs2[seqs2.length - 1], "..", seqs2[0]);
  await page.screenshot(path.join(shots, "dashboard-new-start.png"));

  assert.deepEqual(page.problems, [], "no console errors");
  log("passed; screenshots in", shots);
  clearTimeout(overall);
  await cleanup();
  process.exit(0);
} catch (e) {
  console.error("dashboard test: FAILED:", e.stack || e);
  await cleanup();
  process.exit(1);
}
