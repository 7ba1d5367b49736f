// Browser side of render.mjs, with page.js: the SVG the PDF is made from.
"use strict";

// -- the PDF's SVG -------------------------------------------------------------------------
//
// librsvg and cairo turn into pictures what sits in a group with opacity or a CSS filter
// (timeline sections are brightened, gantt ticks faded): its text would be neither sharp
// nor text. And they draw a colour emoji as a small bitmap. So the PDF is made from a copy
// (null when it would be the same) with such text lifted out of those groups and the
// colour emoji drawn as images. The HTML and EPUB keep the plain SVG.
function forPdf(root) {
  const raster = rasterisedTexts(root);
  if (!raster.length && !EMOJI_CANDIDATE.test(root.textContent)) return null;
  const copy = root.cloneNode(true);
  document.body.append(copy);
  try {
    const lifted = liftTexts(copy, rasterisedTexts(copy));
    const emoji = addEmojiImages(copy);
    return lifted || emoji ? new XMLSerializer().serializeToString(copy) : null;
  } finally {
    copy.remove();
  }
}

// Each <text> under a group with opacity below 1 or a filter, with its outermost such group.
function rasterisedTexts(svg) {
  const found = [];
  for (const text of svg.querySelectorAll("text")) {
    let outer = null;
    for (let el = text; el && el !== svg; el = el.parentElement) {
      const style = getComputedStyle(el);
      if (parseFloat(style.opacity) < 1 || style.filter !== "none") outer = el;
    }
    if (outer) found.push({ text, outer });
  }
  return found;
}

// The text is drawn again after its group, outside it, with the look it had: its computed
// paint and font, the group's opacity folded into its fill, brightness() into its colour.
// The original stays in the group, hidden. (A drop shadow on text is lost.)
function liftTexts(svg, found) {
  for (const { text, outer } of found.reverse()) {
    const copy = text.cloneNode(true);
    const pairs = [[text, copy], ...zip(text.querySelectorAll("tspan"), copy.querySelectorAll("tspan"))];
    for (const [from, to] of pairs) inlineTextStyle(from, to, outer);
    const matrix = outer.parentElement.getScreenCTM().inverse().multiply(text.getScreenCTM());
    copy.setAttribute("transform", matrixText(matrix));
    copy.removeAttribute("id");
    outer.after(copy);
    text.setAttribute("visibility", "hidden");
  }
  return found.length > 0;
}

function zip(a, b) {
  return [...a].map((item, i) => [item, b[i]]);
}

const LIFTED_STYLE = ["font-family", "font-size", "font-weight", "font-style", "text-anchor",
  "letter-spacing", "stroke", "stroke-width", "stroke-opacity", "text-decoration"];

function inlineTextStyle(from, to, outer) {
  const style = getComputedStyle(from);
  for (const property of LIFTED_STYLE) to.style.setProperty(property, style.getPropertyValue(property));
  let alpha = parseFloat(style.fillOpacity);
  let bright = 1;
  for (let el = from.closest("text").parentElement; el; el = el.parentElement) {
    const own = getComputedStyle(el);
    alpha *= parseFloat(own.opacity);
    for (const [, amount, percent] of own.filter.matchAll(/brightness\(([\d.]+)(%?)\)/g)) {
      bright *= percent ? amount / 100 : Number(amount);
    }
    if (el === outer) break;
  }
  to.style.setProperty("fill", brighter(style.fill, bright));
  to.style.setProperty("fill-opacity", String(+alpha.toFixed(4)));
  to.style.setProperty("visibility", "visible");
}

function brighter(colour, factor) {
  const m = colour.match(/^rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)/);
  if (!m || factor === 1) return colour;
  const [r, g, b] = m.slice(1, 4).map((v) => Math.min(255, Math.round(v * factor)));
  return `rgb(${r}, ${g}, ${b})`;
}

function matrixText(m) {
  return `matrix(${[m.a, m.b, m.c, m.d, m.e, m.f].map((v) => +v.toFixed(4)).join(" ")})`;
}

// -- colour emoji for the PDF --------------------------------------------------------------
//
// cairo can draw a colour emoji glyph only as a small bitmap that is not text. pdf.py
// makes every emoji glyph a speck of a text font with the same metrics (so the PDF keeps
// the emoji as text: search and copy find it), and this draws each emoji that Chromium
// drew in colour as a sharp image over it.

const SVG_NS = "http://www.w3.org/2000/svg";
const EMOJI_CANDIDATE = /\p{Extended_Pictographic}|\p{Regional_Indicator}/u;
const EMOJI_SCALE = 8;                     // image pixels per CSS px: 128 px for a 16 px label
const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });
const colourCache = new Map();

// Adds the images to `svg` (in the live page); whether there were any.
function addEmojiImages(svg) {
  if (!EMOJI_CANDIDATE.test(svg.textContent)) return false;
  const layer = document.createElementNS(SVG_NS, "g");
  layer.setAttribute("class", "zb-emoji");
  const toRoot = svg.getScreenCTM().inverse();
  for (const span of wrapColourEmoji(svg)) layer.append(emojiImage(span, toRoot));
  if (!layer.childNodes.length) return false;
  svg.append(layer);
  return true;
}

// Each cluster drawn in colour gets its own <tspan> (no position of its own: the layout
// does not change), so that it can be measured.
function wrapColourEmoji(svg) {
  const spans = [];
  const walker = svg.ownerDocument.createTreeWalker(svg, NodeFilter.SHOW_TEXT);
  const nodes = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.parentNode.closest("text") && EMOJI_CANDIDATE.test(n.data)) nodes.push(n);
  }
  for (const node of nodes) {
    if (getComputedStyle(node.parentNode).visibility === "hidden") continue; // lifted: the copy counts
    const font = getComputedStyle(node.parentNode).fontFamily;
    let offset = 0;
    let rest = node;
    for (const { segment } of [...graphemes.segment(node.data)]) {
      if (EMOJI_CANDIDATE.test(segment) && drawnInColour(segment, font)) {
        const emoji = rest.splitText(offset);
        rest = emoji.splitText(segment.length);
        const span = document.createElementNS(SVG_NS, "tspan");
        emoji.replaceWith(span);
        span.append(emoji);
        spans.push(span);
        offset = 0;
      } else {
        offset += segment.length;
      }
    }
  }
  return spans;
}

// Whether Chromium draws this cluster with a colour font (the fallback for emoji).
function drawnInColour(cluster, font) {
  const key = `${font}\u0000${cluster}`;
  if (!colourCache.has(key)) {
    const canvas = new OffscreenCanvas(48, 48);
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    ctx.font = `32px ${font}`;
    ctx.fillStyle = "#000";
    ctx.fillText(cluster, 4, 36);
    const pixels = ctx.getImageData(0, 0, 48, 48).data;
    let colour = false;
    for (let i = 0; i < pixels.length && !colour; i += 4) {
      colour = pixels[i + 3] > 0 && Math.max(pixels[i], pixels[i + 1], pixels[i + 2]) > 40;
    }
    colourCache.set(key, colour);
  }
  return colourCache.get(key);
}

// An <image> of the cluster, in the root's user space, where Chromium drew its glyph.
function emojiImage(span, toRoot) {
  const size = parseFloat(getComputedStyle(span).fontSize) || 16;
  const origin = span.getStartPositionOfChar(0);             // pen position on the baseline
  const rotation = span.getRotationOfChar(0) || 0;
  const { href, left, top, width, height } = drawEmoji(span.textContent, size);
  const matrix = toRoot.multiply(span.getScreenCTM())
    .translate(origin.x, origin.y).rotate(rotation);
  const image = document.createElementNS(SVG_NS, "image");
  image.setAttribute("transform", matrixText(matrix));
  image.setAttribute("x", left.toFixed(3));
  image.setAttribute("y", top.toFixed(3));
  image.setAttribute("width", width.toFixed(3));
  image.setAttribute("height", height.toFixed(3));
  image.setAttribute("href", href);
  return image;
}

// The cluster drawn with the colour emoji font at EMOJI_SCALE times `size`, cropped to its
// ink, as a PNG data: URI; left/top/width/height in CSS px from the pen position on the
// baseline. Kept for the page's life: a course repeats the same few emoji.
const drawnEmoji = new Map();

function drawEmoji(cluster, size) {
  const key = `${size}\u0000${cluster}`;
  if (!drawnEmoji.has(key)) drawnEmoji.set(key, drawEmojiOnce(cluster, size));
  return drawnEmoji.get(key);
}

function drawEmojiOnce(cluster, size) {
  const font = `${size * EMOJI_SCALE}px "Noto Color Emoji"`;
  const probe = new OffscreenCanvas(1, 1).getContext("2d");
  probe.font = font;
  const m = probe.measureText(cluster);
  const pad = EMOJI_SCALE;
  const w = Math.ceil(m.actualBoundingBoxLeft + m.actualBoundingBoxRight) + 2 * pad;
  const h = Math.ceil(m.actualBoundingBoxAscent + m.actualBoundingBoxDescent) + 2 * pad;
  const canvas = new OffscreenCanvas(Math.max(1, w), Math.max(1, h));
  const ctx = canvas.getContext("2d");
  ctx.font = font;
  ctx.fillText(cluster, pad + m.actualBoundingBoxLeft, pad + m.actualBoundingBoxAscent);
  return { href: canvasDataUrl(canvas), left: -(pad + m.actualBoundingBoxLeft) / EMOJI_SCALE,
           top: -(pad + m.actualBoundingBoxAscent) / EMOJI_SCALE,
           width: canvas.width / EMOJI_SCALE, height: canvas.height / EMOJI_SCALE };
}

function canvasDataUrl(offscreen) {
  const canvas = document.createElement("canvas");
  canvas.width = offscreen.width;
  canvas.height = offscreen.height;
  canvas.getContext("2d").drawImage(offscreen, 0, 0);
  return canvas.toDataURL("image/png");
}
