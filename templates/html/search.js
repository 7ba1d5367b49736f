// zennbook: search in the single page, offline, fetching nothing.
//
// The index is made from the page's own text the first time the search box is used (the
// first paint never waits for it): each block of a chapter (paragraph, list item, heading,
// table cell, code block, ...) is one entry; its text, normalized (NFKC, lower case), is cut
// into keys: every two neighbouring characters of a run of Japanese or Chinese script (no
// spaces between words there, so bigrams stand in for words), and every word of other
// scripts, code identifiers whole and in their parts (snake_case, camelCase). A query is
// cut the same way; the blocks holding all its keys are then checked for the query's text
// itself, so a hit always contains what was typed. Hits show their chapter and a snippet and
// link to the block (which gets an id of its own); a hit inside closed <details> opens it.
// Text from the articles is only ever inserted as text, never as markup.
(function () {
  "use strict";
  var form = document.getElementById("book-search");
  var input = document.getElementById("search-input");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  if (!form || !input || !status || !list || !("normalize" in String.prototype)) return;
  form.hidden = false;

  var BLOCKS = "p, li, h1, h2, h3, h4, h5, h6, td, th, pre, figcaption, summary, dt, dd, .card, .embed";
  var CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc\u3005\u3006]/u;
  var WORD = /[\p{L}\p{N}_]+/gu;
  var MAX_HITS = 100;
  var SNIPPET = 36;
  var index = null;

  function normalized(text) { return text.normalize("NFKC").toLowerCase(); }

  // the keys of a text: bigrams of CJK runs, words (and identifier parts) elsewhere
  function keys(text, out) {
    var match;
    WORD.lastIndex = 0;
    while ((match = WORD.exec(text)) !== null) {
      var run = match[0], piece = "", cjk = null;
      for (var ch of run) {
        var isCjk = CJK.test(ch);
        if (cjk !== null && isCjk !== cjk) { add(piece, cjk, out); piece = ""; }
        piece += ch; cjk = isCjk;
      }
      add(piece, cjk, out);
    }
    return out;
  }

  function add(piece, cjk, out) {
    if (!piece) return;
    if (cjk) {
      var chars = Array.from(piece);
      if (chars.length === 1) out.add(chars[0]);
      for (var i = 0; i + 1 < chars.length; i++) out.add(chars[i] + chars[i + 1]);
      return;
    }
    out.add(piece);
    piece.split("_").forEach(function (part) { if (part && part !== piece) out.add(part); });
  }

  function identifierParts(text) {
    // camelCase parts, taken before lower-casing
    return text.replace(/([a-z0-9])([A-Z])/g, "$1 $2");
  }

  function build() {
    var blocks = [], postings = new Map();
    document.querySelectorAll("article.chapter").forEach(function (chapter) {
      var heading = chapter.querySelector("h1.chapter-title");
      var title = heading ? heading.textContent.trim() : "";
      chapter.querySelectorAll(BLOCKS).forEach(function (element) {
        if (element.querySelector(BLOCKS)) return;         // its inner blocks are entries
        var raw = element.textContent;
        if (!raw.trim()) return;
        var entry = blocks.length;
        blocks.push({ element: element, chapter: title, raw: raw, text: normalized(raw), number: entry });
        keys(normalized(raw + " " + identifierParts(raw)), new Set()).forEach(function (key) {
          var list = postings.get(key);
          if (list) list.push(entry); else postings.set(key, [entry]);
        });
      });
    });
    form.dataset.indexed = String(blocks.length);          // for tests and the benchmark
    return { blocks: blocks, postings: postings, words: Array.from(postings.keys()) };
  }

  // entries holding `key`; for the last word typed, every word it begins
  function entriesOf(key, prefix) {
    if (!prefix || CJK.test(key)) return index.postings.get(key) || [];
    var found = new Set();
    index.words.forEach(function (word) {
      if (word.startsWith(key)) (index.postings.get(word) || []).forEach(function (e) { found.add(e); });
    });
    return Array.from(found);
  }

  function search(query) {
    var terms = normalized(query).split(/\s+/).filter(Boolean);
    if (!terms.length) return [];
    var candidates = null;
    terms.forEach(function (term, position) {
      keys(term, new Set()).forEach(function (key) {
        if (/[^_]_+[^_]/.test(key)) return;      // a compound's parts are keys too: `book_html` in `render_book_html`
        var entries = new Set(entriesOf(key, position === terms.length - 1));
        candidates = candidates === null ? entries : new Set(Array.from(candidates).filter(function (e) { return entries.has(e); }));
      });
    });
    var pool = candidates === null ? index.blocks.map(function (_, i) { return i; }) : Array.from(candidates).sort(function (a, b) { return a - b; });
    var hits = [];
    for (var i = 0; i < pool.length && hits.length < MAX_HITS; i++) {
      var block = index.blocks[pool[i]];
      if (terms.every(function (term) { return block.text.indexOf(term) >= 0; })) hits.push({ block: block, term: terms[0] });
    }
    return hits;
  }

  function snippet(block, term) {
    var at = block.text.indexOf(term);
    var start = Math.max(0, at - SNIPPET), end = Math.min(block.raw.length, at + term.length + SNIPPET);
    var span = document.createElement("span");
    span.className = "search-snippet";
    // NFKC may change lengths; the raw text is shown, the match marked where it lines up
    var shown = block.raw.slice(start, end).replace(/\s+/g, " ");
    var local = normalized(shown).indexOf(term);
    if (local < 0 || normalized(shown).length !== shown.length) { span.textContent = shown; return span; }
    var mark = document.createElement("mark");
    mark.textContent = shown.slice(local, local + term.length);
    span.append((start > 0 ? "…" : "") + shown.slice(0, local), mark, shown.slice(local + term.length) + (end < block.raw.length ? "…" : ""));
    return span;
  }

  function target(block) {
    if (!block.element.id) block.element.id = "search-hit-" + block.number;
    return block.element.id;
  }

  function show(query) {
    list.textContent = "";
    if (!query.trim()) { status.textContent = ""; return; }
    if (index === null) index = build();
    var hits = search(query);
    status.textContent = hits.length ? hits.length + (hits.length >= MAX_HITS ? "+" : "") + " 件" : "見つかりません";
    hits.forEach(function (hit) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "#" + target(hit.block);
      var chapter = document.createElement("span");
      chapter.className = "search-chapter";
      chapter.textContent = hit.block.chapter;
      link.append(chapter, snippet(hit.block, hit.term));
      link.addEventListener("click", function () { reveal(hit.block.element); });
      item.append(link);
      list.append(item);
    });
  }

  function reveal(element) {
    for (var parent = element.parentElement; parent; parent = parent.parentElement) {
      if (parent.tagName === "DETAILS") parent.open = true;
    }
  }

  var timer = 0;
  input.addEventListener("focus", function () { if (index === null) index = build(); }, { once: true });
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { show(input.value); }, 120);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    show(input.value);
    var first = list.querySelector("a");
    if (first) first.click();
  });
})();
