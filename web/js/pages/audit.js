// The audit trail, newest first: filter by user, action, collection and time; page backwards.
import { h, clear, when, notice, field } from '../dom.js';
import { get, query } from '../api.js';

export function render(main) {
  const user = h('input', { name: 'user', autocomplete: 'off' });
  const action = h('select', { name: 'action' }, h('option', { value: '', text: 'any' }));
  const collection = h('input', { name: 'collection', type: 'number', min: 1 });
  const from = h('input', { name: 'from', type: 'datetime-local' });
  const to = h('input', { name: 'to', type: 'datetime-local' });
  const form = h('form', { class: 'inline-form', id: 'audit-filter', 'aria-label': 'Filter' },
    h('div', { class: 'row' },
      field('User', user), field('Action', action), field('Collection id', collection),
      field('From (local time)', from), field('To (local time)', to)),
    h('button', { type: 'submit', class: 'primary', text: 'Show' }));
  const results = h('div', { 'aria-live': 'polite' });
  const more = h('button', { type: 'button', hidden: true, text: 'Older entries' });
  let filter = {};
  let next = null;
  let body = null;

  main.append(form, results, more);
  get('/api/audit/actions').then((actions) => actions.forEach((a) => action.append(h('option', { value: a, text: a }))));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    filter = {
      user: user.value.trim(),
      action: action.value,
      collection: collection.value,
      from: from.value ? new Date(from.value).toISOString() : '',
      to: to.value ? new Date(to.value).toISOString() : '',
    };
    show(false);
  });
  more.addEventListener('click', () => show(true));
  show(false);

  async function show(older) {
    try {
      const page = await get(`/api/audit${query({ ...filter, before: older ? next : null, limit: 50 })}`);
      if (!older) {
        body = h('tbody');
        clear(results).append(h('table', { id: 'audit-table' },
          h('thead', {}, h('tr', {}, ['Time', 'User', 'Action', 'Collection', 'Document', 'Address', 'Client', 'Details'].map((c) => h('th', { scope: 'col', text: c })))),
          body));
      }
      for (const e of page.items) {
        body.append(h('tr', {},
          h('td', { class: 'nowrap', text: when(e.at) }),
          h('td', { text: e.user ?? '' }),
          h('td', { text: e.action }),
          h('td', { text: e.collectionId ?? '' }),
          h('td', { text: e.documentId ?? '' }),
          h('td', { text: e.address ?? '' }),
          h('td', { class: 'client', text: e.client ?? '' }),
          h('td', { class: 'details', text: e.details ? Object.entries(e.details).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ') : '' })));
      }
      if (!older && page.items.length === 0) results.append(h('p', { text: 'No entries match.' }));
      next = page.nextBefore;
      more.hidden = next === null;
    } catch (error) {
      clear(results).append(notice('error', error.message));
    }
  }
}
