// Search as you type: a progressive enhancement over the plain GET form. Results come from the
// JSON API; snippets arrive HTML-escaped with <mark>, everything else is set as text.
(function () {
  "use strict";
  const input = document.getElementById("q");
  const main = document.getElementById("main");
  if (!input || !main || !window.fetch || document.querySelector("article.talk")) return;
  let timer = null;
  let latest = 0;

  function clock(seconds) {
    const t = Math.floor(seconds), h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), s = t % 60;
    const pad = (n) => String(n).padStart(2, "0");
    return h ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
  }

  function el(tag, props, children) {
    const node = document.createElement(tag);
    Object.assign(node, props || {});
    (children || []).forEach((c) => node.append(c));
    return node;
  }

  function render(body) {
    const section = el("section", { className: "results" });
    section.setAttribute("aria-live", "polite");
    if (body.corrected_query) {
      const strict = el("a", { href: "/search?q=" + encodeURIComponent('"' + body.query + '"'), textContent: "Search exactly for " + body.query });
      section.append(el("p", { className: "notice" }, ["Showing results for ", el("strong", { textContent: body.corrected_query }), ". ", strict]));
    }
    body.notes.forEach((n) => section.append(el("p", { className: "notice", textContent: n })));
    const groups = new Map();
    body.hits.forEach((hit) => {
      if (!groups.has(hit.talk.slug)) groups.set(hit.talk.slug, []);
      groups.get(hit.talk.slug).push(hit);
    });
    const about = body.total_exact ? "" : "about ";
    const talks = groups.size === 1 ? "talk" : "talks";
    section.append(el("p", { className: "count", textContent: `${about}${body.total} ${body.total === 1 ? "moment" : "moments"} in ${groups.size} ${talks} on this page (${Math.round(body.elapsed_ms)} ms)` }));
    groups.forEach((hits) => {
      const talk = hits[0].talk;
      const count = `${hits.length} ${hits.length === 1 ? "moment" : "moments"}` + (talk.date ? ` · ${talk.date}` : "");
      const group = el("section", { className: "talk-group" }, [
        el("h2", { className: "talk-title" }, [
          el("a", { href: talk.url, textContent: talk.title }), " ",
          el("span", { className: "talk-count", textContent: count }),
        ]),
      ]);
      group.setAttribute("aria-label", talk.title);
      const list = el("ol", { className: "hits" });
      hits.forEach((hit) => {
        const moment = el("a", { className: "moment", href: hit.url }, [el("span", { className: "time", textContent: clock(hit.start) })]);
        if (hit.speaker) moment.append(" ", el("span", { className: "who", textContent: hit.speaker }));
        const head = el("div", { className: "hit-head" }, [moment]);
        if (hit.partial) head.append(el("span", { className: "badge", textContent: "closest match" }));
        const snippet = el("p", { className: "snippet" });
        snippet.innerHTML = hit.snippet; // escaped by the server, <mark> only
        const links = el("div", { className: "hit-links" }, [el("a", { href: hit.url, textContent: "Open at " + clock(hit.start) })]);
        if (hit.video_url && /^https?:/.test(hit.video_url)) {
          links.append(el("a", { href: hit.video_url, rel: "noopener noreferrer", textContent: "Source video at " + clock(hit.start) }));
        }
        list.append(el("li", { className: "hit" }, [head, snippet, links]));
      });
      group.append(list);
      section.append(group);
    });
    main.replaceChildren(section);
  }

  async function run(q) {
    const mine = ++latest;
    const url = new URL(window.location.href);
    url.pathname = "/search";
    url.search = q ? "?q=" + encodeURIComponent(q) : "";
    history.replaceState(null, "", url);
    if (!q.trim()) return;
    try {
      const response = await fetch("/api/search?limit=20&q=" + encodeURIComponent(q));
      if (!response.ok || mine !== latest) return;
      render(await response.json());
    } catch (e) { /* the form still works */ }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => run(input.value), 250);
  });
})();
