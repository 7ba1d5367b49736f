// zennbook serve: a proof page reloads when a newer proof of its article is made.
(() => {
  "use strict";
  const meta = document.querySelector('meta[name="zennbook-proof"]');
  const slug = meta.content, version = meta.dataset.version;
  const query = `proof=${encodeURIComponent(slug)}&proofv=${encodeURIComponent(version)}`;
  const events = new EventSource(`/__serve/events?${query}`);
  events.addEventListener("proof", (e) => {
    if (JSON.parse(e.data).slug === slug) location.reload();
  });
})();
