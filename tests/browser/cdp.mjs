// A small client of Chromium's DevTools protocol (CDP) over `--remote-debugging-pipe`:
// the browser reads commands on its fd 3 and writes answers and events on its fd 4, each
// a JSON text ended by a NUL byte. It needs nothing but Node.js and Debian's chromium, so
// the browser test runs wherever the suite runs, the npm registry in reach or not.
// Every command is bounded in time; the browser's stderr tail is kept for errors.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const commandTimeoutMs = 60000;

export class Browser {
  constructor(child, profile) {
    this.child = child;
    this.profile = profile;
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = new Set();
    this.stderr = "";
    this.exited = null;
    let buf = "";
    child.stdio[4].on("data", (d) => {
      buf += d.toString("utf8");
      let end;
      while ((end = buf.indexOf("\0")) >= 0) {
        const text = buf.slice(0, end);
        buf = buf.slice(end + 1);
        let msg;
        try { msg = JSON.parse(text); } catch { continue; } // not the protocol: ignored
        this.dispatch(msg);
      }
    });
    // A browser that dies mid-write: the command fails through `exit`, not a throw.
    child.stdio[3].on("error", () => {});
    child.stdio[4].on("error", () => {});
    child.stderr.on("data", (d) => { this.stderr = (this.stderr + d).slice(-4096); });
    child.on("exit", (code, signal) => {
      this.exited = "chromium exited (" + (signal || code) + "):\n" + this.stderr;
      for (const { reject } of this.pending.values()) reject(new Error(this.exited));
      this.pending.clear();
    });
  }

  dispatch(msg) {
    if (msg.id !== undefined) {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(new Error(p.method + ": " + msg.error.message + " (" + msg.error.code + ")"));
      else p.resolve(msg.result);
    } else {
      for (const f of this.listeners) f(msg.method, msg.params, msg.sessionId);
    }
  }

  // Sends one command (to a page when `sessionId` is given); resolves with its result.
  send(method, params = {}, sessionId = undefined) {
    if (this.exited) return Promise.reject(new Error(this.exited));
    const id = this.nextId++;
    const msg = { id, method, params };
    if (sessionId) msg.sessionId = sessionId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(method + ": no answer in " + commandTimeoutMs + " ms"));
      }, commandTimeoutMs);
      this.pending.set(id, {
        method,
        resolve: (r) => { clearTimeout(timer); resolve(r); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      this.child.stdio[3].write(JSON.stringify(msg) + "\0");
    });
  }

  // A new tab of `width` x `height` CSS pixels, its domains enabled.
  async newPage(width, height) {
    const { targetId } = await this.send("Target.createTarget", { url: "about:blank" });
    const { sessionId } = await this.send("Target.attachToTarget", { targetId, flatten: true });
    const page = new Page(this, sessionId);
    for (const domain of ["Page", "Runtime", "Log", "Network"]) await page.send(domain + ".enable");
    await page.send("Emulation.setDeviceMetricsOverride", { width, height, deviceScaleFactor: 1, mobile: false });
    return page;
  }

  // Closes the browser (killed if it takes over 5 s), then removes its profile.
  async close() {
    const gone = new Promise((r) => (this.exited ? r() : this.child.once("exit", r)));
    if (!this.exited) {
      await Promise.race([this.send("Browser.close").catch(() => {}), new Promise((r) => setTimeout(r, 5000))]);
      if (!this.exited && this.child.exitCode === null) this.child.kill("SIGKILL");
    }
    await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
    fs.rmSync(this.profile, { recursive: true, force: true });
  }
}

// Starts headless Chromium with a new, empty profile (flags as this machine's notes
// advise: no background networking, which a closed network refuses).
export async function launch(executable) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-chromium-"));
  const child = spawn(executable, [
    "--headless", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-extensions", "--disable-quic",
    "--user-data-dir=" + profile, "about:blank",
  ], { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"] });
  const browser = new Browser(child, profile);
  try {
    await browser.send("Browser.getVersion");
  } catch (e) {
    await browser.close();
    throw e;
  }
  return browser;
}

export class Page {
  constructor(browser, sessionId) {
    this.browser = browser;
    this.sessionId = sessionId;
    this.problems = [];      // console errors, uncaught exceptions, failed loads
    this.ignoreFailed = () => false;
    this.waiters = new Set();
    const urls = new Map();
    browser.listeners.add((method, p, session) => {
      if (session !== sessionId) return;
      for (const w of this.waiters) if (w.method === method) w.resolve(p);
      if (method === "Runtime.consoleAPICalled" && p.type === "error") {
        this.problems.push("console: " + p.args.map((a) => a.value ?? a.description).join(" "));
      } else if (method === "Runtime.exceptionThrown") {
        const d = p.exceptionDetails;
        this.problems.push("page error: " + (d.exception?.description || d.text));
      } else if (method === "Log.entryAdded" && p.entry.level === "error" && !this.ignoreFailed(p.entry.url || "")) {
        this.problems.push("log: " + p.entry.text + " " + (p.entry.url || ""));
      } else if (method === "Network.requestWillBeSent") {
        urls.set(p.requestId, p.request.url);
      } else if (method === "Network.loadingFinished") {
        urls.delete(p.requestId);
      } else if (method === "Network.loadingFailed") {
        const url = urls.get(p.requestId) || "?";
        urls.delete(p.requestId);
        if (!this.ignoreFailed(url)) this.problems.push("request failed: " + url + " " + p.errorText);
      }
    });
  }

  send(method, params = {}) { return this.browser.send(method, params, this.sessionId); }

  // Resolves with the next event `method` of this page, at most `ms` from now.
  next(method, ms) {
    let w;
    const done = new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this.waiters.delete(w); reject(new Error(method + ": not within " + ms + " ms")); }, ms);
      w = { method, resolve: (p) => { clearTimeout(timer); this.waiters.delete(w); resolve(p); } };
      this.waiters.add(w);
    });
    return done;
  }

  async goto(url, ms = 20000) {
    const loaded = this.next("Page.loadEventFired", ms);
    loaded.catch(() => {}); // awaited below, unless navigating fails first
    const r = await this.send("Page.navigate", { url });
    if (r.errorText) throw new Error("navigate " + url + ": " + r.errorText);
    await loaded;
  }

  // Runs `fn(...args)` in the page (args as JSON) and returns its value (awaited).
  async evaluate(fn, ...args) {
    const expression = "(" + fn.toString() + ")(..." + JSON.stringify(args) + ")";
    const r = await this.send("Runtime.evaluate", { expression, returnByValue: true, awaitPromise: true });
    if (r.exceptionDetails) {
      throw new Error("in the page: " + (r.exceptionDetails.exception?.description || r.exceptionDetails.text));
    }
    return r.result.value;
  }

  count(selector) { return this.evaluate((s) => document.querySelectorAll(s).length, selector); }

  text(selector) {
    return this.evaluate((s) => {
      const e = document.querySelector(s);
      if (!e) throw new Error("no element " + s);
      return e.textContent;
    }, selector);
  }

  // A real mouse click at the middle of the element (scrolled into view first).
  async click(selector) {
    const box = await this.evaluate((s) => {
      const e = document.querySelector(s);
      if (!e) throw new Error("no element " + s);
      e.scrollIntoView({ block: "nearest" });
      const r = e.getBoundingClientRect();
      return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
    }, selector);
    for (const type of ["mouseMoved", "mousePressed", "mouseReleased"]) {
      await this.send("Input.dispatchMouseEvent", { type, x: box.x, y: box.y, button: "left", clickCount: 1 });
    }
  }

  // Focuses the element and types `text` as keyboard input would.
  async type(selector, text) {
    await this.evaluate((s) => {
      const e = document.querySelector(s);
      if (!e) throw new Error("no element " + s);
      e.focus();
    }, selector);
    await this.send("Input.insertText", { text });
  }

  async screenshot(file, { fullPage = false } = {}) {
    const params = { format: "png" };
    if (fullPage) {
      const { cssContentSize: s } = await this.send("Page.getLayoutMetrics");
      params.captureBeyondViewport = true;
      params.clip = { x: 0, y: 0, width: Math.ceil(s.width), height: Math.ceil(s.height), scale: 1 };
    }
    const { data } = await this.send("Page.captureScreenshot", params);
    fs.writeFileSync(file, Buffer.from(data, "base64"));
  }
}
