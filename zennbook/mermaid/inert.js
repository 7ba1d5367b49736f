// Browser side of render.mjs, loaded last into each worker page: a diagram is untrusted
// input. makeInert(svg) leaves no script, no event handler, no link and no reference to
// anything outside the SVG; zennbookEffects() tells whether anything ran or tried to load.
"use strict";

// -- what a script would have changed ------------------------------------------------------

// {effects, stopped}: what changed in the page that only a script could (a new global,
// another title; there should never be any) and what the page's policy stopped before it
// became a request (an image, a font, an inline handler). Reported once each.
window.zennbookEffects = function zennbookEffects() {
  const effects = Object.getOwnPropertyNames(window).filter((name) => !BASELINE.globals.has(name));
  effects.forEach((name) => BASELINE.globals.add(name));
  if (document.title !== BASELINE.title) effects.push(`document.title=${document.title.slice(0, 40)}`);
  BASELINE.title = document.title;
  return { effects, stopped: BASELINE.stopped.splice(0) };
};
const BASELINE = { globals: new Set(Object.getOwnPropertyNames(window)), title: document.title,
  stopped: [] };
document.addEventListener("securitypolicyviolation", (e) => {
  BASELINE.stopped.push(`${e.effectiveDirective}: ${String(e.blockedURI).slice(0, 100)}`);
});

// -- inert SVG -----------------------------------------------------------------------------

// The elements a diagram is drawn with; anything else (script, foreignObject, iframe,
// animation that could set an attribute, HTML) goes with its content. <a> is unwrapped.
const DRAWING = new Set(["svg", "g", "defs", "style", "title", "desc", "path", "rect", "circle",
  "ellipse", "line", "polyline", "polygon", "text", "tspan", "textPath", "marker", "symbol",
  "use", "image", "switch", "linearGradient", "radialGradient", "stop", "pattern", "clipPath",
  "mask", "filter", "feBlend", "feColorMatrix", "feComponentTransfer", "feComposite",
  "feConvolveMatrix", "feDiffuseLighting", "feDisplacementMap", "feDistantLight",
  "feDropShadow", "feFlood", "feFuncA", "feFuncB", "feFuncG", "feFuncR", "feGaussianBlur",
  "feMerge", "feMergeNode", "feMorphology", "feOffset", "fePointLight", "feSpecularLighting",
  "feSpotLight", "feTile", "feTurbulence", "metadata"]);
const LOCAL_URL = /^\s*url\(\s*(["']?)#[\w.:-]*\1\s*\)\s*$/i; // url(#id), all the value
const MAY_FETCH = /url\s*\(|image-set|@import|@font-face|\bsrc\b|\\|javascript:|expression\s*\(/i;
const RASTER_DATA = /^data:image\/(png|jpeg|gif|webp);base64,[a-z0-9+/=\s]*$/i;

function makeInert(root) {
  for (const el of [...root.querySelectorAll("*")]) {
    if (!root.contains(el)) continue; // went with a removed parent
    if (el.localName === "a") unwrap(el);
    else if (!DRAWING.has(el.localName) || el.namespaceURI !== "http://www.w3.org/2000/svg") el.remove();
  }
  for (const el of [root, ...root.querySelectorAll("*")]) {
    inertAttributes(el);
    if (el.localName === "style") el.textContent = inertCss(el.textContent);
  }
}

function unwrap(a) {
  const g = a.ownerDocument.createElementNS("http://www.w3.org/2000/svg", "g");
  for (const { name, value } of a.attributes) {
    if (!/href$|^target$/i.test(name)) g.setAttribute(name, value);
  }
  g.append(...a.childNodes);
  a.replaceWith(g);
}

// No handlers; links only to this SVG's own ids (an <image> may hold a raster data: URI);
// no CSS value that could fetch.
function inertAttributes(el) {
  for (const { name, value } of [...el.attributes]) {
    const lower = name.toLowerCase();
    if (lower.startsWith("on") || lower === "xml:base") {
      el.removeAttribute(name);
    } else if (lower === "href" || lower.endsWith(":href")) {
      const ok = value.trim().startsWith("#") || (el.localName === "image" && RASTER_DATA.test(value));
      if (!ok) el.removeAttribute(name);
    } else if (lower === "style") {
      if (MAY_FETCH.test(value)) el.setAttribute("style", inertDeclarations(el.style));
    } else if (MAY_FETCH.test(value) && !LOCAL_URL.test(value)) {
      el.removeAttribute(name);
    }
  }
  if (el.localName === "image" && !el.hasAttribute("href") && !el.hasAttribute("xlink:href")) el.remove();
}

// CSS is read by the browser's own parser (escapes and all), and every rule that could
// fetch is dropped: @import, @font-face, any url() but #id, image-set(). Style sheets
// that cannot fetch are kept as they are, byte for byte.
function inertCss(text) {
  if (!MAY_FETCH.test(text)) return text;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(text.replace(/@import[^;]*;?/gi, "")); // replaceSync refuses @import anyway
  return inertRules(sheet.cssRules).join("\n");
}

function inertRules(rules) {
  const out = [];
  for (const rule of rules) {
    if (rule instanceof CSSImportRule || rule instanceof CSSFontFaceRule) continue;
    if (rule.style) inertDeclarations(rule.style);
    if (rule.cssRules && !(rule instanceof CSSStyleRule)) {
      const inner = inertRules(rule.cssRules);
      const head = rule.cssText.slice(0, rule.cssText.indexOf("{"));
      out.push(`${head}{${inner.join("")}}`);
    } else {
      out.push(rule.cssText);
    }
  }
  return out;
}

function inertDeclarations(style) {
  for (const property of [...style]) {
    const value = style.getPropertyValue(property);
    if (/url\s*\(|image-set|expression/i.test(value) && !LOCAL_URL.test(value)) style.removeProperty(property);
  }
  return style.cssText;
}

// mermaid sizes its SVG with width="100%" and a max-width: a file needs its own size.
