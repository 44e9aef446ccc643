// The trash: documents deleted by the user (administrators: everyone's), restore one to where it was.
import { h, clear, count, when, notice } from '../dom.js';
import { get, post } from '../api.js';

export function render(main) {
  const status = h('div', { 'aria-live': 'polite' });
  const list = h('div');
  // A slower earlier answer must not draw over a newer one (two restores in a row).
  let loads = 0;
  main.append(h('p', { class: 'hint', text: 'Deleted documents stay here until the retention period ends; restore puts one back in the collection it came from.' }), status, list);
  load();

  async function load() {
    const mine = ++loads;
    try {
      const trashed = await get('/api/trash');
      if (mine !== loads) return;
      clear(list).append(h('table', { id: 'trash-table' },
        h('caption', { text: `${count(trashed.length, 'document')} in the trash` }),
        h('thead', {}, h('tr', {}, ['Title', 'Kind', 'Deleted', 'Filed', ''].map((c) => h('th', { scope: 'col', text: c })))),
        h('tbody', {}, trashed.map((d) => h('tr', { 'data-document': d.id, 'data-title': d.title },
          h('td', { text: d.title }),
          h('td', { text: d.kind }),
          h('td', { class: 'nowrap', text: when(d.trashedAt) }),
          h('td', { class: 'nowrap', text: when(d.createdAt) }),
          h('td', {}, h('button', { type: 'button', 'aria-label': `Restore ${d.title}`, onclick: () => restore(d), text: 'Restore' })))))));
    } catch (error) {
      if (mine === loads) clear(list).append(notice('error', error.message));
    }
  }

  async function restore(document) {
    try {
      const restored = await post(`/api/documents/${document.id}/restore`);
      clear(status).append(notice('ok', `Restored ${restored.title} to ${restored.entries.map((e) => e.collection).join(', ')}.`));
      await load();
    } catch (error) {
      clear(status).append(notice('error', error.message));
    }
  }
}
