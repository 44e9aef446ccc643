// Users: the list, adding one, and an edit dialog (display name, administrator, disabled, new password, storage quota).
import { h, clear, count, when, notice, field, bytes } from '../dom.js';
import { get, post, patch, put } from '../api.js';

const MIB = 1024 * 1024;

export function render(main, { session }) {
  // A slower earlier answer must not draw over a newer one (the list just after an add).
  let loads = 0;
  const status = h('div', { 'aria-live': 'polite' });
  const table = h('div');
  main.append(addForm(), status, table);
  load();

  async function load() {
    const mine = ++loads;
    try {
      const users = await get('/api/users');
      if (mine !== loads) return;
      clear(table).append(h('table', { id: 'users-table' },
        h('caption', { text: count(users.length, 'user') }),
        h('thead', {}, h('tr', {}, ['Name', 'Display name', 'Role', 'State', 'Created', ''].map((c) => h('th', { scope: 'col', text: c })))),
        h('tbody', {}, users.map((u) => h('tr', { 'data-user': u.name },
          h('td', { text: u.name }),
          h('td', { text: u.displayName ?? '' }),
          h('td', { text: u.isAdmin ? 'administrator' : 'user' }),
          h('td', { text: u.disabled ? 'disabled' : 'active' }),
          h('td', { text: when(u.createdAt) }),
          h('td', {}, h('button', { type: 'button', onclick: () => edit(u), 'aria-label': `Edit ${u.name}`, text: 'Edit' })))))));
    } catch (error) {
      clear(table).append(notice('error', error.message));
    }
  }

  function say(kind, text) {
    clear(status).append(notice(kind, text));
  }

  function addForm() {
    const name = h('input', { name: 'name', required: true, autocomplete: 'off', pattern: '[A-Za-z0-9][A-Za-z0-9._@\\-]{0,127}' });
    const displayName = h('input', { name: 'displayName', autocomplete: 'off' });
    const password = h('input', { name: 'password', type: 'password', required: true, minlength: 8, autocomplete: 'new-password' });
    const admin = h('input', { name: 'isAdmin', type: 'checkbox' });
    const form = h('form', { class: 'inline-form', id: 'add-user', 'aria-labelledby': 'add-user-title' },
      h('h2', { id: 'add-user-title', text: 'Add a user' }),
      h('div', { class: 'row' },
        field('User name', name, 'letters, digits, . _ @ -'),
        field('Display name', displayName),
        field('Password', password, 'at least 8 characters'),
        h('div', { class: 'field checkbox' }, h('label', {}, admin, ' Administrator'))),
      h('button', { type: 'submit', class: 'primary', text: 'Add user' }));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        const user = await post('/api/users', { name: name.value.trim(), displayName: displayName.value, password: password.value, isAdmin: admin.checked });
        form.reset();
        say('ok', `Added ${user.name}, with the collections INBOX, Sent, Drafts, Trash, Junk and Archive.`);
        await load();
        name.focus();
      } catch (error) {
        say('error', error.message);
      }
    });
    return form;
  }

  function edit(user) {
    const displayName = h('input', { name: 'displayName', value: user.displayName ?? '' });
    const admin = h('input', { name: 'isAdmin', type: 'checkbox', checked: user.isAdmin });
    const disabled = h('input', { name: 'disabled', type: 'checkbox', checked: user.disabled });
    const password = h('input', { name: 'password', type: 'password', minlength: 8, autocomplete: 'new-password' });
    const quota = h('input', { name: 'quotaMiB', type: 'number', min: 0, step: 'any' });
    const quotaHint = h('small', { text: 'empty for no limit' });
    let quotaBefore = '';
    let quotaTouched = false;
    quota.addEventListener('input', () => { quotaTouched = true; });
    get(`/api/users/${encodeURIComponent(user.name)}/quota`).then((q) => {
      quotaBefore = q.limitBytes == null ? '' : String(q.limitBytes / MIB);
      if (!quotaTouched) quota.value = quotaBefore;
      quotaHint.textContent = `uses ${bytes(q.usageBytes)}; empty for no limit`;
    }, () => {});
    const message = h('div', { 'aria-live': 'assertive' });
    const self = user.name.toLowerCase() === session.name.toLowerCase();
    const dialog = h('dialog', { 'aria-labelledby': 'edit-title' },
      h('form', { method: 'dialog' },
        h('h2', { id: 'edit-title', text: `Edit ${user.name}` }),
        field('Display name', displayName),
        h('div', { class: 'field checkbox' }, h('label', {}, admin, ' Administrator')),
        h('div', { class: 'field checkbox' }, h('label', {}, disabled, ' Disabled (cannot sign in; documents stay)')),
        self ? h('p', { class: 'hint', text: 'You cannot disable yourself or remove your own administrator right.' }) : null,
        field('New password', password, 'leave empty to keep the password; a new one signs the user out of the console'),
        h('div', { class: 'field' }, h('label', { for: 'edit-quota', text: 'Storage quota (MiB)' }), Object.assign(quota, { id: 'edit-quota' }), quotaHint),
        message,
        h('div', { class: 'buttons' },
          h('button', { type: 'submit', class: 'primary', value: 'save', text: 'Save' }),
          h('button', { type: 'button', onclick: () => dialog.close(), text: 'Cancel' }))));
    dialog.querySelector('form').addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        await patch(`/api/users/${encodeURIComponent(user.name)}`, { displayName: displayName.value, isAdmin: admin.checked, disabled: disabled.checked });
        if (password.value) await post(`/api/users/${encodeURIComponent(user.name)}/password`, { password: password.value });
        if (quota.value.trim() !== quotaBefore) {
          const text = quota.value.trim();
          const limitBytes = text === '' ? null : Math.round(Number(text) * MIB);
          if (limitBytes !== null && !(limitBytes >= 0)) throw new Error('The quota is a number of MiB, or empty for none.');
          await put(`/api/users/${encodeURIComponent(user.name)}/quota`, { limitBytes });
        }
        dialog.close();
        say('ok', `Saved ${user.name}.`);
        await load();
      } catch (error) {
        clear(message).append(notice('error', error.message));
      }
    });
    dialog.addEventListener('close', () => dialog.remove());
    main.append(dialog);
    dialog.showModal();
    displayName.focus();
  }
}
