// TeX formulas to standalone SVG with a spoken label, all of a book in ONE node process.
//
// usage: node render.mjs JOBFILE
// JOBFILE (JSON): {modules, locale, formula_timeout_s, jobs: [{id, tex, display}]}
// stdout: one JSON object per line, as each formula is done:
//         {id, ok: true, svg, speech, width_ex, height_ex} or {id, error, kind: "tex"|"crash"};
//         then {done: true}. {fatal} when MathJax itself cannot be loaded.
// stderr: the log.
//
// MathJax 4 (the @mathjax/src package, no browser): TeX input -> MathML (for the speech)
// and SVG output with every glyph drawn as a path in place (fontCache "none": no ids, so
// a formula can appear twice in one document, and no font is fetched). The speech comes from the Speech Rule Engine MathJax ships, from the
// formula's MathML. The SVG is made an image for assistive technology: role="img", an
// aria-label and a <title> with the speech; MathJax's own attributes that are not SVG
// (data-*, focusable) are left to the Python side's sanitizer.
//
// A formula is untrusted input: TeX that loads packages, defines macros that never end,
// or names URLs is refused by the extensions we load (no require, no html, no href), and
// each formula has its own time limit.
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const emit = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
const started = Date.now();
const log = (msg) => process.stderr.write(`mathsvg +${Date.now() - started}ms: ${msg}\n`);

// The TeX packages a course needs; none that loads files, runs code or makes links
// (no require, html, href, bbox with URLs); an unknown macro is an error, not red text.
const PACKAGES = {
  ams: "ams/AmsConfiguration.js", newcommand: "newcommand/NewcommandConfiguration.js",
  boldsymbol: "boldsymbol/BoldsymbolConfiguration.js", braket: "braket/BraketConfiguration.js",
  cancel: "cancel/CancelConfiguration.js", cases: "cases/CasesConfiguration.js",
  color: "color/ColorConfiguration.js", mathtools: "mathtools/MathtoolsConfiguration.js",
  physics: "physics/PhysicsConfiguration.js", upgreek: "upgreek/UpgreekConfiguration.js",
  textmacros: "textmacros/TextMacrosConfiguration.js", empheq: "empheq/EmpheqConfiguration.js",
};

// MathJax's ES modules, imported by file from the node_modules the caller found (one copy
// of each module: the font package imports the same files through the package's exports).
async function load(modules) {
  const require = createRequire(path.join(modules, "noop.js"));
  const root = (name) => path.dirname(require.resolve(`${name}/package.json`));
  const mathjaxRoot = path.join(root("@mathjax/src"), "mjs");
  const src = (file) => import(pathToFileURL(path.join(mathjaxRoot, file)).href);
  const { mathjax } = await src("mathjax.js");
  const { TeX } = await src("input/tex.js");
  const { SVG } = await src("output/svg.js");
  const { liteAdaptor } = await src("adaptors/liteAdaptor.js");
  const { RegisterHTMLHandler } = await src("handlers/html.js");
  const { SerializedMmlVisitor } = await src("core/MmlTree/SerializedMmlVisitor.js");
  const { STATE } = await src("core/MathItem.js");
  await src("util/asyncLoad/esm.js");
  await src("input/tex/base/BaseConfiguration.js");
  for (const file of Object.values(PACKAGES)) await src(`input/tex/${file}`);
  const font = await import(pathToFileURL(path.join(root("@mathjax/mathjax-newcm-font"), "mjs", "svg.js")).href);
  // SRE's CommonJS build: its ES build finds neither `fs` nor its locale files under node.
  const sre = require("speech-rule-engine");
  return { mathjax, TeX, SVG, liteAdaptor, RegisterHTMLHandler, SerializedMmlVisitor, STATE,
           font: font.MathJaxNewcmFont, sre };
}

async function main() {
  const job = JSON.parse(fs.readFileSync(process.argv[2], "utf-8"));
  let mj;
  try {
    mj = await load(job.modules);
  } catch (error) {
    emit({ fatal: `MathJax cannot be loaded: ${error.message}` });
    process.exit(2);
  }
  const adaptor = mj.liteAdaptor();
  mj.RegisterHTMLHandler(adaptor);
  const tex = new mj.TeX({ packages: ["base", ...Object.keys(PACKAGES)], formatError: (jax, err) => { throw err; } });
  // inline math in one piece: MathJax 4 otherwise splits it into one <svg> per line part
  const svg = new mj.SVG({ fontData: mj.font, fontCache: "none", linebreaks: { inline: false } });
  const html = mj.mathjax.document("", { InputJax: tex, OutputJax: svg });
  const visitor = new mj.SerializedMmlVisitor();
  await mj.sre.setupEngine({ locale: job.locale || "en", domain: "clearspeak", modality: "speech" });
  await mj.sre.engineReady();
  for (const item of job.jobs) {
    try {
      const options = { display: item.display };
      const node = await withTimeout(html.convertPromise(item.tex, options), job.formula_timeout_s * 1000);
      const mml = visitor.visitTree(html.convert(item.tex, { ...options, end: mj.STATE.COMPILED }));
      const speech = mj.sre.toSpeech(mml).trim();
      emit({ id: item.id, ok: true, svg: adaptor.outerHTML(adaptor.firstChild(node)), speech });
    } catch (error) {
      emit({ id: item.id, error: String(error.message || error).slice(0, 300), kind: "tex" });
    }
  }
  emit({ done: true });
}

function withTimeout(promise, ms) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

main().catch((error) => { log(error.stack || String(error)); process.exit(1); });
