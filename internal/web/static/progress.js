// Work done in the background (exports, rollovers) updates its page by
// itself. A region [data-progress-url] holds one fragment whose root says
// data-progress-state="working" or "done"; while it is working the region
// is fetched again from that address, every few seconds and less often
// the longer it takes, never while the page is hidden, and put in place
// when it changed (the region is aria-live="polite"). When the work is
// done, the "being made" message the form left at the top of the page
// (the flash named by data-progress-flash) goes, and the download link
// the fragment now holds is there to use.
"use strict";

(function () {
  const first = 2000, most = 30000, grow = 1.5;

  function working(region) {
    return region.querySelector('[data-progress-state="working"]') !== null;
  }

  // finish removes the flash that announced the work, and ?done= from the
  // address, so reloading does not announce it again.
  function finish(region) {
    const key = region.dataset.progressFlash;
    if (!key) return;
    const url = new URL(window.location.href);
    if (url.searchParams.get("done") !== key) return;
    const flash = document.querySelector("main > .flash");
    if (flash) flash.remove();
    url.searchParams.delete("done");
    window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
  }

  function follow(region) {
    let wait = first, timer = 0, busy = false;
    region.querySelectorAll("[data-progress-reload]").forEach((el) => { el.hidden = true; });

    function later() {
      window.clearTimeout(timer);
      if (!document.hidden) timer = window.setTimeout(ask, wait);
    }

    async function ask() {
      if (busy || document.hidden) return;
      busy = true;
      try {
        const res = await fetch(region.dataset.progressUrl, {
          credentials: "same-origin", cache: "no-store", headers: { Accept: "text/html" },
        });
        // Signed out (sent to the sign-in page), refused or gone: stop.
        if (res.redirected || res.status === 401 || res.status === 403 || res.status === 404) return;
        if (res.ok) {
          const html = await res.text();
          const next = document.createElement("div");
          next.innerHTML = html;
          if (!next.querySelector("[data-progress-state]")) return; // not a progress fragment
          next.querySelectorAll("[data-progress-reload]").forEach((el) => { el.hidden = true; });
          if (next.innerHTML !== region.innerHTML) region.innerHTML = next.innerHTML;
          if (!working(region)) {
            finish(region);
            return;
          }
        }
        wait = Math.min(most, Math.round(wait * grow));
        later();
      } catch (e) {
        wait = Math.min(most, Math.round(wait * grow)); // the network failed: try again, later
        later();
      } finally {
        busy = false;
      }
    }

    document.addEventListener("visibilitychange", () => {
      if (document.hidden) {
        window.clearTimeout(timer);
      } else if (working(region)) {
        wait = first;
        ask();
      }
    });
    later();
  }

  function start() {
    document.querySelectorAll("[data-progress-url]").forEach((region) => {
      if (working(region)) follow(region);
      else finish(region); // done before the page was even shown
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
