// Browser side of render.mjs, with page.js: the SVG the PDF is made from.
"use strict";

// -- the PDF's SVG -------------------------------------------------------------------------
//
// librsvg draws what sits under a CSS filter as a picture of the whole diagram at one pixel
// per point (timeline sections are brightened; the "neo" look adds drop shadows); cairo
// puts a group with opacity in a transparency group (gantt ticks are faded). And they draw
// a colour emoji as a small bitmap. So the PDF is made from a copy (null when it would be
// the same) where the effects that change only colours are folded into the paint of the
// shapes under them, and dropped (foldEffects); the text left under an effect is lifted out
// (liftTexts), and the colour emoji are drawn as images. The HTML and EPUB keep the plain SVG.
function forPdf(root) {
  if (!hasEffects(root) && !EMOJI_CANDIDATE.test(root.textContent)) return null;
  const copy = root.cloneNode(true);
  document.body.append(copy);
  try {
    const folded = [foldEffects, hardShadowsAsShapes, dropShadowsAsSvg11].map((step) => step(copy)).some(Boolean);
    const lifted = liftTexts(copy, rasterisedTexts(copy));
    const emoji = addEmojiImages(copy);
    const pictures = [...copy.querySelectorAll("*")].some((el) => getComputedStyle(el).filter !== "none");
    if (pictures) copy.setAttribute(PICTURES_MARK, "1");
    return folded || lifted || emoji || pictures ? new XMLSerializer().serializeToString(copy) : null;
  } finally {
    copy.remove();
  }
}

// On the copy when a filter is left: pdf.py then draws librsvg's pictures at print resolution
// (at a cost: text too is set at that scale, ~50% more time), else at one pixel per point.
const PICTURES_MARK = "data-zennbook-pictures";

function hasEffect(el) {
  const style = getComputedStyle(el);
  return parseFloat(style.opacity) < 1 || style.filter !== "none";
}

function hasEffects(svg) {
  return [...svg.querySelectorAll("*")].some(hasEffect);
}

// -- effects folded into the shapes' own paint ----------------------------------------------

const PAINTED = new Set(["path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text"]);
const OPAQUE_PARTS = new Set(["image", "use", "foreignObject"]);   // whose colours are not ours to set
// Content drawn where it is used (each use with its own context), or never: left alone.
const DRAWN_ELSEWHERE = "defs, marker, clipPath, mask, pattern, symbol";

// Deepest first, so that an outer group's effect applies to the paint its inner groups
// already changed. Whether any was folded.
function foldEffects(svg) {
  let folded = false;
  for (const el of [...svg.querySelectorAll("*")].reverse()) {
    if (!hasEffect(el) || el.closest(DRAWN_ELSEWHERE)) continue;
    const shapes = paintedUnder(el);
    if (!shapes?.length) continue;                           // an image, a <use>, a marker: kept
    const style = getComputedStyle(el);
    const functions = colourFunctions(style.filter);         // null: a blur, a shadow (pdf.py)
    if (functions === null) continue;                        // (its opacity applies after it: kept)
    const alpha = parseFloat(style.opacity);
    const foldColours = functions.length > 0;
    const foldAlpha = alpha < 1 && paintedApart(shapes);
    if (!foldColours && !foldAlpha) continue;
    const paints = shapes.flatMap(paintsOf);                 // all read before any is written
    for (const { el: shape, fill, stroke, fillOpacity, strokeOpacity } of paints) {
      if (foldColours) {
        shape.style.setProperty("fill", filtered(fill, functions));
        shape.style.setProperty("stroke", filtered(stroke, functions));
      }
      if (foldAlpha) {
        shape.style.setProperty("fill-opacity", String(+(fillOpacity * alpha).toFixed(4)));
        shape.style.setProperty("stroke-opacity", String(+(strokeOpacity * alpha).toFixed(4)));
      }
    }
    if (foldColours) el.style.setProperty("filter", "none");
    if (foldAlpha) el.style.setProperty("opacity", "1");
    folded = true;
  }
  return folded;
}

// The shapes and texts `el` paints (itself included), or null when a part of it cannot take
// a folded colour: an image, a <use>, a paint that is not one flat sRGB colour (a gradient,
// a pattern), a marker (drawn from elsewhere, in its own colours).
function paintedUnder(el) {
  const all = [el, ...el.querySelectorAll("*")];
  if (all.some((e) => OPAQUE_PARTS.has(e.localName))) return null;
  const shapes = all.filter((e) => PAINTED.has(e.localName) && !e.closest(DRAWN_ELSEWHERE));
  for (const shape of shapes) {
    const style = getComputedStyle(shape);
    if ([style.markerStart, style.markerMid, style.markerEnd].some((m) => m && m !== "none")) return null;
  }
  const flat = (paint) => paint === "none" || FLAT_COLOUR.test(paint);
  return shapes.flatMap(paintsOf).every((p) => flat(p.fill) && flat(p.stroke)) ? shapes : null;
}

// The computed paint of a shape, and of each tspan of a text (which may have its own).
function paintsOf(shape) {
  const parts = shape.localName === "text" ? [shape, ...shape.querySelectorAll("tspan")] : [shape];
  return parts.map((el) => {
    const style = getComputedStyle(el);
    return { el, fill: style.fill, stroke: style.stroke,
             fillOpacity: parseFloat(style.fillOpacity), strokeOpacity: parseFloat(style.strokeOpacity) };
  });
}

// Whether no two painted things overlap: then the group's opacity, applied to each one's
// fill and stroke, gives what the group gave. A shape whose stroke lies over its own fill
// overlaps itself (the group is kept: folding would darken the stroke's inner half).
function paintedApart(shapes) {
  if (shapes.length > 200) return false;                 // not worth the pairs: the group stays
  const boxes = [];
  for (const shape of shapes) {
    const style = getComputedStyle(shape);
    const fills = style.fill !== "none", strokes = style.stroke !== "none" && parseFloat(style.strokeWidth) > 0;
    if (fills && strokes) return false;
    if (!fills && !strokes) continue;
    const pad = strokes ? parseFloat(style.strokeWidth) : 0;
    const r = shape.getBoundingClientRect();
    boxes.push({ left: r.left - pad, top: r.top - pad, right: r.right + pad, bottom: r.bottom + pad });
  }
  return boxes.every((a, i) => boxes.slice(i + 1).every((b) =>
    a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top));
}

// The filter's functions as [name, amount] when each one maps a flat colour to a flat
// colour (exactly, per the Filter Effects spec); null for a blur, a shadow, a url(#filter).
const COLOUR_FUNCTIONS = new Set(["brightness", "contrast", "grayscale", "invert", "saturate", "sepia"]);

function colourFunctions(filter) {
  const { colour, other } = filterParts(filter);
  return other ? null : colour;
}

// The filter's colour functions, in order, and whether it has any other.
function filterParts(filter) {
  const colour = [];
  if (filter === "none") return { colour, other: false };
  const rest = filter.replace(/([a-z-]+)\(\s*([\d.]+)(%?)\s*\)/g, (all, name, amount, percent) => {
    if (!COLOUR_FUNCTIONS.has(name)) return all;
    colour.push([name, percent ? amount / 100 : Number(amount)]);
    return "";
  });
  return { colour, other: rest.trim() !== "" };
}

// A computed colour ("rgb(...)" or "rgba(...)") through the functions, in order; any other
// paint ("none") as it is.
const FLAT_COLOUR = /^rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)$/;

function filtered(colour, functions) {
  const m = colour.match(FLAT_COLOUR);
  if (!m || !functions.length) return colour;
  let rgb = m.slice(1, 4).map((v) => v / 255);
  for (const [name, amount] of functions) rgb = COLOUR_MAPS[name](rgb, amount).map(clamp);
  const [r, g, b] = rgb.map((v) => Math.round(v * 255));
  return m[4] === undefined ? `rgb(${r}, ${g}, ${b})` : `rgba(${r}, ${g}, ${b}, ${m[4]})`;
}

const clamp = (v) => Math.min(1, Math.max(0, v));
const times = (matrix, [r, g, b]) => matrix.map(([x, y, z]) => x * r + y * g + z * b);

// Filter Effects Module Level 1, "Supported Filter Functions": each as its matrix or transfer.
const COLOUR_MAPS = {
  brightness: (rgb, a) => rgb.map((v) => v * a),
  contrast: (rgb, a) => rgb.map((v) => (v - 0.5) * a + 0.5),
  invert: (rgb, a) => rgb.map((v) => a * (1 - v) + (1 - a) * v),
  grayscale: (rgb, a) => {
    const s = 1 - Math.min(1, a);
    return times([[0.2126 + 0.7874 * s, 0.7152 - 0.7152 * s, 0.0722 - 0.0722 * s],
      [0.2126 - 0.2126 * s, 0.7152 + 0.2848 * s, 0.0722 - 0.0722 * s],
      [0.2126 - 0.2126 * s, 0.7152 - 0.7152 * s, 0.0722 + 0.9278 * s]], rgb);
  },
  saturate: (rgb, s) => times([[0.213 + 0.787 * s, 0.715 - 0.715 * s, 0.072 - 0.072 * s],
    [0.213 - 0.213 * s, 0.715 + 0.285 * s, 0.072 - 0.072 * s],
    [0.213 - 0.213 * s, 0.715 - 0.715 * s, 0.072 + 0.928 * s]], rgb),
  sepia: (rgb, a) => {
    const s = 1 - Math.min(1, a);
    return times([[0.393 + 0.607 * s, 0.769 - 0.769 * s, 0.189 - 0.189 * s],
      [0.349 - 0.349 * s, 0.686 + 0.314 * s, 0.168 - 0.168 * s],
      [0.272 - 0.272 * s, 0.534 - 0.534 * s, 0.131 + 0.869 * s]], rgb);
  },
};

// -- shadows librsvg can draw ----------------------------------------------------------------

// A shadow that is not blurred (an <feDropShadow> with stdDeviation 0, alone in its filter)
// is the shape again, offset, in the flood colour: drawn so, behind the shape, it is no
// picture. (Only on a single shape: a group's clone would repeat its text.)
function hardShadowsAsShapes(svg) {
  let changed = false;
  for (const shape of svg.querySelectorAll([...PAINTED].filter((tag) => tag !== "text").join(","))) {
    const target = getComputedStyle(shape).filter.match(/^url\("?#([^")]+)"?\)$/);
    const filter = target && svg.querySelector(`filter[id="${CSS.escape(target[1])}"]`);
    const shadow = filter && filter.children.length === 1 && filter.querySelector(":scope > feDropShadow:not([in])");
    if (!shadow || Number(shadow.getAttribute("stdDeviation") ?? "2") !== 0) continue;
    if (!paintedUnder(shape)) continue;                                   // a marker, a gradient
    const clone = shape.cloneNode(false);
    clone.removeAttribute("id");
    clone.removeAttribute("filter");
    const dx = Number(shadow.getAttribute("dx") ?? "2"), dy = Number(shadow.getAttribute("dy") ?? "2");
    clone.setAttribute("transform", `${shape.getAttribute("transform") ?? ""} translate(${dx}, ${dy})`.trim());
    const { floodColor, floodOpacity } = getComputedStyle(shadow);     // attribute or CSS
    const style = getComputedStyle(shape);
    clone.style.setProperty("fill", style.fill === "none" ? "none" : floodColor);
    clone.style.setProperty("stroke", style.stroke === "none" ? "none" : floodColor);
    clone.style.setProperty("fill-opacity", "1");
    clone.style.setProperty("stroke-opacity", "1");
    clone.style.setProperty("filter", "none");
    clone.style.setProperty("opacity", floodOpacity);
    shape.before(clone);
    shape.style.setProperty("filter", "none");
    changed = true;
  }
  return changed;
}

// librsvg (2.54) knows no <feDropShadow> (the "neo" look's sequence actors use one) and then
// draws nothing of the element it filters. Each one, when it is its filter's first primitive
// and reads the element itself, becomes what the Filter Effects spec says it is made of, in
// SVG 1.1 primitives. Whether any was.
function dropShadowsAsSvg11(svg) {
  let changed = false;
  for (const shadow of svg.querySelectorAll("filter > feDropShadow:first-child:not([in])")) {
    const parts = [
      ["feGaussianBlur", { in: "SourceAlpha", stdDeviation: shadow.getAttribute("stdDeviation") ?? "2" }],
      ["feOffset", { dx: shadow.getAttribute("dx") ?? "2", dy: shadow.getAttribute("dy") ?? "2",
        result: "zb-offset-blur" }],
      ["feFlood", { "flood-color": getComputedStyle(shadow).floodColor,
        "flood-opacity": getComputedStyle(shadow).floodOpacity }],
      ["feComposite", { in2: "zb-offset-blur", operator: "in" }],
    ];
    const merge = document.createElementNS(SVG_NS, "feMerge");
    merge.append(document.createElementNS(SVG_NS, "feMergeNode"), svgElement("feMergeNode", { in: "SourceGraphic" }));
    if (shadow.hasAttribute("result")) merge.setAttribute("result", shadow.getAttribute("result"));
    shadow.replaceWith(...parts.map(([tag, attrs]) => svgElement(tag, attrs)), merge);
    changed = true;
  }
  return changed;
}

function svgElement(tag, attributes) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value);
  return el;
}

// -- text left under an effect, lifted out of it ---------------------------------------------

// Each <text> still under a group with opacity below 1 or a filter (one foldEffects kept),
// with its outermost such group.
function rasterisedTexts(svg) {
  const found = [];
  for (const text of svg.querySelectorAll("text")) {
    let outer = null;
    for (let el = text; el && el !== svg; el = el.parentElement) {
      if (hasEffect(el)) outer = el;
    }
    if (outer) found.push({ text, outer });
  }
  return found;
}

// The text is drawn again after its group, outside it, with the look it had: its computed
// paint and font, the groups' opacity folded into its fill, their colour functions into its
// colour.
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
  const functions = [];
  for (let el = from.closest("text").parentElement; el; el = el.parentElement) {
    const own = getComputedStyle(el);
    alpha *= parseFloat(own.opacity);
    functions.push(...filterParts(own.filter).colour);     // a shadow is lost on lifted text
    if (el === outer) break;
  }
  to.style.setProperty("fill", filtered(style.fill, functions));
  to.style.setProperty("fill-opacity", String(+alpha.toFixed(4)));
  to.style.setProperty("visibility", "visible");
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
