// Groups: create, add and remove members, delete. A right granted to $group reaches its members.
import { h, clear, notice, field } from '../dom.js';
import { get, post, put, del } from '../api.js';

export function render(main) {
  // A slower earlier answer must not draw over a newer one (the list just after an add).
  let loads = 0;
  const status = h('div', { 'aria-live': 'polite' });
  const list = h('div');
  const name = h('input', { name: 'group', required: true, autocomplete: 'off', pattern: '[A-Za-z0-9][A-Za-z0-9._@\\-]{0,127}' });
  const form = h('form', { class: 'inline-form', id: 'add-group', 'aria-labelledby': 'add-group-title' },
    h('h2', { id: 'add-group-title', text: 'New group' }),
    h('div', { class: 'row' }, field('Group name', name, 'grant it rights as $name'), h('button', { type: 'submit', class: 'primary', text: 'Create group' })));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await act(() => post('/api/groups', { name: name.value.trim() }), `Created group ${name.value.trim()}.`);
    form.reset();
  });
  main.append(form, status, list);
  load();

  async function act(change, text) {
    try {
      await change();
      clear(status).append(notice('ok', text));
      await load();
    } catch (error) {
      clear(status).append(notice('error', error.message));
    }
  }

  async function load() {
    const mine = ++loads;
    try {
      const [groups, users] = await Promise.all([get('/api/groups'), get('/api/users')]);
      if (mine !== loads) return;
      clear(list).append(...(groups.length === 0
        ? [h('p', { class: 'hint', text: 'No groups yet.' })]
        : groups.map((g) => {
          const pick = h('select', { 'aria-label': `User to add to ${g.name}` }, users.filter((u) => !g.members.includes(u.name)).map((u) => h('option', { value: u.name, text: u.name })));
          return h('section', { class: 'inline-form', 'data-group': g.name },
            h('h2', { text: `${g.name} ($${g.name})` }),
            h('ul', {}, g.members.length === 0 ? h('li', { class: 'hint', text: 'no members' }) : g.members.map((m) => h('li', {}, `${m} `,
              h('button', { type: 'button', class: 'link', 'aria-label': `Remove ${m} from ${g.name}`, onclick: () => act(() => del(`/api/groups/${encodeURIComponent(g.name)}/members/${encodeURIComponent(m)}`), `Removed ${m} from ${g.name}.`), text: 'remove' })))),
            h('div', { class: 'buttons' }, pick,
              h('button', { type: 'button', onclick: () => act(() => put(`/api/groups/${encodeURIComponent(g.name)}/members/${encodeURIComponent(pick.value)}`), `Added ${pick.value} to ${g.name}.`), text: 'Add member' }),
              h('button', { type: 'button', class: 'danger', onclick: () => confirm(`Delete group ${g.name}? Rights granted to it go too.`) && act(() => del(`/api/groups/${encodeURIComponent(g.name)}`), `Deleted group ${g.name}.`), text: 'Delete group' })));
        })));
    } catch (error) {
      clear(list).append(notice('error', error.message));
    }
  }
}
