/**
 * The ops page's assets: one HTML document with its CSS and script inline, nothing fetched from
 * elsewhere (no CDN, no web font: the ops plane may run where nothing outside is reachable). The
 * script reads the ops plane's JSON APIs and fills the page with `textContent` only, so that
 * client-chosen text (SNI, certificate names) can never become markup.
 */

export const PAGE_CSS = `
:root { color-scheme: light dark; --bad: #c0392b; --warn: #d68910; --good: #1e8449; --muted: #7f8c8d; --line: #8883; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1280px; padding: 1rem 1.5rem 3rem; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
h1 { font-size: 1.4rem; margin: 0 0 .2rem; }
h2 { font-size: 1.1rem; margin: 2rem 0 .6rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
#status { color: var(--muted); font-size: .85rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: .8rem; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .6rem .8rem; }
.card .n { font-size: 1.8rem; font-weight: 600; font-variant-numeric: tabular-nums; }
.card .l { color: var(--muted); font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; }
.legacy-only .n { color: var(--bad); } .migrating .n { color: var(--warn); } .ready .n { color: var(--good); }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: .8rem; color: var(--muted); font-weight: 600; }
td.mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .8rem; word-break: break-all; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: 9px; font-size: .8rem; color: #fff; background: var(--muted); }
.badge.legacy-only { background: var(--bad); } .badge.migrating { background: var(--warn); } .badge.ready { background: var(--good); }
.empty { color: var(--muted); font-style: italic; }
.cols { display: grid; grid-template-columns: repeat(auto-fit, minmax(360px, 1fr)); gap: 1.5rem; }
svg { width: 100%; height: 220px; border: 1px solid var(--line); border-radius: 6px; }
.legend span { margin-right: 1rem; font-size: .85rem; }
.legend i { display: inline-block; width: .8rem; height: .8rem; border-radius: 2px; margin-right: .3rem; vertical-align: -1px; }
.legend .l-legacy { background: var(--bad); } .legend .l-migrating { background: var(--warn); } .legend .l-ready { background: var(--good); }
a { color: inherit; }
`

export const PAGE_SCRIPT = `
'use strict';
(function () {
  var $ = function (id) { return document.getElementById(id); };
  function getJson(url) {
    return fetch(url, { cache: 'no-store', headers: { accept: 'application/json' } }).then(function (r) {
      if (!r.ok) throw new Error(url + ': HTTP ' + r.status);
      return r.json();
    });
  }
  function when(iso) { return iso ? iso.slice(0, 19).replace('T', ' ') + ' UTC' : null; }
  function cell(tr, value, cls) {
    var td = document.createElement('td');
    if (value === null || value === undefined || value === '') { td.textContent = '\\u2014'; td.className = 'empty'; }
    else { td.textContent = String(value); if (cls) td.className = cls; }
    tr.appendChild(td);
    return td;
  }
  function badge(tr, status) {
    var td = document.createElement('td');
    var b = document.createElement('span');
    b.className = 'badge ' + status;
    b.textContent = status;
    td.appendChild(b);
    tr.appendChild(td);
  }
  function fill(tbody, rows, columns, emptyText) {
    tbody.textContent = '';
    if (rows.length === 0) {
      var tr = document.createElement('tr');
      var td = document.createElement('td');
      td.colSpan = columns;
      td.className = 'empty';
      td.textContent = emptyText;
      tr.appendChild(td);
      tbody.appendChild(tr);
    }
    return tbody;
  }
  function counterTable(id, rows, keys) {
    var tbody = fill($(id), rows, keys.length + 1, 'none yet');
    rows.forEach(function (row) {
      var tr = document.createElement('tr');
      keys.forEach(function (k) { cell(tr, row[k]); });
      cell(tr, row.value);
      tbody.appendChild(tr);
    });
  }
  function legacyAttempts(c) {
    var o = c.offered || {};
    return (o.SSLv2 || 0) + (o.SSLv3 || 0) + (o.TLSv1 || 0) + (o['TLSv1.1'] || 0);
  }
  function renderClients(clients) {
    // Rows with a legacy attempt of their own (docs/tls-census.md): lastLegacyAttempt is the
    // address's, set as well on its TLS 1.2+/1.3 rows.
    var legacy = clients.filter(function (c) { return legacyAttempts(c) > 0; });
    legacy.sort(function (a, b) { return a.lastLegacyAttempt < b.lastLegacyAttempt ? 1 : -1; });
    var tbody = fill($('legacy-clients'), legacy, 11, 'no legacy TLS attempt recorded');
    legacy.forEach(function (c) {
      var tr = document.createElement('tr');
      tr.dataset.ip = c.ip;
      tr.dataset.sni = c.sni || '';
      tr.dataset.version = c.maxVersionOffered || '';
      badge(tr, c.status);
      cell(tr, c.identity);
      cell(tr, c.ip, 'mono');
      cell(tr, c.sni, 'mono');
      cell(tr, c.maxVersionOffered);
      cell(tr, legacyAttempts(c));
      cell(tr, when(c.firstLegacyAttempt));
      cell(tr, when(c.lastLegacyAttempt));
      cell(tr, c.lastSuccess ? when(c.lastSuccess) + ' (' + c.lastSuccessVersion + ')' : null);
      cell(tr, c.lastFailureReason);
      cell(tr, c.ja4, 'mono');
      tbody.appendChild(tr);
    });
    $('legacy-count').textContent = String(legacy.length);
  }
  function renderCards(summary) {
    var a = summary.addresses;
    $('n-legacy-only').textContent = a['legacy-only'];
    $('n-migrating').textContent = a.migrating;
    $('n-ready').textContent = a.ready;
    $('n-other').textContent = a.other;
    $('n-clients').textContent = summary.clients;
    var o = summary.outcomes;
    $('n-refused').textContent = (o.failure || 0) + (o.rejected || 0);
  }
  var NS = 'http://www.w3.org/2000/svg';
  function renderChart(summary) {
    var svg = $('readiness-chart');
    svg.textContent = '';
    var points = summary.history.slice();
    points.push({ at: summary.generatedAt, legacyOnly: summary.addresses['legacy-only'], migrating: summary.addresses.migrating, ready: summary.addresses.ready });
    var w = 800, h = 200, pad = 24;
    var t0 = Date.parse(points[0].at), t1 = Date.parse(points[points.length - 1].at);
    var max = 1;
    points.forEach(function (p) { max = Math.max(max, p.legacyOnly, p.migrating, p.ready); });
    function x(p) { return t1 === t0 ? w - pad : pad + (Date.parse(p.at) - t0) / (t1 - t0) * (w - 2 * pad); }
    function y(v) { return h - pad - v / max * (h - 2 * pad); }
    var axis = document.createElementNS(NS, 'line');
    axis.setAttribute('x1', pad); axis.setAttribute('x2', w - pad); axis.setAttribute('y1', h - pad); axis.setAttribute('y2', h - pad);
    axis.setAttribute('stroke', 'currentColor'); axis.setAttribute('stroke-opacity', '0.3');
    svg.appendChild(axis);
    [['legacyOnly', '#c0392b'], ['migrating', '#d68910'], ['ready', '#1e8449']].forEach(function (s) {
      var line = document.createElementNS(NS, 'polyline');
      line.setAttribute('fill', 'none');
      line.setAttribute('stroke', s[1]);
      line.setAttribute('stroke-width', '2');
      line.setAttribute('points', points.map(function (p) { return x(p).toFixed(1) + ',' + y(p[s[0]]).toFixed(1); }).join(' '));
      line.dataset.series = s[0];
      svg.appendChild(line);
    });
    var label = document.createElementNS(NS, 'text');
    label.setAttribute('x', pad); label.setAttribute('y', 14); label.setAttribute('fill', 'currentColor'); label.setAttribute('font-size', '11');
    label.textContent = 'max ' + max + ' addresses; ' + (when(points[0].at) || '') + ' \\u2192 ' + (when(points[points.length - 1].at) || '');
    svg.appendChild(label);
  }
  function refresh() {
    return Promise.all([getJson('/ops/tls/summary'), getJson('/ops/tls/clients'), getJson('/ops/overview')]).then(function (r) {
      var summary = r[0], clients = r[1].clients, overview = r[2];
      renderCards(summary);
      renderClients(clients);
      renderChart(summary);
      counterTable('tls-handshakes', summary.handshakes, ['version', 'outcome']);
      counterTable('tls-rejections', summary.rejections, ['offered_version', 'reason']);
      counterTable('traffic', overview.requests, ['env', 'operation', 'outcome', 'status']);
      counterTable('validation-failures', overview.validationFailures, ['env', 'operation', 'code', 'mode']);
      $('status').textContent = 'updated ' + when(summary.generatedAt);
      document.body.dataset.loaded = 'true';
    }).catch(function (err) {
      $('status').textContent = 'could not refresh: ' + err.message;
    });
  }
  refresh();
  setInterval(refresh, 10000);
})();
`

export const PAGE_BODY = `
<header>
  <h1>sne-gateway &mdash; operations</h1>
  <div id="status">loading&hellip;</div>
</header>

<h2>Legacy TLS census</h2>
<div class="cards">
  <div class="card legacy-only"><div class="n" id="n-legacy-only">&ndash;</div><div class="l">legacy only</div></div>
  <div class="card migrating"><div class="n" id="n-migrating">&ndash;</div><div class="l">migrating</div></div>
  <div class="card ready"><div class="n" id="n-ready">&ndash;</div><div class="l">ready</div></div>
  <div class="card"><div class="n" id="n-other">&ndash;</div><div class="l">other</div></div>
  <div class="card"><div class="n" id="n-clients">&ndash;</div><div class="l">fingerprints (IP + JA4 + SNI)</div></div>
  <div class="card"><div class="n" id="n-refused">&ndash;</div><div class="l">connections refused</div></div>
</div>
<p class="empty">Readiness counts client addresses: legacy only (TLS 1.1 or older, never established),
migrating (legacy attempts and TLS 1.2+ successes), ready (no legacy attempt for the configured period).</p>

<h2>Legacy clients (<span id="legacy-count">0</span>) &middot; <a href="/ops/tls/report.csv">CSV report</a> &middot; <a href="/ops/tls/clients">JSON</a></h2>
<table>
  <thead><tr><th>status</th><th>identity</th><th>IP</th><th>SNI</th><th>max offered</th><th>legacy attempts</th>
  <th>first legacy</th><th>last legacy</th><th>last success</th><th>last failure</th><th>JA4</th></tr></thead>
  <tbody id="legacy-clients"></tbody>
</table>

<h2>Readiness over time</h2>
<div class="legend"><span><i class="l-legacy"></i>legacy only</span><span><i class="l-migrating"></i>migrating</span><span><i class="l-ready"></i>ready</span></div>
<svg id="readiness-chart" viewBox="0 0 800 200" preserveAspectRatio="none" role="img" aria-label="client addresses by readiness over time"></svg>

<div class="cols">
  <section>
    <h2>TLS handshakes since start</h2>
    <table><thead><tr><th>negotiated</th><th>outcome</th><th>count</th></tr></thead><tbody id="tls-handshakes"></tbody></table>
  </section>
  <section>
    <h2>Refusals since start</h2>
    <table><thead><tr><th>offered</th><th>reason</th><th>count</th></tr></thead><tbody id="tls-rejections"></tbody></table>
  </section>
</div>

<div class="cols">
  <section>
    <h2>Gateway traffic since start</h2>
    <table><thead><tr><th>env</th><th>operation</th><th>outcome</th><th>status</th><th>count</th></tr></thead><tbody id="traffic"></tbody></table>
  </section>
  <section>
    <h2>Validation failures since start</h2>
    <table><thead><tr><th>env</th><th>operation</th><th>code</th><th>mode</th><th>count</th></tr></thead><tbody id="validation-failures"></tbody></table>
  </section>
</div>
`
