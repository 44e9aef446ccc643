// The system at a glance: figures, charts, health checks and this node's recent problems.
// Refreshes every 10 seconds while shown (every second while an index check or rebuild runs);
// the sessions chart samples at each refresh.
import { h, clear, bytes, count, duration, when, notice } from '../dom.js';
import { get, post } from '../api.js';
import { barChart, lineChart } from '../charts.js';

const REFRESH_MS = 10_000;
const PROGRESS_MS = 1_000;
const samples = [];

export function render(main) {
  const body = h('div', { class: 'dashboard' });
  main.append(body);
  let stopped = false;
  let soon = null;
  const messages = {};

  async function refresh() {
    clearTimeout(soon);
    try {
      const [system, activity, index] = await Promise.all([get('/api/system'), get('/api/system/activity?days=30'), get('/api/system/index').catch(() => null)]);
      if (stopped) return;
      const time = new Date().toISOString().slice(11, 19);
      samples.push({ label: time, value: system.imapSessions + system.totals.consoleSessions });
      if (samples.length > 60) samples.shift();
      draw(body, system, activity, index, refresh, messages);
      // A running check or rebuild is followed closely; the rest of the page keeps its pace.
      if (index && ((index.check && !index.check.finished) || index.rebuild?.running)) soon = setTimeout(refresh, PROGRESS_MS);
    } catch (error) {
      if (!stopped) clear(body).append(notice('error', error.message));
    }
  }

  refresh();
  const timer = setInterval(refresh, REFRESH_MS);
  return () => {
    stopped = true;
    clearInterval(timer);
    clearTimeout(soon);
  };
}

function draw(body, system, activity, index, refresh, messages) {
  // Redrawing replaces the nodes: keep the keyboard focus where it was.
  const focused = body.contains(document.activeElement) ? document.activeElement.id : null;
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
      card('Documents', t.documents, `${count(t.entries, 'entry', 'entries')}, ${t.trashedDocuments} in the trash`),
      card('Storage', bytes(t.blobBytes), `${count(t.blobs, 'blob')}; database ${bytes(t.databaseBytes)}`),
      card('Users', t.users, count(t.collections, 'collection')),
      card('Failed sign-ins', t.failedSignInsToday, 'last 24 hours'),
      card('Index lag', system.indexLag ?? '–', index ? `changes behind; ${count(index.indexedVersions, 'version')} indexed` : 'no search index')),
    ...(index ? [indexSection(index, refresh, messages)] : []),
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
  // A button disabled while its job runs hands the focus to the rebuild's status line, which hands it back when the job is done.
  const wanted = focused === 'index-rebuild' ? 'rebuild-index' : focused;
  const again = wanted ? body.querySelector(`#${wanted}`) : null;
  if (again && !again.disabled) again.focus();
  else if (focused) body.querySelector('#index-rebuild')?.focus();
}

// The search index: its state, the online check (adds what the index lacks) and the rebuild
// (a fresh index from the database, swapped in while the server serves).
function indexSection(index, refresh, messages) {
  const check = index.check;
  const checking = check && !check.finished;
  const checkLine = messages.check ?? (!check
    ? 'No check since the server started.'
    : checking
      ? `Checking: ${check.checked} of ${count(check.total, 'version')} read, ${check.added} added.`
      : `Last check ${when(check.finished)}: ${check.checked} of ${count(check.total, 'version')} read, ${check.added} added${check.error ? `; failed: ${check.error}` : ''}.`);
  delete messages.check;
  const rebuild = index.rebuild;
  const rebuilding = rebuild?.running;
  const rebuildLine = messages.rebuild ?? rebuildText(rebuild);
  delete messages.rebuild;
  const busy = checking || rebuilding;
  return h('section', { 'aria-labelledby': 'index-title' },
    h('h2', { id: 'index-title', text: 'Search index' }),
    h('p', { class: 'hint', text: `Committed up to change ${index.mark} of ${index.lastSeq}; ${index.lag} behind.${index.lastError ? ` Last indexer error: ${index.lastError}` : ''}` }),
    h('p', { id: 'index-check', role: 'status', text: checkLine }),
    checking ? h('progress', { max: Math.max(check.total, 1), value: check.checked, 'aria-label': 'Index check progress' }) : null,
    h('p', { id: 'index-rebuild', role: 'status', tabindex: '-1', text: rebuildLine }),
    rebuilding ? h('progress', { id: 'index-rebuild-progress', max: Math.max(rebuild.total, 1), value: rebuild.done, 'aria-label': 'Index rebuild progress' }) : null,
    h('div', { class: 'buttons' },
      h('button', {
        type: 'button',
        id: 'reindex',
        disabled: busy,
        text: 'Check and reindex',
        onclick: async () => {
          try {
            await post('/api/system/index/check');
          } catch (error) {
            messages.check = error.message;
          }
          refresh();
        },
      }),
      h('button', {
        type: 'button',
        id: 'rebuild-index',
        disabled: busy,
        text: 'Rebuild index',
        onclick: async () => {
          if (!confirm('Rebuild the search index of this server from the database? Search keeps working meanwhile; the new index replaces the old one when it is complete.')) return;
          try {
            await post('/api/system/index/rebuild');
          } catch (error) {
            messages.rebuild = error.message;
          }
          refresh();
        },
      })));
}

function rebuildText(rebuild) {
  if (!rebuild) return 'No rebuild of this index yet.';
  if (rebuild.running && !rebuild.started) return `Rebuild requested by ${rebuild.requestedBy} ${when(rebuild.requestedAt)}; starting.`;
  if (rebuild.running) return `Rebuilding (${rebuild.phase}): ${rebuild.done} of ${count(rebuild.total, 'version')}, ${Math.round(rebuild.rate)}/s, since ${when(rebuild.started)}.`;
  if (rebuild.error) return `Last rebuild failed ${when(rebuild.finished)}: ${rebuild.error}`;
  return `Last rebuild finished ${when(rebuild.finished)}: ${count(rebuild.done, 'version')} at ${Math.round(rebuild.rate)}/s; the rebuilt index is in use.`;
}

function card(title, value, hint) {
  return h('div', { class: 'card' }, h('span', { class: 'card-title', text: title }), h('span', { class: 'card-value', text: String(value) }), h('small', { text: hint }));
}

function figure(caption, svg, id) {
  return h('figure', { id }, svg, h('figcaption', { text: caption }));
}
