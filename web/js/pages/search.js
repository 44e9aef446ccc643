// Full-text search over what the user may read: Lucene query syntax, highlighted snippets,
// facets by collection, type and year (each a toggle that narrows the results), preview.
import { h, clear, count, when, notice, field } from '../dom.js';
import { get, query } from '../api.js';
import { showPreview } from '../preview.js';

export function render(main) {
  const state = { q: '', collection: null, type: null, year: null, page: 1 };
  const input = h('input', { type: 'search', name: 'q', id: 'search-query', autocomplete: 'off', required: true });
  const form = h('form', { class: 'inline-form', role: 'search', id: 'search-form' },
    h('div', { class: 'row' },
      field('Search for', input, 'words, "a phrase", AND / OR / NOT, -word, word*, subject:, from:, to:, body:'),
      h('button', { type: 'submit', class: 'primary', text: 'Search' })));
  const status = h('div', { 'aria-live': 'polite' });
  const facets = h('aside', { class: 'facets', 'aria-label': 'Narrow the results' });
  const results = h('div', { id: 'search-results' });
  const preview = h('section', { class: 'detail-panel', id: 'preview-panel', 'aria-live': 'polite' });
  main.append(form, status, h('div', { class: 'search-layout' }, facets, results), preview);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    Object.assign(state, { q: input.value.trim(), collection: null, type: null, year: null, page: 1 });
    run();
  });

  async function run() {
    clear(status);
    try {
      const answer = await get(`/api/search${query({ q: state.q, collection: state.collection, type: state.type, year: state.year, page: state.page })}`);
      drawFacets(answer.facets);
      drawResults(answer);
    } catch (error) {
      clear(status).append(notice('error', error.message));
    }
  }

  function drawFacets(all) {
    const group = (title, key, values) => h('section', {},
      h('h2', { text: title }),
      h('ul', {}, values.map((v) => h('li', {}, h('button', {
        type: 'button',
        class: 'facet',
        'data-facet': `${key}:${v.value}`,
        'aria-pressed': String(state[key]) === v.value ? 'true' : 'false',
        onclick: () => {
          state[key] = String(state[key]) === v.value ? null : v.value;
          state.page = 1;
          run();
        },
      }, `${v.label} `, h('span', { class: 'count', text: `(${v.count})` }))))));
    clear(facets).append(group('Collection', 'collection', all.collection), group('Type', 'type', all.type), group('Year', 'year', all.year));
  }

  function drawResults(answer) {
    const pages = Math.max(1, Math.ceil(answer.total / answer.pageSize));
    clear(results).append(
      h('p', { class: 'hint', role: 'status', text: `${answer.total} found for ${answer.query}${answer.notIndexed ? `; ${count(answer.notIndexed, 'document')} not indexed yet` : ''}.` }),
      h('ol', { class: 'hits' }, answer.items.map((hit) => h('li', { 'data-document': hit.id },
        h('h3', {}, h('button', { type: 'button', class: 'link', onclick: () => showPreview(preview, { id: hit.id, title: hit.title, kind: hit.kind, mediaType: hit.type === 'mail' ? 'message/rfc822' : hit.type }), text: hit.title || '(no title)' })),
        h('p', { class: 'snippet' }, hit.snippet.map((part) => (part.hit ? h('mark', { text: part.text }) : part.text))),
        h('p', { class: 'hint' }, `${hit.type} · ${when(hit.createdAt)} · `, hit.entries.map((e, i) => [i ? ', ' : '',
          h('a', { href: `#/documents?collection=${e.collectionId}&document=${hit.id}`, text: e.collection })]),
        hit.tags.length ? ` · ${hit.tags.join(' ')}` : '')))),
      h('div', { class: 'buttons', role: 'group', 'aria-label': 'Pages' },
        h('button', { type: 'button', disabled: answer.page <= 1, onclick: () => { state.page--; run(); }, text: 'Previous page' }),
        h('button', { type: 'button', disabled: answer.page >= pages, onclick: () => { state.page++; run(); }, text: 'Next page' })));
  }
}
