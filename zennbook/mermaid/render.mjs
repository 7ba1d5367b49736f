// Renders many mermaid diagrams in ONE headless Chromium session.
//
// usage: node render.mjs JOBFILE
// JOBFILE (JSON): {modules, chromium, config, workers, diagram_timeout_s,
//                  batch_timeout_s, jobs: [{id, source, svg}]}
// stdout: one JSON object per line, as soon as each diagram is done:
//         {id, ok: true, width, height, ms} (size in CSS px; the SVG file is written, and
//         beside it NAME.pdf.svg when the PDF needs another one) or
//         {id, error, kind: "syntax"|"timeout"|"crash"}; then
//         {done: true, refused: [...], effects: [...]}: every load the pages attempted and
//         were refused, and every sign of a script having run (there should be none).
//         {fatal, kind: "launch"} when the browser cannot start.
// stderr: the log.
//
// mermaid runs in a few long-lived pages, one per worker (Chromium gives each page its
// own renderer process, so they run on separate cores); a diagram then costs ~0.1 s.
// mermaid's ES module build is served to the pages from node_modules under a fake
// origin, so a page loads only the diagram types it meets (~0.5 s, against ~2 s for the
// 3.5 MB bundle). page.js, run in each page, makes each SVG standalone real SVG that
// EPUBCheck and librsvg accept; the Python side turns each one into a PDF while the next
// ones render (from a copy with sharp emoji and text out of rasterised groups when
// needed: pdfsvg.js).
//
// A diagram is untrusted input. The page runs under a Content-Security-Policy that allows
// scripts only from mermaid's origin (no inline script or handler, no javascript: URL, no
// fetch, no font or image from a URL); every other request is refused; a dialog is
// dismissed; mermaid runs with securityLevel "strict" and our security keys locked
// (MERMAID_CONFIG.secure); inert.js makes the SVG inert before it enters the live page.
// All refusals and any sign of a script are counted and reported with `done` and in the
// log (they arrive asynchronously, so they are not pinned to one diagram). Chromium gets a
// fresh profile, no DNS and a dead proxy: whatever escaped all that would reach nothing.
import { createRequire } from "node:module";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

// In this order: inert.js last, as it notes the globals the page starts with.
const PAGE_SCRIPTS = ["pdfsvg.js", "page.js", "inert.js"]
  .map((name) => fileURLToPath(new URL(name, import.meta.url)));

const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--host-resolver-rules=MAP * ~NOTFOUND",
  "--proxy-server=http://127.0.0.1:9",
  "--proxy-bypass-list=<-loopback>",
  "--deny-permission-prompts",
];
const CSP = "default-src 'none'; script-src http://mermaid.invalid; style-src 'unsafe-inline'; "
  + "img-src data:; font-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'";
const PAGE = `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="${CSP}">`
  + "</head><body></body></html>";

const emit = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
const started = Date.now();
const log = (msg) => process.stderr.write(`render.mjs +${Date.now() - started}ms: ${msg}\n`);

class TimeoutError extends Error {}

function withTimeout(promise, ms, what) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what} timed out after ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

// Resolve our npm deps from the node_modules the caller found (the repository root's),
// not from this file's location: the Python package may be installed elsewhere.
async function loadDeps(modules) {
  const require = createRequire(path.join(modules, "noop.js"));
  const puppeteer = (await import(pathToFileURL(require.resolve("puppeteer")).href)).default;
  const dist = path.dirname(require.resolve("mermaid/dist/mermaid.esm.min.mjs"));
  return { puppeteer, dist, files: new Map() };
}

// The page's only source of anything: files of mermaid's dist folder under ORIGIN
// (a reserved name that never resolves). Every other request is refused.
const ORIGIN = "http://mermaid.invalid/";

function serve(req, deps, refused) {
  const url = req.url();
  if (!url.startsWith(ORIGIN)) {
    if (url.startsWith("data:")) return req.continue(); // never leaves the page
    refused.push(url.slice(0, 120));
    return req.abort("blockedbyclient");
  }
  const file = path.resolve(deps.dist, decodeURIComponent(new URL(url).pathname.slice(1)));
  if (!file.startsWith(deps.dist + path.sep) || !fs.existsSync(file)) {
    return req.respond({ status: 404, body: "" });
  }
  if (!deps.files.has(file)) deps.files.set(file, fs.readFileSync(file));
  return req.respond({
    status: 200,
    contentType: "text/javascript",
    headers: { "Access-Control-Allow-Origin": "*" },
    body: deps.files.get(file),
  });
}

async function launch(puppeteer, chromium, userDataDir) {
  return puppeteer.launch({
    executablePath: chromium,
    headless: "shell",
    pipe: true, // no debugging port; Chromium exits when we do
    userDataDir,
    args: CHROMIUM_ARGS,
  });
}

// A page with mermaid loaded from node_modules, and our scripts. (Pages in the default
// context: a browser context per worker cost extra renderer processes, ~1 s of CPU each.)
// `refused` collects what the pages asked for and did not get (dialogs too).
async function openWorker(browser, deps, config, refused) {
  const page = await browser.newPage();
  await page.setRequestInterception(true);
  page.on("request", (req) => serve(req, deps, refused));
  page.on("dialog", (dialog) => {
    refused.push(`dialog: ${dialog.message().slice(0, 80)}`);
    dialog.dismiss().catch(() => {});
  });
  await page.setContent(PAGE);
  await page.evaluate(async (url, cfg) => {
    window.mermaid = (await import(url)).default;
    window.mermaid.initialize(cfg);
  }, ORIGIN + "mermaid.esm.min.mjs", config);
  // Evaluated, not <script> tags: the page's policy allows no inline script.
  for (const script of PAGE_SCRIPTS) await page.evaluate(fs.readFileSync(script, "utf-8"));
  return page;
}

// The SVG the PDF is made from, when it differs (pdfsvg.js).
const pdfSvgPath = (svg) => svg.replace(/\.svg$/, ".pdf.svg");

function writeAtomic(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

// mermaid's own message ("Parse error on line N: ..."), without stack frames that would
// only name this machine's paths; short enough for a one-line diagnostic.
function shortError(e) {
  const text = String((e && e.message) || e).trim();
  const lines = text.split("\n").filter((l) => !/^\s*at\s|\.m?js:\d+:\d+\)?\s*$/.test(l));
  return lines.slice(0, 6).join("\n").slice(0, 800);
}

class Batch {
  constructor(spec, deps, browser) {
    this.spec = spec;
    this.deps = deps;
    this.browser = browser;
    this.queue = [...spec.jobs];
    this.perDiagramMs = spec.diagram_timeout_s * 1000;
    this.refused = [];   // requests refused, loads stopped and dialogs dismissed, all pages
    this.effects = [];   // signs of a script having run (inert.js: zennbookEffects)
  }

  async run() {
    const n = Math.max(1, Math.min(this.spec.workers, this.queue.length));
    await Promise.all(Array.from({ length: n }, () => this.worker()));
  }

  async worker() {
    let w = null;
    while (this.queue.length) {
      const job = this.queue.shift();
      try {
        w ??= await this.open();
      } catch (e) {
        // mermaid cannot load at all: every diagram left would fail the same way.
        for (const left of [job, ...this.queue.splice(0)]) {
          emit({ id: left.id, error: `loading mermaid failed: ${shortError(e)}`, kind: "crash" });
        }
        return;
      }
      try {
        await this.renderOne(w, job);
      } catch (e) {
        const kind = e instanceof TimeoutError ? "timeout" : "crash";
        emit({ id: job.id, error: shortError(e), kind });
        // The page may be stuck in a layout loop: closing it ends its renderer.
        if (w) await w.close().catch(() => {});
        w = null;
      }
    }
    if (w) await this.retire(w);
  }

  note(where, { effects, stopped }) {
    for (const what of [...effects, ...stopped]) log(`${where}: ${what}`);
    this.effects.push(...effects);
    this.refused.push(...stopped);
  }

  // A last look for late effects (a refused load is reported after the render returns).
  async retire(page) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const late = await page.evaluate(() => window.zennbookEffects()).catch(() => null);
    if (late) this.note("at the end", late);
    await page.close().catch(() => {});
  }

  async open() {
    const page = await withTimeout(openWorker(this.browser, this.deps, this.spec.config, this.refused),
      60000, "loading mermaid");
    log("mermaid loaded in a worker page");
    return page;
  }

  async renderOne(page, job) {
    const start = Date.now();
    const render = (source, id, config) => window.zennbookRender(source, id, config);
    const out = await withTimeout(page.evaluate(render, job.source, job.id, this.spec.config),
      this.perDiagramMs, "diagram");
    this.note(`${job.id} (or one before it)`, out);
    if (out.rejected !== undefined) {
      emit({ id: job.id, error: shortError(out.rejected), kind: "syntax" });
      return;
    }
    writeAtomic(job.svg, out.xml);
    if (out.pdfXml) writeAtomic(pdfSvgPath(job.svg), out.pdfXml);
    emit({ id: job.id, ok: true, width: out.width, height: out.height, ms: Date.now() - start });
  }
}

// What must go when we exit, however we exit (a deadline, a signal, a crash).
const live = { browser: null, userDataDir: null };

function cleanup() {
  const proc = live.browser && live.browser.process();
  if (proc && proc.exitCode === null) proc.kill("SIGKILL");
  if (live.userDataDir) fs.rmSync(live.userDataDir, { recursive: true, force: true });
}

async function main() {
  const spec = JSON.parse(fs.readFileSync(process.argv[2], "utf-8"));
  setTimeout(() => {
    log(`batch timed out after ${spec.batch_timeout_s} s`);
    process.exit(3);
  }, spec.batch_timeout_s * 1000).unref();
  const deps = await loadDeps(spec.modules);
  live.userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "zennbook-chromium-"));
  try {
    live.browser = await withTimeout(launch(deps.puppeteer, spec.chromium, live.userDataDir),
      60000, "chromium start");
  } catch (e) {
    emit({ fatal: shortError(e), kind: "launch" });
    return;
  }
  log(`chromium started; ${spec.jobs.length} diagram(s), ${spec.workers} worker(s)`);
  const batch = new Batch(spec, deps, live.browser);
  await batch.run();
  await live.browser.close().catch(() => {});
  for (const url of batch.refused) log(`refused: ${url}`);
  log(`done; ${batch.refused.length} load(s) or dialog(s) refused, ${batch.effects.length} sign(s) of a script`);
  emit({ done: true, refused: batch.refused, effects: batch.effects });
}

process.on("exit", cleanup);
for (const sig of ["SIGTERM", "SIGINT"]) process.on(sig, () => process.exit(130));

main().catch((e) => {
  log(e && e.stack ? e.stack : String(e));
  process.exitCode = 1;
});
