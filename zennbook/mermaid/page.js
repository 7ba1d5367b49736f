// Browser side of render.mjs: loaded into each worker page after mermaid, with
// pdfsvg.js (before) and inert.js (after, last: it notes the page's globals).
//
// window.zennbookRender(source, id, config) renders one diagram and returns
// {xml, pdfXml, width, height, effects, stopped}: a standalone SVG document, the one the PDF
// is made from when it differs (else null; pdfsvg.js), the size in CSS px; or
// {rejected: message, effects, stopped} when mermaid refuses the source (bad syntax,
// unknown type). effects and stopped: see inert.js, zennbookEffects.
// Anything else thrown here is our bug or a dying page, never the diagram's fault.
//
// The SVG is made inert first (a diagram is untrusted input: inert.js), then rewritten so
// that EPUBCheck's SVG 1.1 schema accepts it and librsvg (which makes the PDF) draws it
// where Chromium does.
"use strict";

// attribute -> the elements SVG 1.1 allows it on (filter primitives are left alone)
const SIZED = new Set(["svg", "rect", "image", "use", "foreignObject", "pattern", "mask",
  "filter", "symbol"]);
const LINES = new Set(["line", "linearGradient"]);
const ROUND = new Set(["circle", "ellipse", "radialGradient"]);
const OWNED = new Map([
  ["width", SIZED], ["height", SIZED],
  ["viewBox", new Set(["svg", "symbol", "marker", "pattern", "view"])],
  ["x1", LINES], ["y1", LINES], ["x2", LINES], ["y2", LINES],
  ["cx", ROUND], ["cy", ROUND], ["r", new Set(["circle", "radialGradient"])],
  ["overflow", new Set(["svg", "symbol", "marker", "pattern", "foreignObject", "image"])],
]);

window.zennbookRender = async function zennbookRender(source, id, config) {
  let svg;
  try {
    window.mermaid.initialize({ ...config, deterministicIDSeed: id });
    ({ svg } = await window.mermaid.render(id, source));
  } catch (e) {
    document.getElementById(`d${id}`)?.remove(); // mermaid may leave its scratch element
    return { rejected: String((e && e.message) || e), ...window.zennbookEffects() };
  }
  // mermaid returns HTML-serialized markup (it may hold "&nbsp;", not XML); re-reading it
  // in an inert DOMParser document costs no layout.
  const doc = new DOMParser().parseFromString(`<!doctype html><body>${svg}`, "text/html");
  const root = doc.querySelector("svg");
  makeInert(root); // before it ever enters the live page
  fixSize(root);
  toSvg11(root);
  document.body.append(root); // what follows measures, which needs layout
  try {
    if (svg.includes("baseline")) bakeBaselines(root);
    const { width, height } = fitViewBox(root);
    const xml = new XMLSerializer().serializeToString(root);
    return { xml, pdfXml: forPdf(root), width, height, ...window.zennbookEffects() };
  } finally {
    root.remove();
  }
};

// Labels that run past mermaid's viewBox (a quadrant point's name at the edge) were cut
// off in every output: the viewBox grows to hold every text. (Only text: a gantt chart's
// "today" line may lie far outside on purpose.)
function fitViewBox(root) {
  const [x, y, w, h] = root.getAttribute("viewBox").split(/[\s,]+/).map(Number);
  const box = textBox(root);
  const past = (a, b) => a - b > 0.5;    // overhangs of a fraction of a pixel are not cut
  const left = box && past(x, box.left) ? Math.floor(box.left) : x;
  const top = box && past(y, box.top) ? Math.floor(box.top) : y;
  const right = box && past(box.right, x + w) ? Math.ceil(box.right) : x + w;
  const bottom = box && past(box.bottom, y + h) ? Math.ceil(box.bottom) : y + h;
  if (left !== x || top !== y || right !== x + w || bottom !== y + h) {
    root.setAttribute("viewBox", `${left} ${top} ${right - left} ${bottom - top}`);
    root.setAttribute("width", String(right - left));
    root.setAttribute("height", String(bottom - top));
  }
  return { width: right - left, height: bottom - top };
}

// The union of the drawn texts' boxes, in the root's user space (null: no text).
function textBox(root) {
  const toRoot = root.getScreenCTM().inverse();
  let box = null;
  for (const text of root.querySelectorAll("text")) {
    if (!text.textContent.trim() || getComputedStyle(text).visibility === "hidden") continue;
    const b = text.getBBox();
    if (!(b.width > 0 && b.height > 0)) continue;
    const m = toRoot.multiply(text.getScreenCTM());
    for (const [px, py] of [[b.x, b.y], [b.x + b.width, b.y], [b.x, b.y + b.height],
      [b.x + b.width, b.y + b.height]]) {
      const p = new DOMPoint(px, py).matrixTransform(m);
      box = box ? { left: Math.min(box.left, p.x), top: Math.min(box.top, p.y),
        right: Math.max(box.right, p.x), bottom: Math.max(box.bottom, p.y) }
        : { left: p.x, top: p.y, right: p.x, bottom: p.y };
    }
  }
  return box;
}

function fixSize(root) {
  const [, , width, height] = (root.getAttribute("viewBox") || "").split(/[\s,]+/).map(Number);
  if (!(width > 0 && height > 0)) throw new Error("mermaid gave an SVG without a viewBox size");
  root.setAttribute("width", String(width));
  root.setAttribute("height", String(height));
  root.style.removeProperty("max-width");
  if (!root.getAttribute("style")) root.removeAttribute("style");
  return { width, height };
}

function toSvg11(root) {
  root.setAttribute("role", "img"); // SVG 1.1 knows img, document, application
  // A <switch> (user journeys) offers HTML in <foreignObject> and a <text> fallback.
  for (const fo of root.querySelectorAll("switch > foreignObject")) {
    if (fo.parentNode.children.length > 1) fo.remove();
  }
  for (const text of root.querySelectorAll("text")) {
    dropOverriddenOffsets(text);
    keepSpacesBetweenTspans(text);
  }
  const ids = new Set();
  for (const el of root.querySelectorAll("*")) {
    fixAttributes(el);
    if (el.id && ids.has(el.id)) el.removeAttribute("id"); // mindmaps repeat a node's id
    if (el.id) ids.add(el.id);
  }
}

// mermaid's own "name", empty or misplaced attributes, rects without a size (SVG 1.1
// draws nothing for those either), transform-origin (SVG 1.1 only has it in CSS).
function fixAttributes(el) {
  const tag = el.localName;
  el.removeAttribute("name");
  for (const attr of ["font-weight", "font-style", "font-size", "fill", "stroke"]) {
    if (el.getAttribute(attr) === "") el.removeAttribute(attr);
  }
  for (const [attr, owners] of OWNED) {
    if (!owners.has(tag) && !tag.startsWith("fe")) el.removeAttribute(attr);
  }
  if (tag === "rect") {
    if (!el.hasAttribute("width")) el.setAttribute("width", "0");
    if (!el.hasAttribute("height")) el.setAttribute("height", "0");
  }
  const origin = el.getAttribute("transform-origin");
  if (origin !== null) {
    el.removeAttribute("transform-origin");
    el.style.setProperty("transform-origin", origin);
  }
}

// A tspan's dx/dy replaces its text's for the first character; librsvg adds them up.
function dropOverriddenOffsets(text) {
  const first = [...text.childNodes].find((n) => n.nodeType === 1 || n.textContent.trim());
  for (const attr of ["dx", "dy"]) {
    if (first && first.nodeType === 1 && first.hasAttribute(attr)) text.removeAttribute(attr);
  }
}

// "a:" + " int" in two tspans (class members): librsvg drops a space at a tspan boundary
// unless told xml:space="preserve". Do what the default white-space rule does, then
// preserve the result.
function keepSpacesBetweenTspans(text) {
  const walker = text.ownerDocument.createTreeWalker(text, NodeFilter.SHOW_TEXT);
  const nodes = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n);
  const inner = nodes.some((n, i) => i > 0 && /^\s/.test(n.data)
    && nodes.slice(0, i).some((m) => m.data.trim()));
  if (!inner) return;
  let sofar = "";
  for (const n of nodes) {
    n.data = n.data.replace(/\n/g, "").replace(/\s+/g, " ");
    if (sofar === "" || sofar.endsWith(" ")) n.data = n.data.replace(/^ /, "");
    sofar += n.data;
  }
  const last = nodes.findLast((n) => n.data);
  if (last) last.data = last.data.replace(/ $/, "");
  text.setAttributeNS("http://www.w3.org/XML/1998/namespace", "xml:space", "preserve");
}

// librsvg (and some EPUB readers) ignore dominant-baseline and alignment-baseline, which
// mermaid uses to centre labels: measure where Chromium puts each such text, drop the
// property, and move the text by the difference, so every renderer draws it there.
function bakeBaselines(svg) {
  const texts = [...svg.querySelectorAll("text")]
    .filter((t) => [t, ...t.querySelectorAll("tspan")].some(hasBaseline));
  const before = texts.map((t) => t.getBBox().y);
  for (const t of texts) {
    for (const e of [t, ...t.querySelectorAll("tspan")]) {
      e.removeAttribute("dominant-baseline");
      e.removeAttribute("alignment-baseline");
      e.style.setProperty("dominant-baseline", "alphabetic");
      e.style.setProperty("alignment-baseline", "baseline");
    }
  }
  texts.forEach((t, i) => {
    const dy = before[i] - t.getBBox().y;
    if (Math.abs(dy) < 0.01) return;
    const old = t.getAttribute("transform");
    t.setAttribute("transform", `${old ? old + " " : ""}translate(0, ${dy.toFixed(3)})`);
  });
}

function hasBaseline(el) {
  const style = getComputedStyle(el);
  return !["auto", "alphabetic"].includes(style.dominantBaseline)
    || !["auto", "baseline", "alphabetic"].includes(style.alignmentBaseline);
}
