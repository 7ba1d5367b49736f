// Test helper: Chromium's own picture of SVG files, and points inside their shapes.
//
// usage: node svg_probe.mjs JOBFILE
// JOBFILE: {modules, chromium, svgs: {name: {file, png}}, pdfsvg?: path, forpdf?: {name: {file, out}}}
// stdout: {name: {width, height, points: [[x, y, tag], ...], effects: [...]}}; each SVG's
// screenshot (at its own size in CSS px, one pixel per px) is written to its `png`. With
// `pdfsvg` (zennbook's pdfsvg.js), each `forpdf` SVG's PDF copy (forPdf; the SVG itself
// when forPdf gives none) is written to its `out`.
// A point lies inside a shape's fill, away from its stroke and its edges, with nothing
// drawn over it (so that its colour there is the shape's own paint). `effects`: each
// element with a filter or an opacity below 1, as "tag.class: filter / opacity".
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const job = JSON.parse(fs.readFileSync(process.argv[2], "utf-8"));
const require = createRequire(path.join(job.modules, "noop.js"));
const puppeteer = (await import(pathToFileURL(require.resolve("puppeteer")).href)).default;
const browser = await puppeteer.launch({ executablePath: job.chromium, headless: "shell", pipe: true,
  args: ["--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND"] });

function probe() {
  function pointInside(shape, box) {
    const toShape = shape.getScreenCTM().inverse();
    for (let fy = 0.2; fy < 0.85; fy += 0.15) {
      for (let fx = 0.1; fx < 0.95; fx += 0.1) {
        const x = Math.round(box.left + fx * box.width), y = Math.round(box.top + fy * box.height);
        const clear = [-3, 0, 3].every((dx) => [-3, 0, 3].every((dy) => {
          const p = new DOMPoint(x + dx, y + dy).matrixTransform(toShape);
          return document.elementFromPoint(x + dx, y + dy) === shape && shape.isPointInFill(p)
            && !shape.isPointInStroke(p);
        }));
        if (clear) return { x, y };
      }
    }
    return null;
  }

  const svg = document.querySelector("svg");
  const effects = [];
  for (const el of svg.querySelectorAll("*")) {
    const s = getComputedStyle(el);
    if (s.filter !== "none" || parseFloat(s.opacity) < 1) {
      effects.push(`${el.localName}.${el.getAttribute("class") || ""}: ${s.filter} / ${s.opacity}`);
    }
  }
  const points = [];
  const shapes = svg.querySelectorAll("rect, path, circle, ellipse, polygon");
  for (const shape of shapes) {
    if (shape.closest("defs, marker, clipPath, mask")) continue;
    const box = shape.getBoundingClientRect();
    if (box.width < 16 || box.height < 16) continue;
    const point = pointInside(shape, box);
    if (point) points.push([point.x, point.y, shape.localName]);
  }
  return { width: svg.width.baseVal.value, height: svg.height.baseVal.value, points, effects };
}

try {
  const page = await browser.newPage();
  await page.setRequestInterception(true);
  page.on("request", (req) => (req.url().startsWith("data:") ? req.continue() : req.abort()));
  const out = {};
  if (job.pdfsvg) {
    await page.setContent("<!doctype html><html><body></body></html>");
    await page.evaluate(fs.readFileSync(job.pdfsvg, "utf-8"));   // once: its consts are global
  }
  for (const { file, out: target } of Object.values(job.forpdf ?? {})) {
    const markup = fs.readFileSync(file, "utf-8");
    const xml = await page.evaluate((svg) => {
      document.body.innerHTML = svg;
      return forPdf(document.querySelector("svg")); // eslint-disable-line no-undef
    }, markup);
    fs.writeFileSync(target, xml ?? markup);
  }
  for (const [name, { file, png }] of Object.entries(job.svgs)) {
    const markup = fs.readFileSync(file, "utf-8");
    await page.setViewport({ width: 100, height: 100, deviceScaleFactor: 1 });
    await page.setContent(`<!doctype html><html><body style="margin:0;background:#fff">${markup}</body></html>`);
    const size = await page.evaluate(() => {
      const svg = document.querySelector("svg");
      return { width: Math.ceil(svg.width.baseVal.value), height: Math.ceil(svg.height.baseVal.value) };
    });
    await page.setViewport({ ...size, deviceScaleFactor: 1 });
    out[name] = await page.evaluate(probe);
    await page.screenshot({ path: png, clip: { x: 0, y: 0, ...size } });
  }
  process.stdout.write(JSON.stringify(out));
} finally {
  await browser.close();
}
