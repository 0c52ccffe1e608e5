// Search as you type: a progressive enhancement over the plain GET forms. The results page is
// fetched as HTML from the same server (one renderer for both), with the filters in the URL kept.
(function () {
  "use strict";
  const FILTERS = ["talk", "speaker", "topic", "year", "date_from", "date_to"];
  const NARROW = window.matchMedia("(max-width: 59.99rem)");
  let timer = null;
  let latest = 0;

  // the filters are folded above the results on a phone, open beside them on a wide screen
  // (without JavaScript they are folded everywhere: one line, never a screenful above the hits)
  function foldFacetsOnPhones() {
    document.querySelectorAll(".facets details[data-open-wide]").forEach((d) => {
      d.open = !NARROW.matches;
    });
  }

  // "Narrow down" at the top of the results (and the skip link) unfold the filters they lead to
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest('a[href="#filters"]');
    const filters = link && document.querySelector("#filters details");
    if (filters) filters.open = true;
  });

  function searchUrl(input, q) {
    const params = new URLSearchParams();
    params.set("q", q);
    const form = input.form;
    // the form's hidden inputs carry the filters in use (the results page and scoped boxes)
    if (form) {
      FILTERS.forEach((name) => {
        const field = form.elements.namedItem(name);
        if (field && field.value) params.set(name, field.value);
      });
    }
    return "/search?" + params.toString();
  }

  // a history entry per search a person lingers on: the first result of a burst of typing is
  // pushed, the next ones replace it, and one shown for LINGER_MS becomes an entry of its own
  const LINGER_MS = 1500;
  let settled = true;
  let lingering = null;

  // the page at `url`, parsed, and whether it answered without a server error
  async function fetchPage(url) {
    const response = await fetch(url, { headers: { Accept: "text/html" } });
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    return { ok: response.status < 500, doc };
  }

  // this page's main part (and title) replaced by that of `doc`; false when either has none
  function showPage(doc) {
    const fresh = doc.getElementById("main");
    const main = document.getElementById("main");
    if (!fresh || !main) return false;
    main.replaceChildren(...Array.from(fresh.childNodes));
    document.title = doc.title;
    foldFacetsOnPhones();
    return true;
  }

  // each box's search waits for a pause in the typing
  function onPause(input, action) {
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(action, 250);
    });
  }

  async function run(input) {
    const mine = ++latest;
    const q = input.value;
    if (!q.trim()) return;
    const url = searchUrl(input, q);
    try {
      // while typing, the last word is read as the start of a word ("feature sto")
      const page = await fetchPage(url + "&typing=1");
      if (mine !== latest || !page.ok || !showPage(page.doc)) return;
      if (settled) history.pushState({ typed: true }, "", url);
      else history.replaceState({ typed: true }, "", url);
      shown = location.pathname + location.search;
      settled = false;
      clearTimeout(lingering);
      lingering = setTimeout(() => {
        // lingered on: this search is an entry of its own, shown whole (exact counts, filters)
        settled = true;
        if (mine === latest) fetchPage(url).then((whole) => showPage(whole.doc)).catch(() => {});
      }, LINGER_MS);
      const live = document.getElementById("live-status");
      const count = document.querySelector("#main .count");
      if (live && count) live.textContent = count.textContent;
    } catch (e) {
      /* the form still works */
    }
  }

  // Back and Forward through typed searches show the page of that address again (a link to
  // #filters changes only the fragment: nothing to fetch)
  let shown = location.pathname + location.search;
  window.addEventListener("popstate", () => {
    if (location.pathname + location.search === shown) return;
    shown = location.pathname + location.search;
    const header = document.getElementById("q");
    const q = new URLSearchParams(location.search).get("q") || "";
    if (header) header.value = q;
    settled = true;
    latest++;
    // a talk page (left by typing in the header's box) comes back whole, its player wired
    if (location.pathname !== "/" && location.pathname !== "/search") location.reload();
    else fetchPage(location.href).then((page) => showPage(page.doc)).catch(() => location.reload());
  });

  function watch(input) {
    if (!input || !window.fetch || !window.DOMParser) return;
    onPause(input, () => run(input));
  }

  // the home page's big box: its text moves to the header's box, which stays while the
  // results replace the page below it
  function watchHome(big, header) {
    if (!big || !header || !window.fetch || !window.DOMParser) return;
    big.addEventListener("input", () => {
      header.value = big.value;
      header.focus();
      header.setSelectionRange(header.value.length, header.value.length);
      header.dispatchEvent(new Event("input"));
    });
  }

  // a talk page's own box: its moments listed under the box as you type, the page kept
  function watchTalk(input, results) {
    if (!input || !results || !window.fetch || !window.DOMParser) return;
    let mine = 0;
    onPause(input, async () => {
      const ask = ++mine;
      const q = input.value;
      if (!q.trim()) { results.replaceChildren(); return; }
      try {
        const { doc } = await fetchPage(searchUrl(input, q) + "&typing=1");
        if (ask !== mine) return;
        const found = Array.from(doc.querySelectorAll("#main ol.hits > li.hit"));
        const count = doc.querySelector("#main p.count");
        const note = document.createElement("p");
        note.className = "count";
        note.textContent = found.length ? (count ? count.textContent.split("(")[0].trim() : "") : "Nothing found in this talk.";
        const list = document.createElement("ol");
        list.className = "hits";
        found.slice(0, 10).forEach((li) => list.appendChild(document.importNode(li, true)));
        results.replaceChildren(note, list);
      } catch (e) {
        /* the form still works */
      }
    });
  }

  foldFacetsOnPhones();
  watchTalk(document.getElementById("talk-q"), document.getElementById("talk-results"));
  watch(document.getElementById("q")); // in the header: it stays while the results change
  watchHome(document.getElementById("home-q"), document.getElementById("q"));
})();
