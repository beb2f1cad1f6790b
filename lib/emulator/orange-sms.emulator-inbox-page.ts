/**
 * The web inbox page: one HTML string with inline CSS and JS, so it ships inside the compiled JS
 * (tsc copies no asset) and needs no external request. The script renders every value from the
 * app with textContent, never as HTML, and the CSP allows only these exact inline blocks (by hash),
 * so injected markup could not run even if a rendering bug slipped in.
 */
import { createHash } from 'node:crypto';

const STYLE = String.raw`
:root {
  --bg: #f4f5f7; --panel: #fff; --line: #e5e7eb; --text: #1f2430; --muted: #6b7280; --faint: #9ca3af;
  --accent: #ff7900; --accent-dark: #e06a00; --accent-soft: #fff3e8;
  --ok: #15803d; --ok-soft: #e8f6ed; --bad: #b91c1c; --bad-soft: #fdeeee;
  --warn: #a15c07; --warn-soft: #fdf5e4; --info: #0e7490; --info-soft: #e6f5f8;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
html, body { height: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--text); font-size: 14px; line-height: 1.4;
  font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans", sans-serif;
  display: flex; flex-direction: column;
}
button, input, textarea, select { font: inherit; color: inherit; }
button { cursor: pointer; }
h1, h2 { margin: 0; font-weight: 600; }
h1 { font-size: 16px; }
h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); }

.top { display: flex; align-items: center; gap: 16px; padding: 10px 18px; background: var(--panel); border-bottom: 1px solid var(--line); }
.brand { display: flex; align-items: center; gap: 10px; }
.logo { width: 30px; height: 30px; border-radius: 8px; background: var(--accent); position: relative; flex: none; }
.logo::after { content: ""; position: absolute; left: 7px; top: 8px; width: 16px; height: 11px; border-radius: 4px; background: #fff; }
.brand p { margin: 0; color: var(--muted); font-size: 12px; }
.spacer { flex: 1; }
.live { display: inline-flex; align-items: center; gap: 6px; font-size: 12px; color: var(--muted); }
.live::before { content: ""; width: 8px; height: 8px; border-radius: 50%; background: var(--faint); }
.live[data-state="live"]::before { background: #22c55e; box-shadow: 0 0 0 3px #dcfce7; }
.live[data-state="down"]::before { background: var(--bad); }

.facts { display: flex; flex-wrap: wrap; gap: 6px 22px; margin: 0; padding: 8px 18px; background: var(--panel); border-bottom: 1px solid var(--line); font-size: 12px; }
.facts div { display: flex; gap: 6px; min-width: 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; font-family: var(--mono); overflow-wrap: anywhere; }
.facts dd.unset { color: var(--warn); font-family: inherit; }

.btn { border: 1px solid var(--line); background: var(--panel); border-radius: 8px; padding: 6px 12px; }
.btn:hover { border-color: #cfd3da; background: #fafafa; }
.btn.primary { background: var(--accent); border-color: var(--accent); color: #fff; font-weight: 600; }
.btn.primary:hover { background: var(--accent-dark); }
.btn.small { padding: 3px 9px; font-size: 12px; border-radius: 6px; }
.btn:disabled { opacity: .5; cursor: default; }

.layout { flex: 1; min-height: 0; display: grid; grid-template-columns: 290px minmax(0, 1fr) 430px; }
.pane { display: flex; flex-direction: column; min-height: 0; background: var(--panel); }
.pane + .pane { border-left: 1px solid var(--line); }
.pane-head { display: flex; align-items: center; gap: 10px; padding: 12px 16px; border-bottom: 1px solid var(--line); min-height: 49px; }
.pane-head .sub { color: var(--muted); font-size: 12px; }
.scroll { flex: 1; overflow: auto; min-height: 0; }

.new-form { display: flex; gap: 6px; padding: 10px 12px; border-bottom: 1px solid var(--line); }
.new-form input { flex: 1; min-width: 0; border: 1px solid var(--line); border-radius: 8px; padding: 6px 10px; }
.thread-list { list-style: none; margin: 0; padding: 6px; }
.thread { display: flex; gap: 10px; align-items: center; width: 100%; text-align: left; border: 0; background: none; border-radius: 10px; padding: 9px 10px; }
.thread:hover { background: #f6f7f9; }
.thread[aria-current="true"] { background: var(--accent-soft); }
.avatar { width: 38px; height: 38px; border-radius: 50%; flex: none; display: grid; place-items: center; background: #eef0f3; color: #4b5563; font-weight: 600; font-size: 13px; }
.thread[aria-current="true"] .avatar { background: var(--accent); color: #fff; }
.t-main { flex: 1; min-width: 0; }
.t-main { display: block; }
.t-top, .t-bottom { display: flex; justify-content: space-between; align-items: baseline; gap: 8px; }
.t-phone, .t-preview { min-width: 0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.t-phone { font-weight: 600; font-variant-numeric: tabular-nums; }
.t-time { color: var(--faint); font-size: 12px; flex: none; }
.t-preview { color: var(--muted); font-size: 13px; }
.count { flex: none; background: #eef0f3; color: #4b5563; border-radius: 999px; font-size: 11px; padding: 0 7px; }

.conversation { background: #f7f8fa; }
.conv-title { font-size: 15px; font-weight: 600; font-variant-numeric: tabular-nums; }
.bubbles { display: flex; flex-direction: column; gap: 14px; padding: 20px 24px; }
.empty { margin: auto; max-width: 420px; text-align: center; color: var(--muted); padding: 40px 20px; }
.empty strong { display: block; color: var(--text); font-size: 15px; margin-bottom: 6px; }
.empty code { font-family: var(--mono); font-size: 12px; background: #eef0f3; border-radius: 4px; padding: 1px 5px; overflow-wrap: anywhere; }
.row { display: flex; flex-direction: column; max-width: min(560px, 82%); }
.row.from-app { align-self: flex-start; align-items: flex-start; }
.row.from-phone { align-self: flex-end; align-items: flex-end; }
.sender { font-size: 12px; color: var(--muted); margin: 0 0 4px 4px; }
.sender b { color: var(--text); font-weight: 600; }
.bubble { max-width: 100%; padding: 10px 14px; border-radius: 18px; white-space: pre-wrap; overflow-wrap: anywhere; font-size: 15px; }
.from-app .bubble { background: var(--panel); border: 1px solid var(--line); border-bottom-left-radius: 6px; }
.from-phone .bubble { background: var(--accent); color: #fff; border-bottom-right-radius: 6px; }
.meta { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; margin: 6px 4px 0; font-size: 12px; color: var(--muted); }
.meta .dot::before { content: "·"; margin-right: 6px; color: var(--faint); }
.chip { display: inline-block; border-radius: 999px; padding: 1px 8px; font-size: 11px; font-weight: 600; background: #eef0f3; color: #4b5563; }
.chip.ok { background: var(--ok-soft); color: var(--ok); }
.chip.bad { background: var(--bad-soft); color: var(--bad); }
.chip.warn { background: var(--warn-soft); color: var(--warn); }
.chip.info { background: var(--info-soft); color: var(--info); }
.actions { display: flex; flex-wrap: wrap; gap: 6px; margin: 6px 4px 0; align-items: center; }
.actions select { width: 84px; border: 1px solid var(--line); border-radius: 6px; padding: 3px 4px; font-size: 12px; background: var(--panel); }
.btn.ok:hover { border-color: var(--ok); color: var(--ok); }
.btn.bad:hover { border-color: var(--bad); color: var(--bad); }
.receipt { font-size: 12px; color: var(--muted); }
.receipt.good { color: var(--ok); }
.receipt.fail { color: var(--bad); }

.composer { border-top: 1px solid var(--line); background: var(--panel); padding: 10px 16px 14px; }
.composer-meta { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; font-size: 12px; color: var(--muted); margin-bottom: 8px; }
.composer-meta strong { color: var(--text); font-variant-numeric: tabular-nums; }
.composer-meta input { width: 150px; border: 1px solid var(--line); border-radius: 6px; padding: 2px 8px; font-family: var(--mono); font-size: 12px; }
.composer-option { display: inline-flex; align-items: center; gap: 4px; }
.composer-meta .composer-option input { width: auto; padding: 0; }
.composer-row { display: flex; gap: 8px; align-items: flex-end; }
.composer textarea { flex: 1; resize: none; border: 1px solid var(--line); border-radius: 18px; padding: 9px 14px; max-height: 140px; min-height: 40px; outline: none; }
.composer textarea:focus, .new-form input:focus, .composer-meta input:focus { border-color: var(--accent); box-shadow: 0 0 0 3px var(--accent-soft); outline: none; }
.composer .btn.primary { border-radius: 18px; padding: 8px 18px; }

.log-list { list-style: none; margin: 0; padding: 0; font-size: 12px; }
.log-item { border-bottom: 1px solid #f0f1f3; }
.log-line { display: grid; grid-template-columns: 54px 76px minmax(0, 1fr) 32px; gap: 8px; align-items: start; width: 100%; text-align: left; border: 0; background: none; padding: 7px 14px; }
.log-line > * { line-height: 18px; }
.log-line:hover { background: #f8f9fa; }
.log-time { color: var(--faint); font-variant-numeric: tabular-nums; }
.log-method { font-weight: 700; }
.log-path { font-family: var(--mono); font-size: 11.5px; word-break: break-all; color: #374151; display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 2; overflow: hidden; }
.kind { justify-self: start; border-radius: 5px; padding: 1px 6px; font-size: 11px; font-weight: 600; background: #eef0f3; color: #4b5563; }
.kind.token { background: #f1ebfd; color: #6d28d9; }
.kind.send { background: var(--accent-soft); color: #c2410c; }
.kind.subscription { background: #e8effd; color: #1d4ed8; }
.kind.admin { background: var(--info-soft); color: var(--info); }
.kind.receipt { background: var(--ok-soft); color: var(--ok); }
.kind.inbound { background: #fde9f3; color: #be185d; }
.code { justify-self: end; font-family: var(--mono); font-weight: 600; }
.code.ok { color: var(--ok); }
.code.warn { color: var(--warn); }
.code.bad { color: var(--bad); }
.code.none { color: var(--faint); }
.log-detail { margin: 0; padding: 8px 14px 12px; background: #fafafa; font-family: var(--mono); font-size: 11.5px; white-space: pre-wrap; overflow-wrap: anywhere; color: #374151; border-top: 1px dashed var(--line); }

.toast { position: fixed; left: 50%; bottom: 22px; transform: translateX(-50%); background: #1f2430; color: #fff; padding: 10px 16px; border-radius: 10px; box-shadow: 0 8px 24px rgba(0,0,0,.18); font-size: 13px; max-width: 90vw; }
.toast.bad { background: var(--bad); }

@media (max-width: 1180px) {
  .layout { grid-template-columns: 250px minmax(0, 1fr); grid-template-rows: minmax(0, 1fr) 38vh; }
  .pane.log { grid-column: 1 / -1; border-left: 0; border-top: 1px solid var(--line); }
}
@media (max-width: 720px) {
  html, body { height: auto; }
  .layout { display: block; }
  .pane + .pane { border-left: 0; border-top: 1px solid var(--line); }
  .threads .scroll { max-height: 35vh; }
  .conversation .scroll { max-height: 65vh; }
  .log .scroll { max-height: 60vh; }
}
`;

const SCRIPT = String.raw`
(function () {
  'use strict';
  var STATUS = {
    DeliveredToTerminal: ['Delivered', 'ok'],
    DeliveredToNetwork: ['Delivered to network', 'info'],
    MessageWaiting: ['Waiting', 'warn'],
    DeliveryUncertain: ['Uncertain', 'warn'],
    DeliveryImpossible: ['Failed', 'bad']
  };
  var KINDS = ['token', 'send', 'subscription', 'admin', 'other', 'receipt', 'inbound'];
  var state = {
    info: null, limits: { messages: 1000, requests: 300, callbacks: 1000 },
    messages: new Map(), requests: new Map(), callbacks: new Map(),
    local: [], selected: null, open: new Set(), busy: new Set(), replyTo: new Map(), lastSelected: null
  };

  function $(id) { return document.getElementById(id); }
  // Every piece of text becomes a text node: app data is never parsed as HTML.
  function el(tag, className, children) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
    });
    return node;
  }
  function phone(address) { return address ? String(address).replace(/^tel:/, '') : ''; }
  function pad(n) { return (n < 10 ? '0' : '') + n; }
  function clock(iso) {
    var d = new Date(iso);
    return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
  }
  function trim(map, max) { while (map.size > max) map.delete(map.keys().next().value); }
  function httpClass(status) {
    if (typeof status !== 'number' || status === 0) return 'bad';
    return status < 300 ? 'ok' : status < 500 ? 'warn' : 'bad';
  }
  function appAnswer(status, error) {
    return typeof status === 'number' && status > 0 ? 'app answered ' + status : 'app unreachable' + (error ? ' (' + error + ')' : '');
  }

  // ---- model --------------------------------------------------------------------------------

  function applySnapshot(s) {
    state.info = s.info;
    if (s.limits) state.limits = s.limits;
    state.messages = new Map(); state.requests = new Map(); state.callbacks = new Map();
    s.messages.forEach(function (m) { state.messages.set(m.id, m); });
    s.requests.forEach(function (r) { state.requests.set(r.seq, r); });
    s.callbacks.forEach(function (c) { state.callbacks.set(c.seq, c); });
  }

  function receipts() {
    var last = new Map();
    state.callbacks.forEach(function (c) { if (c.receipt && c.receipt.id) last.set(c.receipt.id, c); });
    return last;
  }

  function threads() {
    var byPhone = new Map();
    function get(p) {
      var t = byPhone.get(p);
      if (!t) { t = { phone: p, items: [], last: '', shortCode: '' }; byPhone.set(p, t); }
      return t;
    }
    state.messages.forEach(function (m) { get(phone(m.to)).items.push({ type: 'app', at: m.at, m: m }); });
    state.callbacks.forEach(function (c) {
      if (c.inbound && c.inbound.from) get(phone(c.inbound.from)).items.push({ type: 'phone', at: c.at, c: c });
    });
    state.local.forEach(function (p) { get(p); });
    var list = Array.from(byPhone.values());
    list.forEach(function (t) {
      t.items.sort(function (a, b) { return a.at < b.at ? -1 : a.at > b.at ? 1 : 0; });
      var last = t.items[t.items.length - 1];
      t.last = last ? last.at : '';
      for (var i = t.items.length - 1; i >= 0 && !t.shortCode; i--) {
        var item = t.items[i];
        t.shortCode = phone(item.type === 'app' ? item.m.from : item.c.inbound.to);
      }
    });
    // A number opened with "New" has no message yet: keep it on top until it has some.
    return list.sort(function (a, b) {
      var ak = a.last || '9999', bk = b.last || '9999';
      return ak < bk ? 1 : ak > bk ? -1 : 0;
    });
  }

  function defaultShortCode() {
    var found = '';
    state.messages.forEach(function (m) { found = phone(m.from); });
    return found;
  }

  // ---- rendering ------------------------------------------------------------------------------

  var scheduled = false;
  function schedule() {
    if (scheduled) return;
    scheduled = true;
    (window.requestAnimationFrame || setTimeout)(function () { scheduled = false; render(); });
  }

  function render() {
    var list = threads();
    var current = list.find(function (t) { return t.phone === state.selected; }) || null;
    if (!current && !state.selected && list.length) current = list[0];
    renderFacts();
    renderThreads(list, current);
    renderConversation(current);
    renderLog();
  }

  function fact(label, value, unset) {
    return el('div', null, [el('dt', null, [label]), el('dd', value ? null : 'unset', [value || unset])]);
  }

  function renderFacts() {
    var info = state.info;
    var facts = $('facts');
    if (!info) return;
    var units = info.units.map(function (u) { return u.country + ' ' + u.available; }).join(', ');
    facts.replaceChildren(
      fact('API', info.url),
      fact('Client', info.clientId + ' / ' + info.clientSecret),
      fact('Receipts to', info.deliveryReceiptUrl, 'not set'),
      fact('Inbound to', info.inboundUrl, 'not set'),
      fact('Units left', units, 'none'),
      fact('Tokens', info.issuedTokens + ' issued')
    );
  }

  function renderThreads(list, current) {
    var ul = $('thread-list');
    ul.replaceChildren.apply(ul, list.map(function (t) {
      var last = t.items[t.items.length - 1];
      var preview = last ? (last.type === 'phone' ? 'You: ' + last.c.inbound.text : last.m.text) : 'No message yet';
      var button = el('button', 'thread', [
        el('span', 'avatar', [t.phone.replace(/\D/g, '').slice(-2) || '#']),
        el('span', 't-main', [
          el('span', 't-top', [el('span', 't-phone', [t.phone]), el('span', 't-time', [last ? clock(last.at) : ''])]),
          el('span', 't-bottom', [
            el('span', 't-preview', [preview]),
            t.items.length ? el('span', 'count', [t.items.length]) : null
          ])
        ])
      ]);
      button.type = 'button';
      button.setAttribute('aria-current', current && current.phone === t.phone ? 'true' : 'false');
      button.addEventListener('click', function () { select(t.phone); });
      var li = el('li', null, [button]);
      li.setAttribute('data-phone', t.phone);
      return li;
    }));
  }

  function statusChip(status) {
    var s = STATUS[status] || ['Submitted', ''];
    var chip = el('span', 'chip status ' + s[1], [s[0]]);
    chip.setAttribute('data-status', status || 'none');
    chip.title = status || 'Accepted by Orange (201), no delivery receipt yet';
    return chip;
  }

  function actionButton(id, status, label, tone) {
    var b = el('button', 'btn small ' + tone, [label]);
    b.type = 'button';
    b.setAttribute('data-deliver', status);
    b.title = 'POST a ' + status + ' delivery receipt to the app';
    b.disabled = state.busy.has(id);
    return b;
  }

  function appRow(m, receipt) {
    var row = el('div', 'row from-app', [
      el('div', 'sender', [el('b', null, [m.senderName || phone(m.from)]), m.senderName ? ' · ' + phone(m.from) : null]),
      el('div', 'bubble text', [m.text]),
      el('div', 'meta', [
        el('span', null, [clock(m.at)]),
        el('span', 'dot', [m.segments + (m.segments === 1 ? ' segment' : ' segments')]),
        el('span', 'dot', [Array.from(m.text).length + ' chars']),
        m.onNet ? el('span', 'dot', ['on-net']) : null,
        el('span', 'dot', [m.country]),
        statusChip(m.status)
      ])
    ]);
    var more = el('select', null, [el('option', null, ['More…'])]);
    ['DeliveredToNetwork', 'MessageWaiting', 'DeliveryUncertain'].forEach(function (s) {
      var o = el('option', null, [STATUS[s][0]]);
      o.value = s;
      more.appendChild(o);
    });
    more.options[0].value = '';
    more.disabled = state.busy.has(m.id);
    more.title = 'POST another delivery status';
    var actions = el('div', 'actions', [
      actionButton(m.id, 'DeliveredToTerminal', '✓ Delivered', 'ok'),
      actionButton(m.id, 'DeliveryImpossible', '✕ Failed', 'bad'),
      more
    ]);
    if (receipt) {
      var good = typeof receipt.status === 'number' && receipt.status < 300;
      actions.appendChild(el('span', 'receipt ' + (good ? 'good' : 'fail'), [
        'Receipt ' + (receipt.receipt.status || '') + ' → ' + appAnswer(receipt.status, receipt.error) + ' at ' + clock(receipt.at)
      ]));
    }
    row.appendChild(actions);
    row.setAttribute('data-message-id', m.id);
    return row;
  }

  function phoneRow(c) {
    var row = el('div', 'row from-phone', [
      el('div', 'bubble text', [c.inbound.text]),
      el('div', 'meta', [
        el('span', null, [clock(c.at)]),
        el('span', 'dot', ['to ' + phone(c.inbound.to)]),
        c.inbound.sender && c.inbound.sender !== c.inbound.from ? el('span', 'dot', ['sent as ' + c.inbound.sender]) : null,
        el('span', 'dot receipt ' + (httpClass(c.status) === 'ok' ? 'good' : 'fail'), [appAnswer(c.status, c.error)])
      ])
    ]);
    row.setAttribute('data-inbound-seq', String(c.seq));
    return row;
  }

  function emptyState() {
    var info = state.info;
    return el('div', 'empty', [
      el('strong', null, ['No SMS yet']),
      'Point your app at ', el('code', null, [info ? info.url : location.origin]),
      ' with client id ', el('code', null, [info ? info.clientId : '…']),
      ' and send one: it shows up here, live.'
    ]);
  }

  function renderConversation(current) {
    var box = $('bubbles');
    var scroller = $('conversation-scroll');
    var stick = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 60;
    var changed = (current && current.phone) !== state.lastSelected;
    state.lastSelected = current ? current.phone : null;
    $('conv-title').textContent = current ? current.phone : 'Inbox';
    var segments = 0, fromApp = 0;
    if (current) current.items.forEach(function (i) { if (i.type === 'app') { fromApp++; segments += i.m.segments; } });
    var replies = current ? current.items.length - fromApp : 0;
    $('conv-sub').textContent = current
      ? fromApp + ' from the app (' + segments + (segments === 1 ? ' unit), ' : ' units), ') +
        replies + (replies === 1 ? ' reply' : ' replies')
      : '';
    if (!current) {
      box.replaceChildren(emptyState());
    } else {
      var last = receipts();
      box.replaceChildren.apply(box, current.items.length ? current.items.map(function (i) {
        return i.type === 'app' ? appRow(i.m, last.get(i.m.id)) : phoneRow(i.c);
      }) : [el('div', 'empty', [el('strong', null, ['New conversation']), 'Text the app as ' + current.phone + ' below.'])]);
    }
    if (stick || changed) scroller.scrollTop = scroller.scrollHeight;

    var form = $('composer');
    form.hidden = !current;
    if (current) {
      $('reply-from').textContent = current.phone;
      var to = $('reply-to');
      if (document.activeElement !== to) to.value = state.replyTo.get(current.phone) || current.shortCode || defaultShortCode();
    }
  }

  // The app's origin is in the facts bar; the row shows where on the app it went.
  function shortUrl(url) {
    try { var u = new URL(url); return u.pathname + u.search; } catch (e) { return url; }
  }

  function logRow(entry) {
    var isCallback = entry.type === 'callback';
    var e = entry.e;
    var kind = isCallback ? (e.kind === 'inbound' ? 'inbound' : 'receipt') : e.kind;
    var status = e.status;
    var code = typeof status === 'number' && status > 0 ? String(status) : isCallback ? 'err' : '…';
    var line = el('button', 'log-line', [
      el('span', 'log-time', [clock(e.at)]),
      el('span', 'kind ' + (KINDS.indexOf(kind) >= 0 ? kind : 'other'), [isCallback ? '→ ' + kind : kind]),
      el('span', 'log-path', [el('span', 'log-method', [isCallback ? 'POST' : e.method]), ' ', isCallback ? shortUrl(e.url) : e.path]),
      el('span', 'code ' + (code === '…' ? 'none' : httpClass(status)), [code])
    ]);
    line.type = 'button';
    line.title = isCallback ? 'Emulator → app: ' + e.url : 'App → emulator: ' + e.method + ' ' + e.path;
    var key = entry.type + ':' + e.seq;
    line.setAttribute('aria-expanded', state.open.has(key) ? 'true' : 'false');
    line.addEventListener('click', function () {
      if (state.open.has(key)) state.open.delete(key); else state.open.add(key);
      schedule();
    });
    var li = el('li', 'log-item', [line]);
    li.setAttribute('data-kind', kind);
    if (state.open.has(key)) {
      var text;
      if (isCallback) {
        text = 'POST ' + e.url + '\n' + (e.error ? 'Error: ' + e.error + '\n' : '') +
          '\nPayload:\n' + e.payload + '\n\nApp answered ' + (e.status === 'error' ? 'nothing' : e.status) + (e.response ? ':\n' + e.response : '');
      } else {
        text = e.method + ' ' + e.rawPath + '\nX-OAPI-Request-Id: ' + e.requestId + '\n\n' +
          Object.keys(e.headers).map(function (h) { return h + ': ' + e.headers[h]; }).join('\n') +
          (e.body ? '\n\n' + e.body : '');
      }
      li.appendChild(el('pre', 'log-detail', [text]));
    }
    return li;
  }

  function renderLog() {
    var entries = [];
    state.requests.forEach(function (r) { entries.push({ type: 'request', at: r.at, e: r }); });
    state.callbacks.forEach(function (c) { entries.push({ type: 'callback', at: c.at, e: c }); });
    entries.sort(function (a, b) { return a.at < b.at ? 1 : a.at > b.at ? -1 : b.e.seq - a.e.seq; });
    entries = entries.slice(0, 400);
    var ol = $('log-list');
    ol.replaceChildren.apply(ol, entries.length ? entries.map(logRow) : [el('li', 'empty', ['No request yet'])]);
    $('log-sub').textContent = state.requests.size + ' requests, ' + state.callbacks.size + ' callbacks';
  }

  // ---- actions ------------------------------------------------------------------------------

  var toastTimer;
  function toast(text, bad) {
    var t = $('toast');
    t.textContent = text;
    t.className = 'toast' + (bad ? ' bad' : '');
    t.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { t.hidden = true; }, 5000);
  }

  function post(path, body) {
    return fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (json) {
          if (!response.ok) throw new Error(json.error || 'HTTP ' + response.status);
          return json;
        });
      });
  }

  function deliver(id, status) {
    state.busy.add(id);
    schedule();
    post('_inbox/messages/' + encodeURIComponent(id) + '/deliver', { status: status })
      .then(function (r) { toast('Receipt ' + status + ' posted: ' + appAnswer(r.status, r.error), httpClass(r.status) === 'bad'); })
      .catch(function (e) { toast(e.message, true); })
      .then(function () { state.busy.delete(id); schedule(); });
  }

  function select(p) {
    state.selected = p;
    if (history.replaceState) history.replaceState(null, '', '#' + encodeURIComponent(p));
    schedule();
  }

  $('bubbles').addEventListener('click', function (event) {
    var button = event.target.closest('button[data-deliver]');
    if (!button) return;
    deliver(button.closest('[data-message-id]').getAttribute('data-message-id'), button.getAttribute('data-deliver'));
  });
  $('bubbles').addEventListener('change', function (event) {
    var select = event.target.closest('select');
    if (!select || !select.value) return;
    deliver(select.closest('[data-message-id]').getAttribute('data-message-id'), select.value);
  });

  var text = $('reply-text');
  function grow() { text.style.height = 'auto'; text.style.height = Math.min(text.scrollHeight + 2, 140) + 'px'; }
  text.addEventListener('input', grow);
  text.addEventListener('keydown', function (event) {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $('composer').requestSubmit();
    }
  });
  $('reply-anonymous').addEventListener('change', function () {
    $('reply-number-header').disabled = !$('reply-anonymous').checked;
  });
  $('reply-to').addEventListener('input', function () {
    if (state.lastSelected) state.replyTo.set(state.lastSelected, $('reply-to').value);
  });
  $('composer').addEventListener('submit', function (event) {
    event.preventDefault();
    var from = state.lastSelected;
    var body = text.value;
    if (!from || !body.trim()) return;
    var button = $('reply-send');
    button.disabled = true;
    var anonymous = $('reply-anonymous').checked;
    var withNumberHeader = anonymous && $('reply-number-header').checked;
    post('_inbox/inbound', { from: from, to: $('reply-to').value, text: body, anonymous: anonymous, withNumberHeader: withNumberHeader })
      .then(function (r) {
        text.value = '';
        grow();
        toast('SMS from ' + from + ' posted: ' + appAnswer(r.status, r.error), httpClass(r.status) === 'bad');
      })
      .catch(function (e) { toast(e.message, true); })
      .then(function () { button.disabled = false; text.focus(); });
  });

  $('new-thread').addEventListener('click', function () {
    $('new-form').hidden = !$('new-form').hidden;
    if (!$('new-form').hidden) $('new-phone').focus();
  });
  $('new-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var value = $('new-phone').value.replace(/[\s().-]/g, '').replace(/^tel:/, '');
    if (!/^\+?\d{6,15}$/.test(value)) { toast('Type a phone number, e.g. +2250700000001', true); return; }
    if (value.charAt(0) !== '+') value = '+' + value;
    if (state.local.indexOf(value) < 0) state.local.push(value);
    $('new-phone').value = '';
    $('new-form').hidden = true;
    select(value);
    text.focus();
  });
  $('clear').addEventListener('click', function () {
    if (!confirm('Clear every message, request and callback, and refill the units?')) return;
    state.local = [];
    post('_inbox/reset', {}).catch(function (e) { toast(e.message, true); });
  });

  // ---- live updates -----------------------------------------------------------------------------

  function live(on) {
    var badge = $('live');
    badge.setAttribute('data-state', on ? 'live' : 'down');
    badge.textContent = on ? 'Live' : 'Reconnecting…';
  }

  function connect() {
    var source = new EventSource('_inbox/events');
    function on(name, apply) {
      source.addEventListener(name, function (event) { apply(JSON.parse(event.data)); schedule(); });
    }
    on('snapshot', function (s) { applySnapshot(s); live(true); });
    on('info', function (info) { state.info = info; });
    on('sms', function (m) { state.messages.set(m.id, m); trim(state.messages, state.limits.messages); });
    on('request', function (r) { state.requests.set(r.seq, r); trim(state.requests, state.limits.requests); });
    on('callback', function (c) { state.callbacks.set(c.seq, c); trim(state.callbacks, state.limits.callbacks); });
    source.addEventListener('open', function () { live(true); });
    source.addEventListener('error', function () { live(false); });
  }

  if (location.hash.length > 1) {
    try { state.selected = decodeURIComponent(location.hash.slice(1)); } catch (e) { state.selected = null; }
  }
  connect();
  render();
})();
`;

const ICON =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Crect width='32' height='32' rx='8' fill='%23ff7900'/%3E%3Crect x='7' y='9' width='18' height='12' rx='4' fill='white'/%3E%3C/svg%3E";

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

export const INBOX_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  "connect-src 'self'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const INBOX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>SMS inbox · Orange SMS emulator</title>
<link rel="icon" href="${ICON}">
<style>${STYLE}</style>
</head>
<body>
<header class="top">
  <div class="brand"><span class="logo" aria-hidden="true"></span><div><h1>SMS inbox</h1><p>Orange SMS emulator</p></div></div>
  <span class="spacer"></span>
  <span id="live" class="live" data-state="connecting">Connecting…</span>
  <button id="clear" type="button" class="btn small" title="Clear everything (emulator.reset())">Clear</button>
</header>
<dl id="facts" class="facts"></dl>
<main class="layout">
  <aside class="pane threads" aria-label="Phones">
    <div class="pane-head"><h2>Phones</h2><span class="spacer"></span><button id="new-thread" type="button" class="btn small" title="Text the app from another number">+ New</button></div>
    <form id="new-form" class="new-form" hidden><input id="new-phone" type="tel" placeholder="+2250700000001" aria-label="Phone number" autocomplete="off"><button type="submit" class="btn small">Open</button></form>
    <div class="scroll"><ul id="thread-list" class="thread-list"></ul></div>
  </aside>
  <section class="pane conversation" aria-label="Conversation">
    <div class="pane-head"><span id="conv-title" class="conv-title">Inbox</span><span id="conv-sub" class="sub"></span></div>
    <div id="conversation-scroll" class="scroll"><div id="bubbles" class="bubbles"></div></div>
    <form id="composer" class="composer" hidden>
      <div class="composer-meta">Text the app as <strong id="reply-from"></strong> to <input id="reply-to" aria-label="Short code or number of the app" autocomplete="off" spellcheck="false"> (an inbound SMS) <label class="composer-option" title="senderAddress acr:OrangeAPIToken, as Orange sends it when the number is hidden"><input id="reply-anonymous" type="checkbox"> anonymous sender (acr:)</label> <label class="composer-option" title="the number in the x-orange-ise2 header beside the acr: sender"><input id="reply-number-header" type="checkbox" disabled> number in x-orange-ise2 header</label></div>
      <div class="composer-row"><textarea id="reply-text" rows="1" placeholder="Reply, e.g. STOP" aria-label="Reply text"></textarea><button id="reply-send" type="submit" class="btn primary">Send</button></div>
    </form>
  </section>
  <section class="pane log" aria-label="Request log">
    <div class="pane-head"><h2>Requests</h2><span id="log-sub" class="sub"></span></div>
    <div class="scroll"><ol id="log-list" class="log-list"></ol></div>
  </section>
</main>
<div id="toast" class="toast" role="status" aria-live="polite" hidden></div>
<script>${SCRIPT}</script>
</body>
</html>
`;
