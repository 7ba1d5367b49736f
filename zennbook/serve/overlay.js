// zennbook serve: the diagnostics panel, the reload on each save, the scroll position kept.
(() => {
  "use strict";
  const KEPT = "zennbook-serve-scroll";
  history.scrollRestoration = "manual";

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    for (const child of children) node.append(child);
    return node;
  }

  // -- where the reader is: a chapter and the offset inside it -----------------------------
  function chapterInView() {
    for (const chapter of document.querySelectorAll("article.chapter")) {
      const box = chapter.getBoundingClientRect();
      if (box.bottom > 0) return {id: chapter.id, offset: Math.max(0, -box.top)};
    }
    return null;
  }

  function placeAfter(changed) {
    const here = chapterInView();
    // reading the edited chapter: stay where you are; reading another: go to the edited one
    if (here && (changed.length === 0 || changed.includes(here.id))) return here;
    return changed.length ? {id: changed[0], offset: 0} : here;
  }

  function goTo(place) {
    const chapter = place && document.getElementById(place.id);
    if (!chapter) return;
    // A chapter off screen has only an estimated height (content-visibility) until it is
    // drawn: scroll, let it draw, scroll again until the place holds.
    let frames = 0, steady = 0;
    const settle = () => {
      const wanted = chapter.getBoundingClientRect().top + window.scrollY + place.offset;
      steady = Math.abs(window.scrollY - wanted) < 1 ? steady + 1 : 0;
      if (steady < 3) window.scrollTo(0, wanted);
      if (steady < 3 && ++frames < 60) requestAnimationFrame(settle);
    };
    settle();
  }

  function restorePlace() {
    const kept = sessionStorage.getItem(KEPT);
    sessionStorage.removeItem(KEPT);
    if (kept) goTo(JSON.parse(kept));
  }

  // -- the element a diagnostic's line came from ----------------------------------------------
  function elementFor(chapterId, line) {
    const chapter = document.getElementById(chapterId);
    if (!chapter || !line) return chapter;
    let best = null, bestLine = -1;
    for (const node of chapter.querySelectorAll("[data-source-line]")) {
      const at = parseInt(node.dataset.sourceLine, 10);
      if (at <= line && at > bestLine) { best = node; bestLine = at; }
    }
    return best || chapter;
  }

  function show(chapterId, line) {
    let target = elementFor(chapterId, line);
    if (!target) return;
    if (target.tagName === "SPAN" && !target.firstChild) target = target.parentElement;  // a paragraph's anchor
    target.scrollIntoView({block: "center"});
    target.classList.remove("zb-flash");
    void target.offsetWidth;
    target.classList.add("zb-flash");
  }

  // -- the panel ---------------------------------------------------------------------------------
  const badge = el("button", {id: "zb-badge", type: "button", title: "zennbook diagnostics"});
  const panel = el("aside", {id: "zb-panel", hidden: "", "aria-label": "diagnostics"});
  badge.addEventListener("click", () => { panel.hidden = !panel.hidden; });

  function item(group, entry) {
    const row = el("li", {class: `zb-item zb-${entry.level.toLowerCase()}`},
                   el("span", {class: "zb-where"}, `${group.label}${entry.line ? ":" + entry.line : ""}`),
                   el("span", {class: "zb-level"}, entry.level),
                   el("span", {class: "zb-message"}, entry.message),
                   el("code", {class: "zb-code"}, entry.code));
    row.title = entry.text;
    if (group.chapter) {
      row.tabIndex = 0;
      row.addEventListener("click", () => show(group.chapter, entry.line));
      row.addEventListener("keydown", (e) => { if (e.key === "Enter") show(group.chapter, entry.line); });
    }
    return row;
  }

  // -- the chapters still being prepared (the first page comes before the whole book) --------
  const progress = el("p", {id: "zb-progress", role: "status", hidden: ""});

  function showProgress(state) {
    progress.hidden = !state.pending;
    progress.textContent = state.pending
      ? `preparing the book: ${state.chapters - state.pending} of ${state.chapters} chapters in` : "";
  }

  function render(state) {
    showProgress(state);
    badge.textContent = `${state.errors} error(s) · ${state.warnings} warning(s)`;
    badge.className = state.errors ? "zb-has-errors" : state.warnings ? "zb-has-warnings" : "zb-clean";
    panel.replaceChildren(el("h2", {}, "Diagnostics"));
    for (const chapter of document.querySelectorAll(".zb-stale-chapter")) chapter.classList.remove("zb-stale-chapter");
    for (const group of state.groups) {
      const head = el("h3", {}, group.title ? `${group.title} — ${group.label}` : group.label);
      const section = el("section", {class: "zb-group"}, head);
      if (group.stale) {
        section.append(el("p", {class: "zb-stale"}, "the page shows this article's last good version"));
        const chapter = document.getElementById(group.chapter);
        if (chapter) chapter.classList.add("zb-stale-chapter");
      }
      section.append(el("ol", {}, ...group.items.map((entry) => item(group, entry))));
      panel.append(section);
    }
    if (!state.groups.length) panel.append(el("p", {class: "zb-none"}, "no problems"));
    if (state.errors) panel.hidden = false;
  }

  async function load() {
    const response = await fetch("/__serve/state", {cache: "no-store"});
    render(await response.json());
  }

  // -- the reload on each save ------------------------------------------------------------------
  const versionMeta = document.querySelector('meta[name="zennbook-serve-version"]');

  // a chapter by its id; the contents' list (its search form stays, with its handlers) as "toc"
  function pieceOnPage(id) {
    return id === "toc" ? document.querySelector("#toc .toc-parts") : document.getElementById(id);
  }

  async function swapChapters(update) {
    // a save: go to the edited chapter; a chapter that came in while the book fills: stay
    const place = update.follow === false ? chapterInView() : placeAfter(update.chapters);
    const ids = update.toc ? [...update.chapters, "toc"] : update.chapters;
    const fresh = await Promise.all(ids.map(async (id) => {
      const response = await fetch(`/__serve/chapter/${encodeURIComponent(id)}`, {cache: "no-store"});
      if (!response.ok || !pieceOnPage(id)) throw new Error(`chapter ${id}`);
      return response.text();
    }));
    ids.forEach((id, i) => { pieceOnPage(id).outerHTML = fresh[i]; });
    versionMeta.content = String(update.version);
    goTo(place);
    await load();
  }

  function listen() {
    const events = new EventSource(`/__serve/events?page=${encodeURIComponent(versionMeta.content)}`);
    events.addEventListener("reload", async (e) => {
      const update = JSON.parse(e.data);
      if (update.swap && update.chapters.length) {
        try { await swapChapters(update); return; } catch (error) { /* the whole page, then */ }
      }
      sessionStorage.setItem(KEPT, JSON.stringify(placeAfter(update.chapters || [])));
      location.reload();
    });
  }

  document.body.append(progress, badge, panel);
  restorePlace();
  load().finally(listen);
})();
