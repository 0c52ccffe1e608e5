// Talk page: seek the player from timestamps, mark and follow the current line, share moments.
(function () {
  "use strict";
  const article = document.querySelector("article.talk");
  if (!article) return;
  const lines = Array.from(document.querySelectorAll("#transcript li[data-start]"));
  const watch = document.getElementById("watch-link");
  const starts = lines.map((li) => parseFloat(li.dataset.start));
  const share = document.getElementById("share-link");
  // the archive's address as the server gave it (TALKS_PUBLIC_URL), kept when the moment changes
  const shareBase = share ? share.value.split("/talks/")[0] : window.location.origin;
  const copy = document.getElementById("copy-link");
  const frame = document.querySelector("iframe#player");
  const media = document.querySelector("video#player, audio#player");
  const initial = parseFloat(article.dataset.start);
  let ytPlayer = null;
  let follow = true;
  let current = -1;

  function clock(seconds) {
    const s = Math.floor(seconds), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    const pad = (n) => String(n).padStart(2, "0");
    return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
  }

  function lineAt(t) {
    let lo = 0, hi = starts.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid] <= t + 0.25) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found;
  }

  function mark(i, scroll) {
    if (i === current) return;
    if (current >= 0 && lines[current]) {
      lines[current].classList.remove("current");
      lines[current].removeAttribute("aria-current");
    }
    current = i;
    if (i >= 0 && lines[i]) {
      lines[i].classList.add("current");
      lines[i].setAttribute("aria-current", "true");
      if (scroll) lines[i].scrollIntoView({ block: "center", behavior: "auto" });
    }
  }

  function setMoment(t) {
    const url = new URL(window.location.href);
    url.searchParams.set("t", String(Math.floor(t)));
    history.replaceState(null, "", url);
    // the query travels with the link, so whoever opens it sees the quote's words marked
    const q = url.searchParams.get("q");
    if (share) {
      share.value = shareBase + url.pathname + "?t=" + Math.floor(t) + (q ? "&q=" + encodeURIComponent(q) : "");
    }
    if (watch) {
      const id = watch.dataset.youtubeId;
      watch.href = "https://www.youtube.com/watch?v=" + id + "&t=" + Math.floor(t) + "s";
      const label = watch.querySelector(".time");
      if (label) label.textContent = clock(t);
    }
  }

  // Related moments follow the moment in view: fetched again when the listener jumps.
  const related = document.querySelector("section.related");
  let relatedFor = null;
  function refreshRelated(t) {
    const at = Math.floor(t);
    if (!related || at === relatedFor) return;
    relatedFor = at;
    fetch("/api/talks/" + encodeURIComponent(related.dataset.slug) + "/related?t=" + at)
      .then((r) => (r.ok ? r.json() : null))
      .then((data) => {
        if (!data || at !== relatedFor) return;
        const list = document.createElement("ol");
        for (const hit of data.hits) {
          const li = document.createElement("li");
          const a = document.createElement("a");
          a.href = hit.url;
          const title = document.createElement("span");
          title.className = "related-title";
          title.textContent = hit.talk.title;
          const time = document.createElement("span");
          time.className = "time";
          time.textContent = clock(hit.start);
          a.append(title, " ", time);
          const text = document.createElement("span");
          text.className = "related-text";
          text.textContent = hit.text.length > 110 ? hit.text.slice(0, 107) + "…" : hit.text;
          li.append(a, text);
          list.append(li);
        }
        if (!data.hits.length) {
          const li = document.createElement("li");
          li.className = "none";
          li.textContent = "Nothing close in other talks.";
          list.append(li);
        }
        related.querySelector("ol").replaceWith(list);
        related.querySelector(".related-about .time").textContent = clock(at);
      })
      .catch(() => {});
  }

  function seek(t) {
    if (media) { media.currentTime = t; media.play().catch(() => {}); }
    else if (ytPlayer && ytPlayer.seekTo) { ytPlayer.seekTo(t, true); ytPlayer.playVideo(); }
    follow = true;
    mark(lineAt(t), true);
    setMoment(t);
    refreshRelated(t);
  }

  document.addEventListener("click", (ev) => {
    const a = ev.target.closest("a[data-start]");
    if (!a || !(media || frame)) return;
    ev.preventDefault();
    seek(parseFloat(a.dataset.start));
  });

  // Auto-follow stops when the reader scrolls by hand; seeking turns it back on.
  ["wheel", "touchmove"].forEach((name) =>
    window.addEventListener(name, () => { follow = false; }, { passive: true }));
  const scrollKeys = new Set(["ArrowUp", "ArrowDown", "PageUp", "PageDown", "Home", "End"]);

  // Space plays and pauses (unless typing or on a control that uses space itself).
  document.addEventListener("keydown", (ev) => {
    if (scrollKeys.has(ev.key)) follow = false;
    if (ev.key !== " " || !media) return;
    const tag = (ev.target.tagName || "").toLowerCase();
    if (["input", "textarea", "button", "select", "video", "audio"].includes(tag)) return;
    ev.preventDefault();
    if (media.paused) media.play().catch(() => {}); else media.pause();
  });

  function tick(t) { mark(lineAt(t), follow); }

  if (media) {
    if (!isNaN(initial)) {
      if (media.readyState >= 1) media.currentTime = initial;
      else media.addEventListener("loadedmetadata", () => { media.currentTime = initial; }, { once: true });
    }
    media.addEventListener("timeupdate", () => tick(media.currentTime));
  }

  if (frame) {
    window.onYouTubeIframeAPIReady = function () {
      // eslint-disable-next-line no-undef
      ytPlayer = new YT.Player("player", {
        events: {
          onStateChange: () => {},
        },
      });
      setInterval(() => {
        if (ytPlayer && ytPlayer.getCurrentTime && ytPlayer.getPlayerState && ytPlayer.getPlayerState() === 1) {
          tick(ytPlayer.getCurrentTime());
        }
      }, 500);
    };
    const api = document.createElement("script");
    api.src = "https://www.youtube.com/iframe_api";
    // offline, or YouTube blocked: say so where the player would be, not a grey box
    api.addEventListener("error", () => playerMissing("The video player could not be loaded (no connection to YouTube)."));
    document.head.appendChild(api);
  }

  function playerMissing(why) {
    const box = document.querySelector(".player");
    if (!box || box.querySelector(".player-missing")) return;
    const note = document.createElement("p");
    note.className = "player-missing";
    note.setAttribute("role", "status");
    note.textContent = why + " The transcript's times still link to each moment.";
    // a grey box would only hide the transcript: the note takes its place
    box.querySelectorAll("iframe, video, audio, .player-toggle").forEach((el) => { el.hidden = true; });

    box.appendChild(note);
    const line = lines[current];
    if (line) (line.querySelector("mark") || line).scrollIntoView({ block: "center", behavior: "auto" });


  }
  if (media) media.addEventListener("error", () => playerMissing("The recording could not be loaded."));

  // the player can be folded away, leaving the screen to the transcript (a small screen)
  const toggle = document.getElementById("player-toggle");
  const playerBox = document.querySelector(".talk .player");
  if (toggle && playerBox) {
    toggle.hidden = false;
    toggle.addEventListener("click", () => {
      const folded = playerBox.classList.toggle("folded");
      toggle.textContent = folded ? "Show player" : "Hide player";
      toggle.setAttribute("aria-expanded", folded ? "false" : "true");
    });
  }

  // chapters are open where there is room beside the transcript, folded on a phone

  const chapters = document.querySelector("details[data-open-wide]");
  if (chapters && window.matchMedia("(min-width: 64rem)").matches) chapters.open = true;

  if (!isNaN(initial)) {
    mark(lineAt(initial), false);
    // arriving from a search, the quote's first marked word is the place to show
    const line = lines[current];
    const quote = line && line.querySelector("mark");
    if (line) {
      (quote || line).scrollIntoView({ block: "center", behavior: "auto" });
      // the next Tab goes to the quote's own line, not the page's first link
      line.tabIndex = -1;
      const focusLine = () => { if (document.activeElement === document.body) line.focus({ preventScroll: true }); };
      if (document.readyState === "complete") focusLine();
      else window.addEventListener("load", focusLine, { once: true });

    }
  }


  if (copy && navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener("click", () => {
      navigator.clipboard.writeText(share.value).then(() => {
        copy.textContent = "Copied";
        setTimeout(() => { copy.textContent = "Copy link"; }, 1500);
      });
    });
  }
})();
