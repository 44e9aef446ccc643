// The system at a glance: figures, charts, health checks and this node's recent problems.
// Refreshes every 10 seconds while shown; the sessions chart samples at each refresh.
import { h, clear, bytes, duration, when, notice } from '../dom.js';
import { get, post } from '../api.js';
import { barChart, lineChart } from '../charts.js';

const REFRESH_MS = 10_000;
const samples = [];

export function render(main) {
  const body = h('div', { class: 'dashboard' });
  main.append(body);
  let stopped = false;

  async function refresh() {
    try {
      const [system, activity, index] = await Promise.all([get('/api/system'), get('/api/system/activity?days=30'), get('/api/system/index').catch(() => null)]);
      if (stopped) return;
      const time = new Date().toISOString().slice(11, 19);
      samples.push({ label: time, value: system.imapSessions + system.totals.consoleSessions });
      if (samples.length > 60) samples.shift();
      draw(body, system, activity, index, refresh);
    } catch (error) {
      if (!stopped) clear(body).append(notice('error', error.message));
    }
  }

  refresh();
  const timer = setInterval(refresh, REFRESH_MS);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

function draw(body, system, activity, index, refresh) {
  const t = system.totals;
  const added = activity.reduce((sum, d) => sum + d.bytes, 0);
  let running = t.blobBytes - added;
  const storage = activity.map((d) => {
    running += d.bytes;
    return { label: d.day, value: running };
  });
  const unhealthy = system.health.filter((c) => !c.healthy);

  clear(body).append(
    h('section', { class: 'cards', 'aria-label': 'Figures' },
      card('Uptime', duration(system.uptimeSeconds), `since ${when(system.startedAt)} on ${system.node}`),
      card('IMAP sessions', system.imapSessions, 'on this node'),
      card('Console sessions', t.consoleSessions, 'signed in'),
      card('Documents', t.documents, `${t.entries} entries, ${t.trashedDocuments} in the trash`),
      card('Storage', bytes(t.blobBytes), `${t.blobs} blobs; database ${bytes(t.databaseBytes)}`),
      card('Users', t.users, `${t.collections} collections`),
      card('Failed sign-ins', t.failedSignInsToday, 'last 24 hours'),
      card('Index lag', system.indexLag ?? '–', index ? `changes behind; ${index.indexedVersions} versions indexed` : 'no search index')),
    ...(index ? [indexSection(index, refresh)] : []),
    h('section', { class: 'charts', 'aria-label': 'Charts' },
      figure('Documents filed per day (30 days, UTC)', barChart('Documents filed per day', activity.map((d) => ({ label: d.day, value: d.documents }))), 'chart-filed'),
      figure('Storage (30 days)', lineChart('Stored bytes', storage, bytes), 'chart-storage'),
      figure('Active sessions (IMAP and console, sampled every 10 s)', lineChart('Active sessions', samples), 'chart-sessions')),
    h('section', { 'aria-labelledby': 'health-title' },
      h('h2', { id: 'health-title', text: unhealthy.length ? `Health: ${unhealthy.length} failing` : 'Health: all good' }),
      h('ul', { class: 'health' }, system.health.map((c) => h('li', { class: c.healthy ? 'ok' : 'bad' },
        h('strong', { text: `${c.name}: ${c.healthy ? 'healthy' : 'FAILING'}` }), ` — ${c.summary}`)))),
    h('section', { 'aria-labelledby': 'problems-title' },
      h('h2', { id: 'problems-title', text: 'Recent warnings and errors (this node)' }),
      system.recentProblems.length === 0
        ? h('p', { text: 'None since start.' })
        : h('table', {},
          h('thead', {}, h('tr', {}, ['Time', 'Level', 'Source', 'Message'].map((c) => h('th', { scope: 'col', text: c })))),
          h('tbody', {}, system.recentProblems.map((p) => h('tr', {},
            h('td', { text: when(p.at) }), h('td', { text: p.level }), h('td', { text: p.category }), h('td', { text: p.message })))))));
}

// The online index check: reads every stored version and indexes any the index lacks.
function indexSection(index, refresh) {
  const check = index.check;
  const running = check && !check.finished;
  const line = !check
    ? 'No check since the server started.'
    : running
      ? `Checking: ${check.checked} of ${check.total} versions read, ${check.added} added.`
      : `Last check ${when(check.finished)}: ${check.checked} of ${check.total} versions read, ${check.added} added${check.error ? `; failed: ${check.error}` : ''}.`;
  const status = h('p', { id: 'index-check', role: 'status', text: line });
  const progress = running ? h('progress', { max: Math.max(check.total, 1), value: check.checked, 'aria-label': 'Index check progress' }) : null;
  return h('section', { 'aria-labelledby': 'index-title' },
    h('h2', { id: 'index-title', text: 'Search index' }),
    h('p', { class: 'hint', text: `Committed up to change ${index.mark} of ${index.lastSeq}; ${index.lag} behind.${index.lastError ? ` Last indexer error: ${index.lastError}` : ''}` }),
    status, progress,
    h('button', {
      type: 'button',
      id: 'reindex',
      disabled: running,
      text: 'Check and reindex',
      onclick: async () => {
        try {
          await post('/api/system/index/check');
        } catch (error) {
          status.textContent = error.message;
        }
        const poll = setInterval(async () => {
          const state = await get('/api/system/index').catch(() => null);
          if (!state?.check || state.check.finished) clearInterval(poll);
          refresh();
        }, 1000);
        refresh();
      },
    }));
}

function card(title, value, hint) {
  return h('div', { class: 'card' }, h('span', { class: 'card-title', text: title }), h('span', { class: 'card-value', text: String(value) }), h('small', { text: hint }));
}

function figure(caption, svg, id) {
  return h('figure', { id }, svg, h('figcaption', { text: caption }));
}
