// zennbook serve: a proof page takes each newer proof of its article in place. The pages in
// view are asked for first (the server draws a page when it is asked for); each shows its
// last image until the new one has loaded, so the page never goes blank.
(() => {
  "use strict";
  const meta = document.querySelector('meta[name="zennbook-proof"]');
  const slug = meta.content;
  const query = () => `proof=${encodeURIComponent(slug)}&proofv=${encodeURIComponent(meta.dataset.version)}`;

  function inView(img) {
    const box = img.getBoundingClientRect();
    return box.bottom > -window.innerHeight && box.top < 2 * window.innerHeight;
  }

  // the new image replaces the old one once it has loaded
  function swapWhenLoaded(img, src) {
    const next = new Image();
    next.onload = () => { if (img.dataset.next === src) { img.src = src; delete img.dataset.next; } };
    img.dataset.next = src;
    next.src = src;
  }

  // the pages out of view take their new image when they come near it
  const later = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      later.unobserve(entry.target);
      if (entry.target.dataset.waiting) swapWhenLoaded(entry.target, entry.target.dataset.waiting);
      delete entry.target.dataset.waiting;
    }
  }, {rootMargin: "100% 0px"});

  function takePages(fresh) {
    const pages = document.querySelector(".zb-pages");
    const old = [...pages.querySelectorAll("img.zb-page")];
    fresh.forEach((img, i) => {
      const here = old[i];
      if (!here) { pages.append(document.importNode(img, true)); return; }
      here.width = img.width; here.height = img.height;
      if (inView(here)) swapWhenLoaded(here, img.getAttribute("src"));
      else { here.dataset.waiting = img.getAttribute("src"); later.observe(here); }
    });
    old.slice(fresh.length).forEach((img) => img.remove());
  }

  async function takeProof() {
    const response = await fetch(`/proof/${encodeURIComponent(slug)}`, {cache: "no-store"});
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    const version = doc.querySelector('meta[name="zennbook-proof"]').dataset.version;
    for (const part of [".zb-status", ".zb-problems"]) {     // a newer proof coming, or how it went
      document.querySelector(part).replaceWith(document.importNode(doc.querySelector(part), true));
    }
    if (+version <= +meta.dataset.version) return;
    takePages([...doc.querySelectorAll(".zb-pages img.zb-page")]);
    meta.dataset.version = version;
  }

  const events = new EventSource(`/__serve/events?${query()}`);
  events.addEventListener("proof", (e) => {
    if (JSON.parse(e.data).slug === slug) takeProof();
  });
})();
