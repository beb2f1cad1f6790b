// @ts-check
// The web inbox's browser script, inlined into the page by orange-sms.emulator-inbox-page.ts.
// Type-checked against the DOM by tsc -p packages/emulator/src/inbox (npm run typecheck).
(function () {
  'use strict';
  var STATUS = {
    DeliveredToTerminal: ['Delivered', 'ok'],
    DeliveredToNetwork: ['Delivered to network', 'info'],
    MessageWaiting: ['Waiting', 'warn'],
    DeliveryUncertain: ['Uncertain', 'warn'],
    DeliveryImpossible: ['Failed', 'bad'],
  };
  var KINDS = ['token', 'send', 'subscription', 'admin', 'other', 'receipt', 'inbound'];
  var state = {
    info: null,
    limits: { messages: 1000, requests: 300, callbacks: 1000 },
    messages: new Map(),
    requests: new Map(),
    callbacks: new Map(),
    local: [],
    selected: null,
    open: new Set(),
    busy: new Set(),
    replyTo: new Map(),
    lastSelected: null,
  };

  /** @param {string} id */
  function $(id) {
    return /** @type {HTMLElement} */ (document.getElementById(id));
  }
  /** A form control of the page, by id. @param {string} id */
  function field(id) {
    return /** @type {HTMLInputElement} */ (document.getElementById(id));
  }
  /** The element under an event, for delegated handlers. @param {Event} event */
  function targetOf(event) {
    return /** @type {Element} */ (event.target);
  }
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
  function phone(address) {
    return address ? String(address).replace(/^tel:/, '') : '';
  }
  function pad(n) {
    return (n < 10 ? '0' : '') + n;
  }
  function clock(iso) {
    var d = new Date(iso);
    return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
  }
  function trim(map, max) {
    while (map.size > max) map.delete(map.keys().next().value);
  }
  function httpClass(status) {
    if (typeof status !== 'number' || status === 0) return 'bad';
    return status < 300 ? 'ok' : status < 500 ? 'warn' : 'bad';
  }
  function appAnswer(status, error) {
    return typeof status === 'number' && status > 0
      ? 'app answered ' + status
      : 'app unreachable' + (error ? ' (' + error + ')' : '');
  }

  // ---- model --------------------------------------------------------------------------------

  function applySnapshot(s) {
    state.info = s.info;
    if (s.limits) state.limits = s.limits;
    state.messages = new Map();
    state.requests = new Map();
    state.callbacks = new Map();
    s.messages.forEach(function (m) {
      state.messages.set(m.id, m);
    });
    s.requests.forEach(function (r) {
      state.requests.set(r.seq, r);
    });
    s.callbacks.forEach(function (c) {
      state.callbacks.set(c.seq, c);
    });
  }

  function receipts() {
    var last = new Map();
    state.callbacks.forEach(function (c) {
      if (c.receipt && c.receipt.id) last.set(c.receipt.id, c);
    });
    return last;
  }

  function threads() {
    var byPhone = new Map();
    function get(p) {
      var t = byPhone.get(p);
      if (!t) {
        t = { phone: p, items: [], last: '', shortCode: '' };
        byPhone.set(p, t);
      }
      return t;
    }
    state.messages.forEach(function (m) {
      get(phone(m.to)).items.push({ type: 'app', at: m.at, m: m });
    });
    state.callbacks.forEach(function (c) {
      if (c.inbound && c.inbound.from) get(phone(c.inbound.from)).items.push({ type: 'phone', at: c.at, c: c });
    });
    state.local.forEach(function (p) {
      get(p);
    });
    var list = Array.from(byPhone.values());
    list.forEach(function (t) {
      t.items.sort(function (a, b) {
        return a.at < b.at ? -1 : a.at > b.at ? 1 : 0;
      });
      var last = t.items[t.items.length - 1];
      t.last = last ? last.at : '';
      for (var i = t.items.length - 1; i >= 0 && !t.shortCode; i--) {
        var item = t.items[i];
        t.shortCode = phone(item.type === 'app' ? item.m.from : item.c.inbound.to);
      }
    });
    // A number opened with "New" has no message yet: keep it on top until it has some.
    return list.sort(function (a, b) {
      var ak = a.last || '9999',
        bk = b.last || '9999';
      return ak < bk ? 1 : ak > bk ? -1 : 0;
    });
  }

  function defaultShortCode() {
    var found = '';
    state.messages.forEach(function (m) {
      found = phone(m.from);
    });
    return found;
  }

  // ---- rendering ------------------------------------------------------------------------------

  var scheduled = false;
  function schedule() {
    if (scheduled) return;
    scheduled = true;
    (window.requestAnimationFrame || setTimeout)(function () {
      scheduled = false;
      render();
    });
  }

  function render() {
    var list = threads();
    var current =
      list.find(function (t) {
        return t.phone === state.selected;
      }) || null;
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
    var units = info.units
      .map(function (u) {
        return u.country + ' ' + u.available;
      })
      .join(', ');
    facts.replaceChildren(
      fact('API', info.url),
      fact('Client', info.clientId + ' / ' + info.clientSecret),
      fact('Receipts to', info.deliveryReceiptUrl, 'not set'),
      fact('Inbound to', info.inboundUrl, 'not set'),
      fact('Units left', units, 'none'),
      fact('Tokens', info.issuedTokens + ' issued'),
    );
  }

  function renderThreads(list, current) {
    var ul = $('thread-list');
    ul.replaceChildren.apply(
      ul,
      list.map(function (t) {
        var last = t.items[t.items.length - 1];
        var preview = last ? (last.type === 'phone' ? 'You: ' + last.c.inbound.text : last.m.text) : 'No message yet';
        var button = el('button', 'thread', [
          el('span', 'avatar', [t.phone.replace(/\D/g, '').slice(-2) || '#']),
          el('span', 't-main', [
            el('span', 't-top', [el('span', 't-phone', [t.phone]), el('span', 't-time', [last ? clock(last.at) : ''])]),
            el('span', 't-bottom', [
              el('span', 't-preview', [preview]),
              t.items.length ? el('span', 'count', [t.items.length]) : null,
            ]),
          ]),
        ]);
        button.type = 'button';
        button.setAttribute('aria-current', current && current.phone === t.phone ? 'true' : 'false');
        button.addEventListener('click', function () {
          select(t.phone);
        });
        var li = el('li', null, [button]);
        li.setAttribute('data-phone', t.phone);
        return li;
      }),
    );
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
      el('div', 'sender', [
        el('b', null, [m.senderName || phone(m.from)]),
        m.senderName ? ' · ' + phone(m.from) : null,
      ]),
      el('div', 'bubble text', [m.text]),
      el('div', 'meta', [
        el('span', null, [clock(m.at)]),
        el('span', 'dot', [m.segments + (m.segments === 1 ? ' segment' : ' segments')]),
        el('span', 'dot', [Array.from(m.text).length + ' chars']),
        m.onNet ? el('span', 'dot', ['on-net']) : null,
        el('span', 'dot', [m.country]),
        statusChip(m.status),
      ]),
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
      more,
    ]);
    if (receipt) {
      var good = typeof receipt.status === 'number' && receipt.status < 300;
      actions.appendChild(
        el('span', 'receipt ' + (good ? 'good' : 'fail'), [
          'Receipt ' +
            (receipt.receipt.status || '') +
            ' → ' +
            appAnswer(receipt.status, receipt.error) +
            ' at ' +
            clock(receipt.at),
        ]),
      );
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
        c.inbound.sender && c.inbound.sender !== c.inbound.from
          ? el('span', 'dot', ['sent as ' + c.inbound.sender])
          : null,
        el('span', 'dot receipt ' + (httpClass(c.status) === 'ok' ? 'good' : 'fail'), [appAnswer(c.status, c.error)]),
      ]),
    ]);
    row.setAttribute('data-inbound-seq', String(c.seq));
    return row;
  }

  function emptyState() {
    var info = state.info;
    return el('div', 'empty', [
      el('strong', null, ['No SMS yet']),
      'Point your app at ',
      el('code', null, [info ? info.url : location.origin]),
      ' with client id ',
      el('code', null, [info ? info.clientId : '…']),
      ' and send one: it shows up here, live.',
    ]);
  }

  function renderConversation(current) {
    var box = $('bubbles');
    var scroller = $('conversation-scroll');
    var stick = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 60;
    var changed = (current && current.phone) !== state.lastSelected;
    state.lastSelected = current ? current.phone : null;
    $('conv-title').textContent = current ? current.phone : 'Inbox';
    var segments = 0,
      fromApp = 0;
    if (current)
      current.items.forEach(function (i) {
        if (i.type === 'app') {
          fromApp++;
          segments += i.m.segments;
        }
      });
    var replies = current ? current.items.length - fromApp : 0;
    $('conv-sub').textContent = current
      ? fromApp +
        ' from the app (' +
        segments +
        (segments === 1 ? ' unit), ' : ' units), ') +
        replies +
        (replies === 1 ? ' reply' : ' replies')
      : '';
    if (!current) {
      box.replaceChildren(emptyState());
    } else {
      var last = receipts();
      box.replaceChildren.apply(
        box,
        current.items.length
          ? current.items.map(function (i) {
              return i.type === 'app' ? appRow(i.m, last.get(i.m.id)) : phoneRow(i.c);
            })
          : [
              el('div', 'empty', [
                el('strong', null, ['New conversation']),
                'Text the app as ' + current.phone + ' below.',
              ]),
            ],
      );
    }
    if (stick || changed) scroller.scrollTop = scroller.scrollHeight;

    var form = $('composer');
    form.hidden = !current;
    if (current) {
      $('reply-from').textContent = current.phone;
      var to = field('reply-to');
      if (document.activeElement !== to)
        to.value = state.replyTo.get(current.phone) || current.shortCode || defaultShortCode();
    }
  }

  // The app's origin is in the facts bar; the row shows where on the app it went.
  function shortUrl(url) {
    try {
      var u = new URL(url);
      return u.pathname + u.search;
    } catch {
      return url;
    }
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
      el('span', 'log-path', [
        el('span', 'log-method', [isCallback ? 'POST' : e.method]),
        ' ',
        isCallback ? shortUrl(e.url) : e.path,
      ]),
      el('span', 'code ' + (code === '…' ? 'none' : httpClass(status)), [code]),
    ]);
    line.type = 'button';
    line.title = isCallback ? 'Emulator → app: ' + e.url : 'App → emulator: ' + e.method + ' ' + e.path;
    var key = entry.type + ':' + e.seq;
    line.setAttribute('aria-expanded', state.open.has(key) ? 'true' : 'false');
    line.addEventListener('click', function () {
      if (state.open.has(key)) state.open.delete(key);
      else state.open.add(key);
      schedule();
    });
    var li = el('li', 'log-item', [line]);
    li.setAttribute('data-kind', kind);
    if (state.open.has(key)) {
      var text;
      if (isCallback) {
        text =
          'POST ' +
          e.url +
          '\n' +
          (e.error ? 'Error: ' + e.error + '\n' : '') +
          '\nPayload:\n' +
          e.payload +
          '\n\nApp answered ' +
          (e.status === 'error' ? 'nothing' : e.status) +
          (e.response ? ':\n' + e.response : '');
      } else {
        text =
          e.method +
          ' ' +
          e.rawPath +
          '\nX-OAPI-Request-Id: ' +
          e.requestId +
          '\n\n' +
          Object.keys(e.headers)
            .map(function (h) {
              return h + ': ' + e.headers[h];
            })
            .join('\n') +
          (e.body ? '\n\n' + e.body : '');
      }
      li.appendChild(el('pre', 'log-detail', [text]));
    }
    return li;
  }

  function renderLog() {
    var entries = [];
    state.requests.forEach(function (r) {
      entries.push({ type: 'request', at: r.at, e: r });
    });
    state.callbacks.forEach(function (c) {
      entries.push({ type: 'callback', at: c.at, e: c });
    });
    entries.sort(function (a, b) {
      return a.at < b.at ? 1 : a.at > b.at ? -1 : b.e.seq - a.e.seq;
    });
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
    toastTimer = setTimeout(function () {
      t.hidden = true;
    }, 5000);
  }

  function post(path, body) {
    return fetch(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    }).then(function (response) {
      return response
        .json()
        .catch(function () {
          return {};
        })
        .then(function (json) {
          if (!response.ok) throw new Error(json.error || 'HTTP ' + response.status);
          return json;
        });
    });
  }

  function deliver(id, status) {
    state.busy.add(id);
    schedule();
    post('_inbox/messages/' + encodeURIComponent(id) + '/deliver', { status: status })
      .then(function (r) {
        toast('Receipt ' + status + ' posted: ' + appAnswer(r.status, r.error), httpClass(r.status) === 'bad');
      })
      .catch(function (e) {
        toast(e.message, true);
      })
      .then(function () {
        state.busy.delete(id);
        schedule();
      });
  }

  function select(p) {
    state.selected = p;
    if (history.replaceState) history.replaceState(null, '', '#' + encodeURIComponent(p));
    schedule();
  }

  $('bubbles').addEventListener('click', function (event) {
    var button = targetOf(event).closest('button[data-deliver]');
    if (!button) return;
    deliver(button.closest('[data-message-id]').getAttribute('data-message-id'), button.getAttribute('data-deliver'));
  });
  $('bubbles').addEventListener('change', function (event) {
    var select = /** @type {HTMLSelectElement | null} */ (targetOf(event).closest('select'));
    if (!select || !select.value) return;
    deliver(select.closest('[data-message-id]').getAttribute('data-message-id'), select.value);
  });

  var text = /** @type {HTMLTextAreaElement} */ ($('reply-text'));
  function grow() {
    text.style.height = 'auto';
    text.style.height = Math.min(text.scrollHeight + 2, 140) + 'px';
  }
  text.addEventListener('input', grow);
  text.addEventListener('keydown', function (event) {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      /** @type {HTMLFormElement} */ ($('composer')).requestSubmit();
    }
  });
  $('reply-anonymous').addEventListener('change', function () {
    field('reply-number-header').disabled = !field('reply-anonymous').checked;
  });
  $('reply-to').addEventListener('input', function () {
    if (state.lastSelected) state.replyTo.set(state.lastSelected, field('reply-to').value);
  });
  $('composer').addEventListener('submit', function (event) {
    event.preventDefault();
    var from = state.lastSelected;
    var body = text.value;
    if (!from || !body.trim()) return;
    var button = /** @type {HTMLButtonElement} */ ($('reply-send'));
    button.disabled = true;
    var anonymous = field('reply-anonymous').checked;
    var withNumberHeader = anonymous && field('reply-number-header').checked;
    post('_inbox/inbound', {
      from: from,
      to: field('reply-to').value,
      text: body,
      anonymous: anonymous,
      withNumberHeader: withNumberHeader,
    })
      .then(function (r) {
        text.value = '';
        grow();
        toast('SMS from ' + from + ' posted: ' + appAnswer(r.status, r.error), httpClass(r.status) === 'bad');
      })
      .catch(function (e) {
        toast(e.message, true);
      })
      .then(function () {
        button.disabled = false;
        text.focus();
      });
  });

  $('new-thread').addEventListener('click', function () {
    $('new-form').hidden = !$('new-form').hidden;
    if (!$('new-form').hidden) $('new-phone').focus();
  });
  $('new-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var value = field('new-phone')
      .value.replace(/[\s().-]/g, '')
      .replace(/^tel:/, '');
    if (!/^\+?\d{6,15}$/.test(value)) {
      toast('Type a phone number, e.g. +2250700000001', true);
      return;
    }
    if (value.charAt(0) !== '+') value = '+' + value;
    if (state.local.indexOf(value) < 0) state.local.push(value);
    field('new-phone').value = '';
    $('new-form').hidden = true;
    select(value);
    text.focus();
  });
  $('clear').addEventListener('click', function () {
    if (!confirm('Clear every message, request and callback, and refill the units?')) return;
    state.local = [];
    post('_inbox/reset', {}).catch(function (e) {
      toast(e.message, true);
    });
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
      source.addEventListener(name, function (event) {
        apply(JSON.parse(event.data));
        schedule();
      });
    }
    on('snapshot', function (s) {
      applySnapshot(s);
      live(true);
    });
    on('info', function (info) {
      state.info = info;
    });
    on('sms', function (m) {
      state.messages.set(m.id, m);
      trim(state.messages, state.limits.messages);
    });
    on('request', function (r) {
      state.requests.set(r.seq, r);
      trim(state.requests, state.limits.requests);
    });
    on('callback', function (c) {
      state.callbacks.set(c.seq, c);
      trim(state.callbacks, state.limits.callbacks);
    });
    source.addEventListener('open', function () {
      live(true);
    });
    source.addEventListener('error', function () {
      live(false);
    });
  }

  if (location.hash.length > 1) {
    try {
      state.selected = decodeURIComponent(location.hash.slice(1));
    } catch {
      state.selected = null;
    }
  }
  connect();
  render();
})();
