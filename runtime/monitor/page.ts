/**
 * The web monitor: one static page (HTML, CSS and vanilla JS, no build) that
 * polls `/api/status` every second and reads table keys through
 * `/api/tables/<table>/<key>`. Kept as a string so the compiled runtime
 * serves it without copying assets.
 */

/** The page served at `/`. */
export const MONITOR_PAGE = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gokac monitor</title>
<style>
  :root {
    --bg: #0f1419; --panel: #171d24; --panel2: #1e262f; --line: #2a333d; --text: #e6edf3; --dim: #8b98a5;
    --accent: #4cc2ff; --ok: #3fb950; --warn: #d29922; --bad: #f85149; --rec: #a371f7; --prep: #58a6ff;
    font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  }
  * { box-sizing: border-box; }
  body { margin: 0; background: var(--bg); color: var(--text); }
  header { display: flex; align-items: center; gap: 16px; padding: 14px 24px; background: var(--panel); border-bottom: 1px solid var(--line); position: sticky; top: 0; z-index: 1; }
  header h1 { font-size: 18px; margin: 0; letter-spacing: .5px; }
  header h1 span { color: var(--accent); }
  .badge { padding: 3px 10px; border-radius: 999px; font-size: 12px; font-weight: 600; text-transform: uppercase; letter-spacing: .5px; }
  .badge.ok { background: rgba(63,185,80,.15); color: var(--ok); }
  .badge.wait { background: rgba(210,153,34,.15); color: var(--warn); }
  .badge.bad { background: rgba(248,81,73,.15); color: var(--bad); }
  header .meta { margin-left: auto; color: var(--dim); font-size: 12px; }
  main { padding: 20px 24px; display: grid; gap: 20px; max-width: 1400px; margin: 0 auto; }
  section.group, section.query { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 16px 18px; }
  .group-head { display: flex; align-items: baseline; gap: 12px; flex-wrap: wrap; }
  .group-head h2 { margin: 0; font-size: 17px; }
  .topics { color: var(--dim); font-size: 12px; }
  .topics b { color: var(--text); font-weight: 500; }
  .tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(140px, 1fr)); gap: 10px; margin: 14px 0; }
  .tile { background: var(--panel2); border-radius: 8px; padding: 10px 12px; }
  .tile .label { color: var(--dim); font-size: 11px; text-transform: uppercase; letter-spacing: .6px; }
  .tile .value { font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; margin-top: 2px; }
  .tile .value small { font-size: 12px; color: var(--dim); font-weight: 400; }
  .tile.bad .value { color: var(--bad); }
  .tile svg { width: 100%; height: 30px; display: block; margin-top: 4px; }
  .parts { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); gap: 10px; }
  .partition { background: var(--panel2); border-radius: 8px; padding: 10px 12px; border-left: 4px solid var(--dim); }
  .partition[data-state=running] { border-left-color: var(--ok); }
  .partition[data-state=recovering] { border-left-color: var(--rec); }
  .partition[data-state=preparing], .partition[data-state=connecting], .partition[data-state=initializing] { border-left-color: var(--prep); }
  .partition[data-state=standby] { border-left-color: var(--warn); }
  .partition .top { display: flex; justify-content: space-between; align-items: center; }
  .partition .num { font-weight: 600; }
  .state { font-size: 11px; text-transform: uppercase; letter-spacing: .6px; font-weight: 600; }
  .state.running { color: var(--ok); } .state.recovering { color: var(--rec); } .state.standby { color: var(--warn); }
  .state.preparing, .state.connecting, .state.initializing { color: var(--prep); }
  .kv { color: var(--dim); font-size: 12px; margin-top: 4px; font-variant-numeric: tabular-nums; }
  .kv b { color: var(--text); font-weight: 500; }
  .bar { height: 6px; background: var(--line); border-radius: 3px; overflow: hidden; margin-top: 6px; }
  .bar > div { height: 100%; background: linear-gradient(90deg, var(--rec), var(--accent)); transition: width .4s; }
  .errors { margin-top: 12px; }
  .errors div { background: rgba(248,81,73,.08); border: 1px solid rgba(248,81,73,.35); color: #ffb4ae; border-radius: 6px; padding: 8px 10px; font-size: 12px; margin-top: 6px; font-family: ui-monospace, monospace; white-space: pre-wrap; word-break: break-word; }
  .rebalance { color: var(--dim); font-size: 12px; margin-top: 10px; }
  .query h2 { margin: 0 0 10px; font-size: 16px; }
  .query form { display: flex; gap: 8px; flex-wrap: wrap; }
  .query select, .query input { background: var(--panel2); border: 1px solid var(--line); color: var(--text); border-radius: 6px; padding: 8px 10px; font: inherit; }
  .query input { flex: 1; min-width: 200px; }
  .query button { background: var(--accent); color: #00131f; border: 0; border-radius: 6px; padding: 8px 16px; font-weight: 600; cursor: pointer; }
  .query pre { background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; margin: 10px 0 0; min-height: 40px; font-size: 13px; overflow: auto; }
  .query .status { font-size: 12px; color: var(--dim); margin-top: 6px; }
  .empty { color: var(--dim); }
</style>
</head>
<body>
<header>
  <h1><span>gokac</span> monitor</h1>
  <span id="overall" class="badge wait">connecting</span>
  <span class="meta" id="meta"></span>
</header>
<main>
  <div id="groups"><p class="empty">Loading…</p></div>
  <section class="query">
    <h2>Query a table</h2>
    <form id="query-form">
      <select id="query-table" aria-label="table"></select>
      <input id="query-key" placeholder="key" aria-label="key" autocomplete="off">
      <button id="query-submit" type="submit">Get</button>
    </form>
    <pre id="query-result"></pre>
    <div class="status" id="query-status">Values print as JSON; int64 values keep every digit.</div>
  </section>
</main>
<script>
(function () {
  "use strict";
  var groupsEl = document.getElementById("groups");
  var tableSel = document.getElementById("query-table");
  var knownTables = "";

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function fmt(n) {
    if (n === null || n === undefined) return "–";
    if (n >= 1e9) return (n / 1e9).toFixed(1) + "G";
    if (n >= 1e6) return (n / 1e6).toFixed(1) + "M";
    if (n >= 1e4) return (n / 1e3).toFixed(1) + "k";
    return Math.round(n).toLocaleString();
  }
  function dur(s) {
    if (s === null || s === undefined) return "estimating…";
    if (s < 1) return "< 1 s";
    if (s < 90) return Math.round(s) + " s";
    if (s < 5400) return Math.round(s / 60) + " min";
    return (s / 3600).toFixed(1) + " h";
  }
  function ago(at, now) {
    var s = Math.max(0, (now - at) / 1000);
    return s < 60 ? Math.round(s) + " s ago" : s < 3600 ? Math.round(s / 60) + " min ago" : (s / 3600).toFixed(1) + " h ago";
  }
  function tile(label, value, unit, cls) {
    var t = el("div", "tile" + (cls ? " " + cls : ""));
    t.appendChild(el("div", "label", label));
    var v = el("div", "value", value);
    if (unit) v.appendChild(el("small", null, " " + unit));
    t.appendChild(v);
    return t;
  }
  function sparkline(values) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 100 30");
    svg.setAttribute("preserveAspectRatio", "none");
    if (values.length < 2) return svg;
    var max = Math.max.apply(null, values.concat([1]));
    var pts = values.map(function (v, i) { return (i * 100 / (values.length - 1)).toFixed(1) + "," + (28 - v / max * 26).toFixed(1); });
    var area = document.createElementNS(ns, "polygon");
    area.setAttribute("points", "0,30 " + pts.join(" ") + " 100,30");
    area.setAttribute("fill", "rgba(76,194,255,.15)");
    var line = document.createElementNS(ns, "polyline");
    line.setAttribute("points", pts.join(" "));
    line.setAttribute("fill", "none");
    line.setAttribute("stroke", "#4cc2ff");
    line.setAttribute("stroke-width", "1.5");
    line.setAttribute("vector-effect", "non-scaling-stroke");
    svg.appendChild(area);
    svg.appendChild(line);
    return svg;
  }
  function renderPartition(p, now) {
    var d = el("div", "partition");
    d.setAttribute("data-state", p.state);
    d.setAttribute("data-partition", String(p.partition));
    var top = el("div", "top");
    top.appendChild(el("span", "num", "partition " + p.partition));
    top.appendChild(el("span", "state " + p.state, p.state));
    d.appendChild(top);
    d.appendChild(el("div", "kv", "since " + ago(p.since, now)));
    p.recovery.forEach(function (r) {
      if (r.done && p.state === "running") return;
      var k = el("div", "kv");
      k.innerHTML = "";
      k.appendChild(el("b", null, r.topic));
      k.appendChild(document.createTextNode(" " + fmt(r.offset) + " / " + fmt(r.hwm) + " · " + Math.floor(r.progress * 100) + "% · ETA " + dur(r.etaSeconds)));
      d.appendChild(k);
      var bar = el("div", "bar");
      var fill = el("div");
      fill.style.width = (r.progress * 100).toFixed(1) + "%";
      bar.appendChild(fill);
      d.appendChild(bar);
    });
    p.inputs.forEach(function (i) {
      var k = el("div", "kv");
      k.appendChild(el("b", null, i.topic));
      k.appendChild(document.createTextNode(" @" + i.nextOffset + " · lag " + fmt(i.lag) + " · " + fmt(i.processed) + " handled"));
      d.appendChild(k);
    });
    if (p.tableKeys !== null) d.appendChild(el("div", "kv", "≈ " + fmt(p.tableKeys) + " keys"));
    return d;
  }
  function renderGroup(g, now) {
    var s = el("section", "group");
    s.setAttribute("data-group", g.group);
    var head = el("div", "group-head");
    head.appendChild(el("h2", null, g.group));
    var badge = g.failed ? ["bad", "failed"] : g.ready ? ["ok", "running"] : ["wait", g.lifecycle === "running" ? "rebalancing" : g.lifecycle];
    head.appendChild(el("span", "badge " + badge[0], badge[1]));
    var topics = el("span", "topics");
    topics.innerHTML = "";
    topics.appendChild(document.createTextNode("in "));
    topics.appendChild(el("b", null, g.inputs.join(", ") || "–"));
    topics.appendChild(document.createTextNode(" · out "));
    topics.appendChild(el("b", null, g.outputs.join(", ") || "–"));
    topics.appendChild(document.createTextNode(" · table "));
    topics.appendChild(el("b", null, g.table || "–"));
    head.appendChild(topics);
    s.appendChild(head);

    var tiles = el("div", "tiles");
    var rate = tile("input rate", fmt(g.rates.processedPerSecond), "msg/s");
    rate.appendChild(sparkline(g.history));
    tiles.appendChild(rate);
    tiles.appendChild(tile("output rate", fmt(g.rates.emittedPerSecond), "msg/s"));
    var lag = 0, lagKnown = false;
    g.partitions.forEach(function (p) { p.inputs.forEach(function (i) { if (i.lag !== null) { lag += i.lag; lagKnown = true; } }); });
    tiles.appendChild(tile("lag", lagKnown ? fmt(lag) : "–", "msg"));
    var running = g.partitions.filter(function (p) { return p.state === "running"; }).length;
    tiles.appendChild(tile("partitions running", running + " / " + g.partitions.length));
    tiles.appendChild(tile("handled", fmt(g.totals.processed)));
    tiles.appendChild(tile("failures", fmt(g.totals.failed), null, g.totals.failed > 0 ? "bad" : ""));
    tiles.appendChild(tile("commits", fmt(g.totals.commits)));
    s.appendChild(tiles);

    var parts = el("div", "parts");
    g.partitions.forEach(function (p) { parts.appendChild(renderPartition(p, now)); });
    if (g.partitions.length === 0) parts.appendChild(el("div", "empty", "no partitions assigned"));
    s.appendChild(parts);

    var rb = g.lastRebalance;
    s.appendChild(el("div", "rebalance", rb ? "last rebalance " + ago(rb.at, now) + ": assigned [" + rb.assigned.join(", ") + "]" + (rb.revoked.length ? ", revoked [" + rb.revoked.join(", ") + "]" : "") + " · " + g.totals.rebalances + " in all" : "no rebalance yet"));
    if (g.errors.length > 0) {
      var errs = el("div", "errors");
      g.errors.slice(-5).forEach(function (e) {
        var where = e.topic !== undefined ? e.topic + "/" + e.partition + "@" + e.offset + " key " + JSON.stringify(e.key) + " · " : "";
        errs.appendChild(el("div", null, "[" + e.kind + ", policy " + e.policy + "] " + where + e.message));
      });
      s.appendChild(errs);
    }
    return s;
  }
  function render(st) {
    var overall = document.getElementById("overall");
    var cls = !st.healthy ? ["bad", "failed"] : st.ready ? ["ok", "ready"] : ["wait", "not ready"];
    overall.className = "badge " + cls[0];
    overall.textContent = cls[1];
    document.getElementById("meta").textContent = "pid " + st.process.pid + " · up " + dur(st.process.uptimeSeconds) + " · rss " + fmt(st.process.rssBytes / 1048576) + " MiB";
    var frag = document.createDocumentFragment();
    st.groups.forEach(function (g) { frag.appendChild(renderGroup(g, st.at)); });
    groupsEl.replaceChildren(frag);
    var tables = st.groups.filter(function (g) { return g.table; }).map(function (g) { return g.table; });
    if (tables.join("\n") !== knownTables) {
      knownTables = tables.join("\n");
      var chosen = tableSel.value;
      tableSel.replaceChildren.apply(tableSel, tables.map(function (t) { var o = el("option", null, t); o.value = t; return o; }));
      if (tables.indexOf(chosen) >= 0) tableSel.value = chosen;
    }
  }
  function poll() {
    fetch("api/status", { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(render)
      .catch(function () {
        var overall = document.getElementById("overall");
        overall.className = "badge bad";
        overall.textContent = "unreachable";
      })
      .then(function () { setTimeout(poll, 1000); });
  }
  document.getElementById("query-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var table = tableSel.value, key = document.getElementById("query-key").value;
    var out = document.getElementById("query-result"), status = document.getElementById("query-status");
    if (!table) { status.textContent = "no table to query"; return; }
    status.textContent = "reading…";
    fetch("api/tables/" + encodeURIComponent(table) + "/" + encodeURIComponent(key) + "?pretty", { cache: "no-store" })
      .then(function (r) { return r.text().then(function (text) { return { status: r.status, text: text }; }); })
      .then(function (r) {
        out.textContent = r.text;
        status.textContent = r.status === 200 ? (r.text === "null" ? "absent" : "found") + " · " + table + " / " + key
          : r.status === 421 ? "another instance owns this key's partition" : "error " + r.status;
      })
      .catch(function (e) { status.textContent = "request failed: " + e; });
  });
  poll();
})();
</script>
</body>
</html>
`;
