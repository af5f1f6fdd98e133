import { createHash } from 'node:crypto';

/*
 * The status page: plain HTML, CSS and a small script, served as they are (no build step, no
 * framework, nothing fetched from elsewhere). The script reads `/status/data` every 2 s and
 * counts down between two reads. Every value is written with `textContent`, never as HTML.
 */

const STYLE = `
:root { color-scheme: light; --ok: #1a7f37; --warn: #bf8700; --bad: #cf222e; --muted: #57606a;
  --line: #d0d7de; --bg: #f6f8fa; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
body { margin: 0; background: var(--bg); color: #1f2328; }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 12px; padding: 16px 24px;
  background: #fff; border-bottom: 1px solid var(--line); }
h1 { font-size: 20px; margin: 0; }
h2 { font-size: 17px; margin: 0; }
.badge { font-size: 12px; font-weight: 600; padding: 2px 8px; border-radius: 10px; background: #ddf4ff; color: #0969da; }
.badge.sandbox { background: #fff8c5; color: #7d4e00; }
.muted { color: var(--muted); font-size: 13px; }
.problem { margin: 16px 24px 0; padding: 10px 14px; border: 1px solid var(--bad); border-radius: 6px;
  background: #ffebe9; color: var(--bad); }
main { display: grid; grid-template-columns: repeat(auto-fill, minmax(380px, 1fr)); gap: 16px; padding: 16px 24px; }
.app { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px; }
.app .head { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; margin-bottom: 12px; }
.platform, .appid { font-size: 12px; color: var(--muted); }
.platform { border: 1px solid var(--line); border-radius: 10px; padding: 1px 7px; }
.state { margin-left: auto; font-size: 13px; font-weight: 600; padding: 2px 10px; border-radius: 10px; color: #fff; }
.state.valid { background: var(--ok); } .state.renewing { background: #0969da; }
.state.expired, .state.missing, .state.held { background: var(--bad); }
.bar { height: 12px; border-radius: 6px; background: #eaeef2; overflow: hidden; }
.bar .fill { height: 100%; width: 0; background: var(--ok); transition: width 0.9s linear; }
.bar.low .fill { background: var(--warn); } .bar.critical .fill { background: var(--bad); }
.bar.small { height: 6px; margin-top: 4px; }
.left { margin: 6px 0 12px; font-size: 14px; font-variant-numeric: tabular-nums; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 6px 16px; margin: 0; font-size: 14px; }
dt { color: var(--muted); } dd { margin: 0; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
.error { color: var(--bad); }
footer { display: flex; flex-wrap: wrap; gap: 32px; padding: 8px 24px 24px; font-size: 14px; }
footer p { margin: 4px 0 0; }
`;

const SCRIPT = `
(() => {
  const REFRESH_MS = 2000;
  let data = null;
  let skew = 0;
  let receivedAt = 0;
  const $ = (id) => document.getElementById(id);
  const el = (tag, attrs, text) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const now = () => Date.now() + skew;
  const duration = (ms) => {
    const s = Math.max(0, Math.round(ms / 1000));
    if (s >= 3600) {
      const min = Math.floor((s % 3600) / 60);
      return Math.floor(s / 3600) + ' h' + (min > 0 ? ' ' + min + ' min' : '');
    }
    if (s >= 60) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
    return s + ' s';
  };
  const clock = (iso) => new Date(iso).toLocaleTimeString();
  // What each platform's token was obtained with (its own endpoints).
  const CREDENTIALS = {
    qingtui: 'AppSecret (/v1/token)',
    'wechat-mp': 'AppSecret (/cgi-bin/token or /cgi-bin/stable_token)',
    wecom: 'corpsecret (/cgi-bin/gettoken)',
  };
  const ORIGINS = { 'refresh-token': 'refresh_token (/auth/autoRefreshToken)', 'central-server': 'central server' };
  const originOf = (app) =>
    app.origin === 'credentials' ? (CREDENTIALS[app.platform] || 'credentials') : (ORIGINS[app.origin] || app.origin);

  function stateOf(app) {
    if (app.heldBack && app.state !== 'valid') return ['held', 'held back (' + app.heldBack.reason + ')'];
    if (app.renewing) return ['renewing', app.state === 'valid' ? 'valid, renewing' : 'renewing'];
    return [app.state, app.state === 'missing' ? 'no token yet' : app.state];
  }

  function card(app) {
    const id = 'app-' + app.name;
    const root = el('article', { class: 'app', 'data-app': app.name, 'aria-labelledby': id });
    const head = el('div', { class: 'head' });
    head.append(el('h2', { id }, app.name), el('span', { class: 'platform' }, app.platform),
      el('span', { class: 'appid' }, 'AppID ' + app.appId), el('span', { class: 'state', 'data-field': 'state' }));
    const bar = el('div', { class: 'bar', role: 'progressbar', 'aria-label': 'Time left for ' + app.name,
      'aria-valuemin': '0', 'data-field': 'bar' });
    bar.append(el('div', { class: 'fill' }));
    const rows = el('dl');
    const row = (label, field) => rows.append(el('dt', {}, label), el('dd', { 'data-field': field }));
    row('Next renewal', 'next');
    row('Obtained with', 'origin');
    row('Generation', 'generation');
    row('Platform calls today', 'quota');
    row('Callers that waited', 'waited');
    row('Relayed calls since start', 'relayed');
    row('JS-SDK tickets', 'tickets');
    row('Last error', 'error');
    root.append(head, bar, el('p', { class: 'left', 'data-field': 'left' }), rows);
    return root;
  }

  function fill(root, app) {
    const field = (name) => root.querySelector('[data-field="' + name + '"]');
    const [cls, label] = stateOf(app);
    const state = field('state');
    state.className = 'state ' + cls;
    state.textContent = label;
    const bar = field('bar');
    const t = now();
    if (app.expiresAt && app.issuedAt) {
      const lifetime = Date.parse(app.expiresAt) - Date.parse(app.issuedAt);
      const left = Math.max(0, Date.parse(app.expiresAt) - t);
      const ratio = lifetime > 0 ? left / lifetime : 0;
      bar.setAttribute('aria-valuemax', String(Math.round(lifetime / 1000)));
      bar.setAttribute('aria-valuenow', String(Math.round(left / 1000)));
      bar.setAttribute('aria-valuetext', duration(left) + ' left');
      bar.className = 'bar' + (ratio <= 0.1 ? ' critical' : ratio <= 0.25 ? ' low' : '');
      bar.firstChild.style.width = (ratio * 100).toFixed(1) + '%';
      field('left').textContent = left > 0
        ? duration(left) + ' left of ' + duration(lifetime) + ' (expires ' + clock(app.expiresAt) + ')'
        : 'expired at ' + clock(app.expiresAt);
    } else {
      bar.setAttribute('aria-valuemax', '1');
      bar.setAttribute('aria-valuenow', '0');
      bar.setAttribute('aria-valuetext', 'no token');
      bar.firstChild.style.width = '0%';
      field('left').textContent = 'No token yet';
    }
    field('next').textContent = app.nextRenewalAt
      ? 'in ' + duration(Date.parse(app.nextRenewalAt) - t) + ' (' + clock(app.nextRenewalAt) + ')'
      : '—';
    field('origin').textContent = app.origin ? originOf(app) : '—';
    field('generation').textContent = app.generation === undefined ? '—' : String(app.generation);
    const q = app.platformCallsToday;
    const quota = field('quota');
    quota.textContent = q.limit === undefined
      ? q.total + ' (no daily quota)'
      : q.total + ' of ' + q.limit + ' (' + Math.round((100 * q.total) / q.limit) + '%)';
    if (q.state !== 'ok') quota.textContent += ', ' + q.state;
    if (q.limit !== undefined) {
      const used = el('div', { class: 'bar small' + (q.total >= 0.9 * q.limit ? ' critical' : q.total >= 0.8 * q.limit ? ' low' : ''),
        role: 'progressbar', 'aria-label': 'Daily quota used by ' + app.name, 'aria-valuemin': '0',
        'aria-valuemax': String(q.limit), 'aria-valuenow': String(q.total) });
      const f = el('div', { class: 'fill' });
      f.style.width = Math.min(100, (100 * q.total) / q.limit).toFixed(1) + '%';
      used.append(f);
      quota.append(used);
    }
    field('waited').textContent = String(app.callersWaited);
    const r = app.relayedCalls;
    field('relayed').textContent = !r || r.total === 0 ? 'none' : r.total + ' (' + r.ok + ' ok, ' +
      r['token-renewed-retried'] + ' healed after a refused token, ' + r['platform-error'] + ' platform errors, ' +
      r['transport-error'] + ' unanswered, ' + r.refused + ' refused)';
    field('tickets').textContent = (app.tickets || []).length === 0 ? 'none on this platform' :
      app.tickets.map((k) => k.kind + ': ' + (k.heldBack && k.state !== 'valid' ? 'held back (' + k.heldBack.reason + ')' :
        k.state === 'missing' ? 'not fetched yet' : k.expiresAt && Date.parse(k.expiresAt) > t ?
          duration(Date.parse(k.expiresAt) - t) + ' left' : k.state) +
        (k.lastError ? ' (last error ' + k.lastError.kind + (k.lastError.errcode === undefined ? '' : ' ' + k.lastError.errcode) + ')' : '')).join('; ');
    const error = field('error');
    if (app.lastError) {
      const e = app.lastError;
      error.className = 'error';
      error.textContent = e.kind + (e.errcode === undefined ? '' : ' ' + e.errcode) + ': ' + e.errmsg +
        ' (' + clock(e.at) + (app.consecutiveFailures > 0 ? ', ' + app.consecutiveFailures + ' failed in a row' : '') + ')';
      if (app.heldBack) error.textContent += '; calls held back until ' + clock(app.heldBack.until);
    } else {
      error.className = '';
      error.textContent = 'none';
    }
  }

  function render() {
    if (!data) return;
    const main = $('apps');
    const seen = new Set();
    for (const app of data.apps) {
      seen.add(app.name);
      let root = main.querySelector('[data-app="' + CSS.escape(app.name) + '"]');
      if (!root) main.append((root = card(app)));
      fill(root, app);
    }
    for (const root of [...main.children]) if (!seen.has(root.getAttribute('data-app'))) root.remove();
    const mode = $('mode');
    mode.textContent = data.mode === 'sandbox' ? 'SANDBOX' : 'platform';
    mode.className = 'badge' + (data.mode === 'sandbox' ? ' sandbox' : '');
    $('store').textContent = (data.store.kind === 'redis' ? 'Redis' : 'memory (this process only)') + ': ' +
      (data.store.state === 'ok' ? 'ok' : 'degraded, tokens served from memory');
    const i = data.instance;
    $('instance').textContent = i.hostname + ', pid ' + i.pid + ', id ' + i.id.slice(0, 8) + ', up ' +
      duration(Date.now() - receivedAt + i.uptimeSeconds * 1000) + ', Node ' + i.node;
    const s = data.summary;
    const shown = s.apps > data.apps.length
      ? ', showing apps ' + (s.offset + 1) + '–' + (s.offset + data.apps.length) + ' of ' + s.apps +
        ' (' + Object.entries(s.byState).map(([k, v]) => v + ' ' + k).join(', ') + ')'
      : '';
    $('updated').textContent = 'updated ' + clock(new Date(now()).toISOString()) + ', refreshes every 2 s' + shown;
  }

  async function refresh() {
    try {
      // From the origin, never relative: a page opened as http://user:key@host/status has a base
      // URL with credentials, from which the browser refuses to build a request.
      const response = await fetch(location.origin + '/status/data', { credentials: 'same-origin', cache: 'no-store' });
      if (!response.ok) throw new Error('HTTP ' + response.status);
      const next = await response.json();
      receivedAt = Date.now();
      skew = Date.parse(next.generatedAt) - receivedAt;
      data = next;
      $('problem').hidden = true;
      render();
    } catch (error) {
      const problem = $('problem');
      problem.hidden = false;
      problem.textContent = 'Could not refresh (' + error.message + ')' + (data ? '; showing the last known state' : '');
    } finally {
      setTimeout(refresh, REFRESH_MS);
    }
  }

  setInterval(render, 1000);
  refresh();
})();
`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/** The page's Content-Security-Policy: its own inline style and script, requests to itself only. */
export const STATUS_PAGE_CSP = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  "connect-src 'self'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The status page. */
export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Token server for Qingtui, WeChat and WeCom · status</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<header>
  <h1>Token server for Qingtui, WeChat and WeCom</h1>
  <span id="mode" class="badge"></span>
  <span id="updated" class="muted" aria-live="polite">Loading…</span>
</header>
<p id="problem" class="problem" role="alert" hidden></p>
<main id="apps" aria-label="Apps"></main>
<footer>
  <section aria-labelledby="store-title"><h2 id="store-title">Token store</h2><p id="store"></p></section>
  <section aria-labelledby="instance-title"><h2 id="instance-title">This instance</h2><p id="instance"></p></section>
</footer>
<script>${SCRIPT}</script>
</body>
</html>
`;
