// The web inbox's browser script, compiled (tsc -p packages/emulator/src/inbox) to a plain script that
// orange-sms.emulator-inbox-page.ts inlines into the page. No import or export: types come from
// inbox-views.ts through type-only `import()` queries, so the output is a script, not a module.
type DeliveryStatus = import('./inbox-views.js').InboxDeliveryStatus;
type InfoView = import('./inbox-views.js').InboxInfoView;
type AccountView = import('./inbox-views.js').InboxAccountView;
type MessageView = import('./inbox-views.js').InboxMessageView;
type RequestView = import('./inbox-views.js').InboxRequestView;
type CallbackView = import('./inbox-views.js').InboxCallbackView;
type Snapshot = import('./inbox-views.js').InboxSnapshot;
type ActionOutcome = import('./inbox-views.js').InboxActionOutcome;

/** One line of a conversation: an SMS the app sent, or one the phone sent (an inbound callback). */
type ThreadItem = { type: 'app'; at: string; m: MessageView } | { type: 'phone'; at: string; c: CallbackView };
interface Thread {
  phone: string;
  items: ThreadItem[];
  last: string;
  shortCode: string;
}
type LogEntry = { type: 'request'; at: string; e: RequestView } | { type: 'callback'; at: string; e: CallbackView };
/** What `el` accepts as children: nodes, or values shown as text (never parsed as HTML). */
type Child = Node | string | number | null | undefined | false;

(function () {
  'use strict';
  const STATUS: Record<DeliveryStatus, [string, string]> = {
    DeliveredToTerminal: ['Delivered', 'ok'],
    DeliveredToNetwork: ['Delivered to network', 'info'],
    MessageWaiting: ['Waiting', 'warn'],
    DeliveryUncertain: ['Uncertain', 'warn'],
    DeliveryImpossible: ['Failed', 'bad'],
  };
  const KINDS = ['token', 'send', 'subscription', 'admin', 'other', 'receipt', 'inbound'];
  const state = {
    info: null as InfoView | null,
    limits: { messages: 1000, requests: 300, callbacks: 1000 },
    messages: new Map<string, MessageView>(),
    requests: new Map<number, RequestView>(),
    callbacks: new Map<number, CallbackView>(),
    /** Numbers opened with "New" that have no message yet. */
    local: [] as string[],
    selected: null as string | null,
    open: new Set<string>(),
    busy: new Set<string>(),
    replyTo: new Map<string, string>(),
    lastSelected: null as string | null,
  };

  function $(id: string): HTMLElement {
    return document.getElementById(id) as HTMLElement;
  }
  /** A form control of the page, by id. */
  function field(id: string): HTMLInputElement {
    return document.getElementById(id) as HTMLInputElement;
  }
  /** The element under an event, for delegated handlers. */
  function targetOf(event: Event): Element {
    return event.target as Element;
  }
  // Every piece of text becomes a text node: app data is never parsed as HTML.
  function el<K extends keyof HTMLElementTagNameMap>(
    tag: K,
    className: string | null,
    children?: Child[],
  ): HTMLElementTagNameMap[K] {
    const node = document.createElement(tag);
    if (className) node.className = className;
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
    });
    return node;
  }
  function phone(address: string | null | undefined): string {
    return address ? String(address).replace(/^tel:/, '') : '';
  }
  function pad(n: number): string {
    return (n < 10 ? '0' : '') + n;
  }
  function clock(iso: string): string {
    const d = new Date(iso);
    return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
  }
  function trim<K>(map: Map<K, unknown>, max: number): void {
    while (map.size > max) map.delete(map.keys().next().value as K);
  }
  function httpClass(status: number | 'error'): string {
    if (typeof status !== 'number' || status === 0) return 'bad';
    return status < 300 ? 'ok' : status < 500 ? 'warn' : 'bad';
  }
  /** True when the emulator plays several Orange apps: only then is each message labelled with its own. */
  function severalAccounts(): boolean {
    return !!state.info && state.info.accounts.length > 1;
  }
  function accountChip(account: string, title: string): HTMLElement {
    const chip = el('span', 'chip account', [account]);
    chip.setAttribute('data-account', account);
    chip.title = title;
    return chip;
  }
  function appAnswer(status: number | 'error', error?: string | null): string {
    return typeof status === 'number' && status > 0
      ? 'app answered ' + status
      : 'app unreachable' + (error ? ' (' + error + ')' : '');
  }

  // ---- model --------------------------------------------------------------------------------

  function applySnapshot(s: Snapshot): void {
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

  function receipts(): Map<string, CallbackView> {
    const last = new Map<string, CallbackView>();
    state.callbacks.forEach(function (c) {
      if (c.receipt && c.receipt.id) last.set(c.receipt.id, c);
    });
    return last;
  }

  function threads(): Thread[] {
    const byPhone = new Map<string, Thread>();
    function get(p: string): Thread {
      let t = byPhone.get(p);
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
    const list = Array.from(byPhone.values());
    list.forEach(function (t) {
      t.items.sort(function (a, b) {
        return a.at < b.at ? -1 : a.at > b.at ? 1 : 0;
      });
      const last = t.items[t.items.length - 1];
      t.last = last ? last.at : '';
      for (let i = t.items.length - 1; i >= 0 && !t.shortCode; i--) {
        const item = t.items[i]!;
        t.shortCode = phone(item.type === 'app' ? item.m.from : item.c.inbound?.to);
      }
    });
    // A number opened with "New" has no message yet: keep it on top until it has some.
    return list.sort(function (a, b) {
      const ak = a.last || '9999',
        bk = b.last || '9999';
      return ak < bk ? 1 : ak > bk ? -1 : 0;
    });
  }

  function defaultShortCode(): string {
    let found = '';
    state.messages.forEach(function (m) {
      found = phone(m.from);
    });
    return found;
  }

  // ---- rendering ------------------------------------------------------------------------------

  let scheduled = false;
  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    (window.requestAnimationFrame || setTimeout)(function () {
      scheduled = false;
      render();
    });
  }

  function render(): void {
    const list = threads();
    let current =
      list.find(function (t) {
        return t.phone === state.selected;
      }) || null;
    if (!current && !state.selected && list.length) current = list[0]!;
    renderFacts();
    renderThreads(list, current);
    renderConversation(current);
    renderLog();
  }

  function fact(label: string, value: string | null, unset?: string): HTMLElement {
    return el('div', null, [el('dt', null, [label]), el('dd', value ? null : 'unset', [value || unset])]);
  }

  function renderFacts(): void {
    const info = state.info;
    const facts = $('facts');
    if (!info) return;
    function unitsOf(list: { country: string; available: number }[]): string {
      return list
        .map(function (u) {
          return u.country + ' ' + u.available;
        })
        .join(', ');
    }
    if (severalAccounts()) {
      // One fact per app: its client (secret masked by the server), where its callbacks go, its units.
      facts.replaceChildren(
        fact('API', info.url),
        ...info.accounts.map(function (a: AccountView) {
          const node = fact(
            'Account ' + a.name,
            a.clientId +
              ' / ' +
              a.clientSecret +
              ' · receipts ' +
              (a.deliveryReceiptUrl || 'not set') +
              ' · inbound ' +
              (a.inboundUrl || 'not set') +
              ' · units ' +
              (unitsOf(a.units) || 'none') +
              ' · ' +
              a.issuedTokens +
              (a.issuedTokens === 1 ? ' token' : ' tokens'),
          );
          node.setAttribute('data-account', a.name);
          return node;
        }),
      );
      return;
    }
    facts.replaceChildren(
      fact('API', info.url),
      fact('Client', info.clientId + ' / ' + info.clientSecret),
      fact('Receipts to', info.deliveryReceiptUrl, 'not set'),
      fact('Inbound to', info.inboundUrl, 'not set'),
      fact('Units left', unitsOf(info.units), 'none'),
      fact('Tokens', info.issuedTokens + ' issued'),
    );
  }

  function renderThreads(list: Thread[], current: Thread | null): void {
    const ul = $('thread-list');
    ul.replaceChildren(
      ...list.map(function (t) {
        const last = t.items[t.items.length - 1];
        const preview = last
          ? last.type === 'phone'
            ? 'You: ' + (last.c.inbound?.text ?? '')
            : last.m.text
          : 'No message yet';
        const button = el('button', 'thread', [
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
        const li = el('li', null, [button]);
        li.setAttribute('data-phone', t.phone);
        return li;
      }),
    );
  }

  function statusChip(status: DeliveryStatus | null): HTMLElement {
    const s = (status && STATUS[status]) || ['Submitted', ''];
    const chip = el('span', 'chip status ' + s[1], [s[0]]);
    chip.setAttribute('data-status', status || 'none');
    chip.title = status || 'Accepted by Orange (201), no delivery receipt yet';
    return chip;
  }

  function actionButton(id: string, status: DeliveryStatus, label: string, tone: string): HTMLButtonElement {
    const b = el('button', 'btn small ' + tone, [label]);
    b.type = 'button';
    b.setAttribute('data-deliver', status);
    b.title = 'POST a ' + status + ' delivery receipt to the app';
    b.disabled = state.busy.has(id);
    return b;
  }

  function appRow(m: MessageView, receipt: CallbackView | undefined): HTMLElement {
    const row = el('div', 'row from-app', [
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
        severalAccounts()
          ? accountChip(m.account, 'Sent with a token of account ' + m.account + ' (client id ' + m.clientId + ')')
          : null,
        statusChip(m.status),
      ]),
    ]);
    const more = el('select', null, [el('option', null, ['More…'])]);
    (['DeliveredToNetwork', 'MessageWaiting', 'DeliveryUncertain'] as const).forEach(function (s) {
      const o = el('option', null, [STATUS[s][0]]);
      o.value = s;
      more.appendChild(o);
    });
    more.options[0]!.value = '';
    more.disabled = state.busy.has(m.id);
    more.title = 'POST another delivery status';
    const actions = el('div', 'actions', [
      actionButton(m.id, 'DeliveredToTerminal', '✓ Delivered', 'ok'),
      actionButton(m.id, 'DeliveryImpossible', '✕ Failed', 'bad'),
      more,
    ]);
    if (receipt) {
      const good = typeof receipt.status === 'number' && receipt.status < 300;
      actions.appendChild(
        el('span', 'receipt ' + (good ? 'good' : 'fail'), [
          'Receipt ' +
            ((receipt.receipt && receipt.receipt.status) || '') +
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

  function phoneRow(c: CallbackView): HTMLElement {
    const inbound = c.inbound || { from: null, sender: null, to: null, text: null };
    const row = el('div', 'row from-phone', [
      el('div', 'bubble text', [inbound.text]),
      el('div', 'meta', [
        el('span', null, [clock(c.at)]),
        el('span', 'dot', ['to ' + phone(inbound.to)]),
        inbound.sender && inbound.sender !== inbound.from ? el('span', 'dot', ['sent as ' + inbound.sender]) : null,
        severalAccounts() ? accountChip(c.account, 'Posted to the inbound URL of account ' + c.account) : null,
        el('span', 'dot receipt ' + (httpClass(c.status) === 'ok' ? 'good' : 'fail'), [appAnswer(c.status, c.error)]),
      ]),
    ]);
    row.setAttribute('data-inbound-seq', String(c.seq));
    return row;
  }

  function emptyState(): HTMLElement {
    const info = state.info;
    return el('div', 'empty', [
      el('strong', null, ['No SMS yet']),
      'Point your app at ',
      el('code', null, [info ? info.url : location.origin]),
      ' with client id ',
      el('code', null, [info ? info.clientId : '…']),
      ' and send one: it shows up here, live.',
    ]);
  }

  function renderConversation(current: Thread | null): void {
    const box = $('bubbles');
    const scroller = $('conversation-scroll');
    const stick = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 60;
    const changed = (current ? current.phone : null) !== state.lastSelected;
    state.lastSelected = current ? current.phone : null;
    $('conv-title').textContent = current ? current.phone : 'Inbox';
    let segments = 0,
      fromApp = 0;
    if (current)
      current.items.forEach(function (i) {
        if (i.type === 'app') {
          fromApp++;
          segments += i.m.segments;
        }
      });
    const replies = current ? current.items.length - fromApp : 0;
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
      const last = receipts();
      box.replaceChildren(
        ...(current.items.length
          ? current.items.map(function (i) {
              return i.type === 'app' ? appRow(i.m, last.get(i.m.id)) : phoneRow(i.c);
            })
          : [
              el('div', 'empty', [
                el('strong', null, ['New conversation']),
                'Text the app as ' + current.phone + ' below.',
              ]),
            ]),
      );
    }
    if (stick || changed) scroller.scrollTop = scroller.scrollHeight;

    const form = $('composer');
    form.hidden = !current;
    renderAccountPicker();
    if (current) {
      $('reply-from').textContent = current.phone;
      const to = field('reply-to');
      if (document.activeElement !== to)
        to.value = state.replyTo.get(current.phone) || current.shortCode || defaultShortCode();
    }
  }

  /** With several apps, the composer says which one the inbound SMS is for (default: the one it last wrote to). */
  function renderAccountPicker(): void {
    const label = $('reply-account-label');
    const picker = $('reply-account') as HTMLSelectElement;
    label.hidden = !severalAccounts();
    if (!state.info || label.hidden) return;
    const names = state.info.accounts.map(function (a) {
      return a.name;
    });
    if (picker.options.length === names.length && names.every((n, i) => picker.options[i]!.value === n)) return;
    const chosen = picker.value;
    picker.replaceChildren(
      ...names.map(function (n) {
        const o = el('option', null, [n]);
        o.value = n;
        return o;
      }),
    );
    picker.value = names.indexOf(chosen) >= 0 ? chosen : names[0]!;
  }

  // The app's origin is in the facts bar; the row shows where on the app it went.
  function shortUrl(url: string): string {
    try {
      const u = new URL(url);
      return u.pathname + u.search;
    } catch {
      return url;
    }
  }

  function logRow(entry: LogEntry): HTMLElement {
    const e = entry.e;
    const callback = entry.type === 'callback' ? entry.e : null;
    const request = entry.type === 'request' ? entry.e : null;
    const kind = callback ? (callback.kind === 'inbound' ? 'inbound' : 'receipt') : request!.kind;
    const status = e.status;
    const code = typeof status === 'number' && status > 0 ? String(status) : callback ? 'err' : '…';
    const account = callback ? callback.account : request!.account;
    const line = el('button', 'log-line', [
      el('span', 'log-time', [clock(e.at)]),
      el('span', 'kind ' + (KINDS.indexOf(kind) >= 0 ? kind : 'other'), [callback ? '→ ' + kind : kind]),
      el('span', 'log-path', [
        severalAccounts() && account ? accountChip(account, 'Account ' + account) : null,
        severalAccounts() && account ? ' ' : null,
        el('span', 'log-method', [callback ? 'POST' : request!.method]),
        ' ',
        callback ? shortUrl(callback.url) : request!.path,
      ]),
      el('span', 'code ' + (code === '…' ? 'none' : httpClass(status)), [code]),
    ]);
    line.type = 'button';
    line.title =
      (callback ? 'Emulator → app: ' + callback.url : 'App → emulator: ' + request!.method + ' ' + request!.path) +
      (account ? ' (account ' + account + ')' : '');
    if (account) line.setAttribute('data-account', account);
    const key = entry.type + ':' + e.seq;
    line.setAttribute('aria-expanded', state.open.has(key) ? 'true' : 'false');
    line.addEventListener('click', function () {
      if (state.open.has(key)) state.open.delete(key);
      else state.open.add(key);
      schedule();
    });
    const li = el('li', 'log-item', [line]);
    li.setAttribute('data-kind', kind);
    if (state.open.has(key)) {
      let text: string = account ? 'Account: ' + account + '\n' : '';
      if (callback) {
        text +=
          'POST ' +
          callback.url +
          '\n' +
          (callback.error ? 'Error: ' + callback.error + '\n' : '') +
          '\nPayload:\n' +
          callback.payload +
          '\n\nApp answered ' +
          (callback.status === 'error' ? 'nothing' : callback.status) +
          (callback.response ? ':\n' + callback.response : '');
      } else {
        const r = request!;
        text +=
          r.method +
          ' ' +
          r.rawPath +
          '\nX-OAPI-Request-Id: ' +
          r.requestId +
          '\n\n' +
          Object.keys(r.headers)
            .map(function (h) {
              return h + ': ' + r.headers[h];
            })
            .join('\n') +
          (r.body ? '\n\n' + r.body : '');
      }
      li.appendChild(el('pre', 'log-detail', [text]));
    }
    return li;
  }

  function renderLog(): void {
    let entries: LogEntry[] = [];
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
    const ol = $('log-list');
    ol.replaceChildren(...(entries.length ? entries.map(logRow) : [el('li', 'empty', ['No request yet'])]));
    $('log-sub').textContent = state.requests.size + ' requests, ' + state.callbacks.size + ' callbacks';
  }

  // ---- actions ------------------------------------------------------------------------------

  let toastTimer: ReturnType<typeof setTimeout> | undefined;
  function toast(text: string, bad?: boolean): void {
    const t = $('toast');
    t.textContent = text;
    t.className = 'toast' + (bad ? ' bad' : '');
    t.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () {
      t.hidden = true;
    }, 5000);
  }

  function post(path: string, body: unknown): Promise<ActionOutcome> {
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
        .then(function (json: ActionOutcome & { error?: string }) {
          if (!response.ok) throw new Error(json.error || 'HTTP ' + response.status);
          return json;
        });
    });
  }

  function deliver(id: string, status: DeliveryStatus): void {
    state.busy.add(id);
    schedule();
    post('_inbox/messages/' + encodeURIComponent(id) + '/deliver', { status: status })
      .then(function (r) {
        toast('Receipt ' + status + ' posted: ' + appAnswer(r.status, r.error), httpClass(r.status) === 'bad');
      })
      .catch(function (e: Error) {
        toast(e.message, true);
      })
      .then(function () {
        state.busy.delete(id);
        schedule();
      });
  }

  function select(p: string): void {
    state.selected = p;
    if (history.replaceState) history.replaceState(null, '', '#' + encodeURIComponent(p));
    schedule();
  }

  $('bubbles').addEventListener('click', function (event) {
    const button = targetOf(event).closest('button[data-deliver]');
    const row = button && button.closest('[data-message-id]');
    if (!button || !row) return;
    deliver(row.getAttribute('data-message-id')!, button.getAttribute('data-deliver') as DeliveryStatus);
  });
  $('bubbles').addEventListener('change', function (event) {
    const picker = targetOf(event).closest('select');
    const row = picker && picker.closest('[data-message-id]');
    if (!picker || !picker.value || !row) return;
    deliver(row.getAttribute('data-message-id')!, picker.value as DeliveryStatus);
  });

  const text = $('reply-text') as HTMLTextAreaElement;
  function grow(): void {
    text.style.height = 'auto';
    text.style.height = Math.min(text.scrollHeight + 2, 140) + 'px';
  }
  text.addEventListener('input', grow);
  text.addEventListener('keydown', function (event) {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      ($('composer') as HTMLFormElement).requestSubmit();
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
    const from = state.lastSelected;
    const body = text.value;
    if (!from || !body.trim()) return;
    const button = $('reply-send') as HTMLButtonElement;
    button.disabled = true;
    const anonymous = field('reply-anonymous').checked;
    const withNumberHeader = anonymous && field('reply-number-header').checked;
    const account = severalAccounts() ? ($('reply-account') as HTMLSelectElement).value : undefined;
    post('_inbox/inbound', {
      account: account,
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
      .catch(function (e: Error) {
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
    let value = field('new-phone')
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
    post('_inbox/reset', {}).catch(function (e: Error) {
      toast(e.message, true);
    });
  });

  // ---- live updates -----------------------------------------------------------------------------

  function live(on: boolean): void {
    const badge = $('live');
    badge.setAttribute('data-state', on ? 'live' : 'down');
    badge.textContent = on ? 'Live' : 'Reconnecting…';
  }

  function connect(): void {
    const source = new EventSource('_inbox/events');
    function on<T>(name: string, apply: (data: T) => void): void {
      source.addEventListener(name, function (event) {
        apply(JSON.parse((event as MessageEvent<string>).data) as T);
        schedule();
      });
    }
    on<Snapshot>('snapshot', function (s) {
      applySnapshot(s);
      live(true);
    });
    on<InfoView>('info', function (info) {
      state.info = info;
    });
    on<MessageView>('sms', function (m) {
      state.messages.set(m.id, m);
      trim(state.messages, state.limits.messages);
    });
    on<RequestView>('request', function (r) {
      state.requests.set(r.seq, r);
      trim(state.requests, state.limits.requests);
    });
    on<CallbackView>('callback', function (c) {
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
