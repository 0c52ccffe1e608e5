// Search as you type: a progressive enhancement over the plain GET forms. The results page is
// fetched as HTML from the same server (one renderer for both), with the filters in the URL kept.
(function () {
  "use strict";
  const FILTERS = ["talk", "speaker", "topic", "year", "date_from", "date_to"];
  const NARROW = window.matchMedia("(max-width: 60rem)");
  let timer = null;
  let latest = 0;

  function foldFacetsOnPhones() {
    if (!NARROW.matches) return;
    document.querySelectorAll(".facets details[open]").forEach((d) => d.removeAttribute("open"));
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

  async function run(input) {
    const mine = ++latest;
    const q = input.value;
    if (!q.trim()) return;
    const url = searchUrl(input, q);
    try {
      const response = await fetch(url, { headers: { Accept: "text/html" } });
      if (!response.ok || mine !== latest) return;
      const doc = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = doc.getElementById("main");
      const main = document.getElementById("main");
      if (!fresh || !main || mine !== latest) return;
      main.replaceChildren(...Array.from(fresh.childNodes));
      document.title = doc.title;
      history.replaceState(null, "", url);
      foldFacetsOnPhones();
      const live = document.getElementById("live-status");
      const count = main.querySelector(".count");
      if (live && count) live.textContent = count.textContent;
    } catch (e) {
      /* the form still works */
    }
  }

  function watch(input) {
    if (!input || !window.fetch || !window.DOMParser) return;
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => run(input), 250);
    });
  }

  foldFacetsOnPhones();
  if (document.querySelector("article.talk")) return;
  watch(document.getElementById("q")); // in the header: it stays while the results change
})();
