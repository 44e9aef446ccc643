// The document browser: the collections the user may read, one page of a collection at a time
// (sorted by date, title or id), upload, preview, download, versions, tags and delete.
import { h, clear, bytes, count, when, notice, field } from '../dom.js';
import { get, patch, del, upload, query, routeParameters } from '../api.js';
import { showPreview, canPreview } from '../preview.js';

const PAGE_SIZE = 25;

export function render(main) {
  const parameters = routeParameters();
  const state = { collection: Number(parameters.get('collection')) || null, page: 1, sort: 'created', order: 'desc' };
  const status = h('div', { 'aria-live': 'polite' });
  const picker = h('div', { class: 'row' });
  const uploadForm = h('div');
  const list = h('div');
  const side = h('section', { class: 'detail-panel', 'aria-live': 'polite', id: 'document-detail' });
  // A slower earlier answer must not draw over a newer one (a collection, page or document
  // chosen while the previous one was still loading).
  let loads = 0;
  let details = 0;
  main.append(picker, uploadForm, status, list, side);
  start();

  function say(kind, text) {
    clear(status).append(notice(kind, text));
  }

  async function start() {
    try {
      const collections = await get('/api/collections/readable');
      if (collections.length === 0) {
        clear(list).append(h('p', { class: 'hint', text: 'You may read no collection yet.' }));
        return;
      }
      if (!collections.some((c) => c.id === state.collection)) state.collection = collections[0].id;
      const select = h('select', { id: 'collection' }, collections.map((c) => h('option', { value: c.id, selected: c.id === state.collection, text: `${c.name} (${c.id})` })));
      select.addEventListener('change', () => {
        state.collection = Number(select.value);
        state.page = 1;
        history.replaceState(null, '', `#/documents?collection=${state.collection}`);
        load();
      });
      const sort = h('select', { id: 'sort' }, [['created', 'Date'], ['title', 'Title'], ['id', 'Id']].map(([v, t]) => h('option', { value: v, text: t })));
      const order = h('select', { id: 'order' }, [['desc', 'Newest / Z first'], ['asc', 'Oldest / A first']].map(([v, t]) => h('option', { value: v, text: t })));
      for (const s of [sort, order]) {
        s.addEventListener('change', () => {
          state.sort = sort.value;
          state.order = order.value;
          state.page = 1;
          load();
        });
      }
      clear(picker).append(field('Collection', select), field('Sort by', sort), field('Order', order));
      clear(uploadForm).append(uploadBox());
      await load();
      const wanted = Number(parameters.get('document'));
      if (wanted) openDetail(wanted);
    } catch (error) {
      say('error', error.message);
    }
  }

  async function load() {
    const mine = ++loads;
    try {
      const page = await get(`/api/collections/${state.collection}/documents/page${query({ page: state.page, pageSize: PAGE_SIZE, sort: state.sort, order: state.order })}`);
      if (mine !== loads) return;
      const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
      clear(list).append(
        h('table', { id: 'documents-table' },
          h('caption', { text: `${count(page.total, 'document')}, page ${page.page} of ${pages}` }),
          h('thead', {}, h('tr', {}, ['Title', 'Type', 'Size', 'Tags', 'Filed', 'Version', ''].map((c) => h('th', { scope: 'col', text: c })))),
          h('tbody', {}, page.items.map((d) => h('tr', { 'data-document': d.id, 'data-title': d.title },
            h('td', {}, h('button', { type: 'button', class: 'link', onclick: () => openDetail(d.id), text: d.title || '(no title)' })),
            h('td', { text: d.kind === 'mail' ? 'mail' : d.mediaType ?? d.kind }),
            h('td', { class: 'nowrap', text: bytes(d.size) }),
            h('td', { text: d.tags.join(' ') }),
            h('td', { class: 'nowrap', text: when(d.createdAt) }),
            h('td', { text: String(d.currentVersion) }),
            h('td', { class: 'nowrap' },
              canPreview(d.mediaType) ? h('button', { type: 'button', onclick: () => showPreview(side, d), 'aria-label': `Preview ${d.title}`, text: 'Preview' }) : null,
              ' ',
              h('a', { href: `/api/documents/${d.id}/content`, 'aria-label': `Download ${d.title}`, text: 'Download' })))))),
        h('div', { class: 'buttons', role: 'group', 'aria-label': 'Pages' },
          h('button', { type: 'button', disabled: page.page <= 1, onclick: () => turn(-1), text: 'Previous page' }),
          h('button', { type: 'button', disabled: page.page >= pages, onclick: () => turn(1), text: 'Next page' })));
    } catch (error) {
      if (mine === loads) clear(list).append(notice('error', error.message));
    }
  }

  function turn(step) {
    state.page += step;
    load();
  }

  function uploadBox() {
    const file = h('input', { type: 'file', name: 'file', required: true });
    const title = h('input', { name: 'title', autocomplete: 'off' });
    const tags = h('input', { name: 'tags', autocomplete: 'off', placeholder: 'invoice paid' });
    const form = h('form', { class: 'inline-form', id: 'upload-form', 'aria-labelledby': 'upload-title' },
      h('h2', { id: 'upload-title', text: 'Upload a document' }),
      h('div', { class: 'row' }, field('File', file), field('Title', title, 'the file name when empty'), field('Tags', tags, 'separated by spaces')),
      h('button', { type: 'submit', class: 'primary', text: 'Upload' }));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (!file.files[0]) return;
      const data = new FormData();
      data.append('file', file.files[0]);
      if (title.value.trim()) data.append('title', title.value.trim());
      for (const tag of tags.value.split(/[\s,]+/).filter(Boolean)) data.append('tags', tag);
      try {
        const created = await upload(`/api/collections/${state.collection}/documents`, data);
        form.reset();
        say('ok', `Uploaded ${created.title}.`);
        await load();
      } catch (error) {
        say('error', error.message);
      }
    });
    return form;
  }

  async function openDetail(id) {
    const mine = ++details;
    try {
      const [document, versions] = await Promise.all([get(`/api/documents/${id}`), get(`/api/documents/${id}/versions`)]);
      if (mine !== details) return;
      const current = versions.find((v) => v.number === document.currentVersion);
      const item = { id, title: document.title, kind: document.kind, mediaType: current?.mediaType };
      const tags = h('input', { name: 'tags', value: document.tags.join(' '), autocomplete: 'off' });
      const tagForm = h('form', { class: 'inline-form', id: 'tags-form' }, field('Tags', tags, 'separated by spaces; IMAP keywords'),
        h('button', { type: 'submit', text: 'Save tags' }));
      tagForm.addEventListener('submit', async (event) => {
        event.preventDefault();
        try {
          await patch(`/api/documents/${id}`, { tags: tags.value.split(/[\s,]+/).filter(Boolean) });
          say('ok', `Saved the tags of ${document.title}.`);
          await load();
        } catch (error) {
          say('error', error.message);
        }
      });
      const preview = h('div', { id: 'preview' });
      clear(side).append(
        h('h2', { text: document.title, tabindex: '-1', id: 'detail-title' }),
        h('dl', {},
          h('dt', { text: 'Id' }), h('dd', { text: String(id) }),
          h('dt', { text: 'Kind' }), h('dd', { text: document.kind }),
          h('dt', { text: 'Filed' }), h('dd', { text: when(document.createdAt) }),
          h('dt', { text: 'In' }), h('dd', { text: document.entries.map((e) => e.collection).join(', ') }),
          h('dt', { text: 'Legal hold' }), h('dd', { text: document.legalHold ? `yes: ${document.legalHoldReason ?? ''}` : 'no' })),
        h('div', { class: 'buttons' },
          h('button', { type: 'button', onclick: () => showPreview(preview, item), text: 'Preview' }),
          h('a', { class: 'button', href: `/api/documents/${id}/content`, text: 'Download' }),
          h('button', { type: 'button', class: 'danger', onclick: () => remove(document), text: 'Delete' })),
        tagForm,
        h('h3', { text: 'Versions' }),
        h('table', { id: 'versions-table' },
          h('thead', {}, h('tr', {}, ['Version', 'File', 'Type', 'Size', 'Added', 'By', ''].map((c) => h('th', { scope: 'col', text: c })))),
          h('tbody', {}, versions.map((v) => h('tr', {},
            h('td', { text: String(v.number) }), h('td', { text: v.fileName ?? '' }), h('td', { text: v.mediaType }),
            h('td', { text: bytes(v.size) }), h('td', { class: 'nowrap', text: when(v.createdAt) }), h('td', { text: v.author ?? '' }),
            h('td', {}, h('a', { href: `/api/documents/${id}/versions/${v.number}/content`, text: `Download version ${v.number}` })))))),
        preview);
      side.querySelector('#detail-title').focus();
    } catch (error) {
      say('error', error.message);
    }
  }

  async function remove(document) {
    if (!confirm(`Move ${document.title} to the trash? It can be restored from the trash.`)) return;
    try {
      await del(`/api/documents/${document.id}`);
      clear(side);
      say('ok', `Moved ${document.title} to the trash.`);
      await load();
    } catch (error) {
      say('error', error.message);
    }
  }
}
