/* 一网统管驾驶舱 browser side: heartbeat, data age, offline handling, kiosk
   scaling, the wall carousel and chart image export. Plain browser APIs only.

   Heartbeat: GET /api/snapshot every poll seconds (a few dozen bytes). Only when
   the snapshot id changes does it poke the `snap` store, which makes every
   panel fetch its new values (sent as a Patch). When the server is away the
   page keeps its last picture, shows the offline badge, and retries with
   exponential backoff; it recovers by itself. setTimeout chains, not
   dcc.Interval: a background tab does not pile up requests. */
(function () {
  "use strict";
  var RELOAD_AFTER_MS = 6 * 3600 * 1000;   // shed browser memory on long-running walls
  var IDLE_BEFORE_CAROUSEL_MS = 60 * 1000; // someone touched the screen: pause the carousel
  var MAX_BACKOFF_MS = 5 * 60 * 1000;

  var state = { snap: null, built: null, skew: 0, online: true, failures: 0, stale: 900,
                lastInteraction: 0, started: Date.now(), wallTick: 0, wallTimer: null };

  /* ---- Markup (components/markup.py): a static block of a screen (a table, the
     nav) sent as HTML and built by the browser's parser: one React element, not a
     Dash component per cell. Its HTML is escaped on the server. */
  window.cockpit_components = {
    Markup: function Markup(props) {
      return window.React.createElement("div", { id: props.id, className: props.className,
        dangerouslySetInnerHTML: { __html: props.html || "" } });
    }
  };

  function root() { return document.getElementById("cockpit"); }
  function lang() { return /[?&]lang=en\b/.test(location.search) ? "en" : "zh"; }

  function ageText(sec) {
    var zh = lang() === "zh";
    sec = Math.max(0, Math.floor(sec));
    if (sec < 90) return zh ? sec + " 秒前" : sec + " s ago";
    if (sec < 5400) return zh ? Math.floor(sec / 60) + " 分钟前" : Math.floor(sec / 60) + " min ago";
    if (sec < 172800) return zh ? Math.floor(sec / 3600) + " 小时前" : Math.floor(sec / 3600) + " h ago";
    return zh ? Math.floor(sec / 86400) + " 天前" : Math.floor(sec / 86400) + " d ago";
  }

  function paintBadges() {
    var badge = document.getElementById("age-badge");
    var off = document.getElementById("offline-badge");
    var r = root();
    if (!badge || !r) return;
    if (state.built) {
      var age = (Date.now() + state.skew - state.built) / 1000;
      var stale = age > state.stale || !state.online;
      badge.textContent = (lang() === "zh" ? "数据更新于 " : "Data ") + ageText(age) +
        (stale && age > state.stale ? (lang() === "zh" ? " · 已过期" : " · stale") : "");
      badge.classList.toggle("stale", age > state.stale);
      badge.title = new Date(state.built).toLocaleString();
    }
    if (off) off.textContent = lang() === "zh" ? "连接中断 · 显示最后数据" : "Offline · showing last data";
    r.classList.toggle("offline", !state.online);
    document.body.classList.toggle("offline", !state.online);
  }

  function setSnap(id) {
    var r = root();
    if (r) r.setAttribute("data-snapshot", id);
    if (window.dash_clientside && window.dash_clientside.set_props) {
      window.dash_clientside.set_props("snap", { data: id });
    }
  }

  function beat() {
    var r = root();
    if (!r) { setTimeout(beat, 500); return; }   // Dash has not drawn the frame yet
    var poll = parseInt(r.getAttribute("data-poll") || "15", 10);
    fetch("/api/snapshot", { cache: "no-store", credentials: "same-origin" })
      .then(function (resp) { if (!resp.ok) throw new Error(resp.status); return resp.json(); })
      .then(function (j) {
        var wasOffline = !state.online;
        state.online = true; state.failures = 0;
        state.built = Date.parse(j.built); state.skew = Date.parse(j.now) - Date.now();
        state.stale = j.stale || state.stale;
        var shown = r ? r.getAttribute("data-snapshot") : null;
        if (j.id && j.id !== shown) setSnap(j.id);
        else if (wasOffline && j.id) setSnap(j.id);
        if (Date.now() - state.started > RELOAD_AFTER_MS && isKiosk()) { location.reload(); return; }
        // The first beat lands while the charts draw; the badge waits for a
        // quiet moment (its first date formatting loads the locale data).
        if (window.requestIdleCallback) window.requestIdleCallback(paintBadges, { timeout: 1000 });
        else paintBadges();
        setTimeout(beat, poll * 1000);
      })
      .catch(function () {
        state.online = false; state.failures += 1;
        paintBadges();
        var wait = Math.min(MAX_BACKOFF_MS, 2000 * Math.pow(2, state.failures - 1));
        setTimeout(beat, wait * (0.8 + 0.4 * Math.random()));
      });
  }

  /* ---- kiosk scaling: design canvas 1920x1080, fit (letterbox) or fill (stretch) */
  function isKiosk() { var r = root(); return !!(r && r.classList.contains("kiosk")); }
  // A viewport far beyond the design canvas is a wall (4K, spliced screens), not a
  // desk: draw the 1920x1080 canvas and scale it, so text stays legible and sharp.
  function isWall() { return window.innerWidth >= 2400 && window.innerHeight >= 1350; }
  function scale() {
    var r = root();
    if (!r) return;
    var on = isKiosk() || isWall();
    var was = document.body.classList.contains("has-kiosk");
    r.classList.toggle("scaled", on && !isKiosk());
    document.body.classList.toggle("has-kiosk", on);
    // Plotly sizes charts on window resize only: tell it the canvas changed.
    if (was !== on) setTimeout(function () { window.dispatchEvent(new Event("resize")); }, 0);
    if (!on) { r.style.transform = ""; return; }
    var sx = window.innerWidth / 1920, sy = window.innerHeight / 1080;
    if (r.classList.contains("fit-fill")) {
      r.style.transform = "scale(" + sx + "," + sy + ")";
    } else {
      var s = Math.min(sx, sy);
      var dx = (window.innerWidth - 1920 * s) / 2, dy = (window.innerHeight - 1080 * s) / 2;
      r.style.transform = "translate(" + dx + "px," + dy + "px) scale(" + s + ")";
    }
  }

  /* ---- wall carousel */
  function wallLoop() {
    var wall = document.getElementById("wall");
    if (!wall) { state.wallTimer = null; return; }
    var dwell = parseInt(wall.getAttribute("data-dwell") || "30", 10) * 1000;
    state.wallTimer = setTimeout(function () {
      var idle = Date.now() - state.lastInteraction > IDLE_BEFORE_CAROUSEL_MS;
      if (idle && state.online && !document.hidden && window.dash_clientside) {
        state.wallTick += 1;
        window.dash_clientside.set_props("wall-tick", { data: state.wallTick });
      }
      wallLoop();
    }, dwell);
  }

  /* ---- chart image export, stamped with title, source and snapshot */
  function exportImage(btn) {
    var panel = btn.getAttribute("data-panel"), format = btn.getAttribute("data-format");
    var box = document.getElementById("panel-" + panel);
    var gd = box && box.querySelector(".js-plotly-plot");
    if (!gd || !window.Plotly) return;
    var title = (box.querySelector(".panel-title") || {}).textContent || panel;
    var r = root();
    var demo = (document.getElementById("demo-badge") || {}).textContent;
    var stamp = "来源：一网统管驾驶舱数据快照 " + (r ? r.getAttribute("data-snapshot") : "") +
      (state.built ? " · 数据时间 " + new Date(state.built).toLocaleString("zh-CN", { hour12: false }) : "") +
      " · 导出于 " + new Date().toLocaleString("zh-CN", { hour12: false }) + (demo ? " · " + demo : "");
    var layout = JSON.parse(JSON.stringify(gd.layout));
    layout.title = { text: title, x: 0.02, font: { size: 26 } };
    layout.margin = Object.assign({}, layout.margin || {}, { t: 80, b: 70 });
    layout.paper_bgcolor = "#061325"; layout.plot_bgcolor = "#061325";
    layout.annotations = (layout.annotations || []).concat([{ text: stamp, showarrow: false, x: 0, y: -0.08,
      xref: "paper", yref: "paper", xanchor: "left", yanchor: "top", font: { size: 14, color: "#8ea4c8" } }]);
    window.Plotly.downloadImage({ data: gd.data, layout: layout, config: { topojsonURL: gd._context.topojsonURL } },
      { format: format, width: 1920, height: 1080, scale: format === "png" ? 2 : 1,
        filename: panel + "-" + (r ? r.getAttribute("data-snapshot") : "") });
  }

  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest && ev.target.closest(".export-img");
    if (btn) { ev.preventDefault(); exportImage(btn); return; }
    // A link drawn as markup moves within the page, as dcc.Link does: a new
    // history entry that dcc.Location hears, no reload.
    var inPage = ev.target.closest && ev.target.closest("a[data-dash-link]");
    if (inPage && ev.button === 0 && !(ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey)
        && (!inPage.target || inPage.target === "_self")) {
      ev.preventDefault();
      window.history.pushState({}, "", inPage.getAttribute("href"));
      window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
      window.scrollTo(0, 0);
      return;
    }
    var link = ev.target.closest && ev.target.closest(".export-link");
    if (link) {  // the export follows the view: same region, period, indicator, language
      link.href = "/export/" + link.getAttribute("data-panel") + "." + link.getAttribute("data-format") + location.search;
    }
  }, true);
  ["pointerdown", "keydown", "wheel", "touchstart"].forEach(function (t) {
    document.addEventListener(t, function () { state.lastInteraction = Date.now(); }, { passive: true, capture: true });
  });
  window.addEventListener("resize", scale);

  // The page is rendered by Dash after this script loads: watch for the frame.
  var watcher = new MutationObserver(function () {
    scale();
    if (document.getElementById("wall") && !state.wallTimer) wallLoop();
  });
  function start() {
    watcher.observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ["class"] });
    setInterval(paintBadges, 1000);
    beat();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
