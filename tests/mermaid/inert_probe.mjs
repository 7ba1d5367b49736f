// Test helper: inert.js's makeInert on hand-written SVG, in Chromium, as zennbookRender
// calls it (markup parsed as HTML, then serialized as XML).
//
// usage: node inert_probe.mjs JOBFILE   JOBFILE: {modules, chromium, page_script, cases: {name: svg}}
// stdout: {name: xml}
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const job = JSON.parse(fs.readFileSync(process.argv[2], "utf-8"));
const require = createRequire(path.join(job.modules, "noop.js"));
const puppeteer = (await import(pathToFileURL(require.resolve("puppeteer")).href)).default;
const browser = await puppeteer.launch({ executablePath: job.chromium, headless: "shell", pipe: true,
  args: ["--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND"] });
try {
  const page = await browser.newPage();
  await page.setRequestInterception(true);
  page.on("request", (req) => req.abort());
  await page.setContent("<!doctype html><html><body></body></html>");
  await page.evaluate(fs.readFileSync(job.page_script, "utf-8"));
  const out = await page.evaluate((cases) => {
    const result = {};
    for (const [name, markup] of Object.entries(cases)) {
      const doc = new DOMParser().parseFromString(`<!doctype html><body>${markup}`, "text/html");
      const root = doc.querySelector("svg");
      makeInert(root); // eslint-disable-line no-undef -- inert.js's
      result[name] = new XMLSerializer().serializeToString(root);
    }
    return result;
  }, job.cases);
  process.stdout.write(JSON.stringify(out));
} finally {
  await browser.close();
}
