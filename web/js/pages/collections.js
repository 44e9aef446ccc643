// A user's collection tree (the folders their mail client shows): create, rename or move, delete,
// special-use and retention; administrators also pick whose tree, set legal hold, quotas and rights.
import { h, clear, bytes, notice, field } from '../dom.js';
import { get, post, put, patch, del, query } from '../api.js';

const SPECIAL_USES = ['', '\\Archive', '\\Drafts', '\\Flagged', '\\Junk', '\\Sent', '\\Trash', '\\All'];
const MIB = 1024 * 1024;

export function render(main, { session }) {
  // A slower earlier answer must not draw over a newer one (the list just after an add).
  let loads = 0;
  let owner = session.name;
  let selected = null;
  let all = [];
  // What the detail panel shows, and its parts a reload refreshes without redrawing the forms.
  let panel = null;
  const status = h('div', { 'aria-live': 'polite' });
  const tree = h('div', { class: 'tree-panel' });
  const detail = h('div', { class: 'detail-panel', 'aria-live': 'polite' });
  const picker = h('div');
  main.append(picker, createForm(), status, h('div', { class: 'split' }, tree, detail));
  if (session.isAdmin) ownerPicker();
  load();

  function say(kind, text) {
    clear(status).append(notice(kind, text));
  }

  async function ownerPicker() {
    const select = h('select', { name: 'owner', id: 'owner' });
    for (const u of await get('/api/users')) select.append(h('option', { value: u.name, selected: u.name === owner, text: u.name }));
    select.addEventListener('change', () => {
      owner = select.value;
      selected = null;
      load();
    });
    picker.append(field('Whose collections', select));
  }

  async function load() {
    const mine = ++loads;
    try {
      const result = await get(`/api/collections${query({ user: owner })}`);
      if (mine !== loads) return;
      all = result.collections;
      drawTree(result.collections);
      const again = result.collections.find((c) => c.id === selected?.id) ?? null;
      // A reload that finds the open collection as it was (a create, or another's change
      // elsewhere in the tree) must not wipe what is being typed into its forms.
      if (again && panel?.collection.id === again.id && panel.collection.name === again.name) refreshDetail(again);
      else drawDetail(again);
    } catch (error) {
      clear(tree).append(notice('error', error.message));
    }
  }

  function drawTree(collections) {
    const children = new Map();
    for (const c of collections) {
      const key = c.parentId ?? 0;
      if (!children.has(key)) children.set(key, []);
      children.get(key).push(c);
    }
    const list = (parent) => h('ul', {}, (children.get(parent) ?? []).map((c) => h('li', {},
      h('button', {
        type: 'button',
        class: 'node',
        'data-collection': c.name,
        'aria-pressed': selected?.id === c.id ? 'true' : 'false',
        onclick: () => drawDetail(c),
      }, c.leaf, c.specialUse ? h('span', { class: 'badge', text: c.specialUse }) : null, h('span', { class: 'count', text: ` ${c.documents}` })),
      children.has(c.id) ? list(c.id) : null)));
    clear(tree).append(h('h2', { text: `${owner}'s collections` }), h('nav', { 'aria-label': 'Collection tree', class: 'tree' }, list(0)));
  }

  function facts(collection) {
    return h('dl', {},
      h('dt', { text: 'Id' }), h('dd', { text: String(collection.id) }),
      h('dt', { text: 'Special use' }), h('dd', { text: collection.specialUse ?? 'none' }),
      h('dt', { text: 'Documents' }), h('dd', { text: String(collection.documents) }),
      h('dt', { text: 'Size' }), h('dd', { text: bytes(collection.size) }));
  }

  // A new parent is any collection outside the moved one's own subtree.
  function parentOptions(collection) {
    const inside = (c) => c.name === collection.name || c.name.startsWith(`${collection.name}/`);
    return [h('option', { value: '', text: '(top level)' }),
      ...all.filter((c) => !inside(c)).map((c) => h('option', { value: c.name, text: c.name, selected: c.id === collection.parentId }))];
  }

  function refreshDetail(collection) {
    selected = collection;
    const chosen = panel.parent.value;
    clear(panel.parent).append(...parentOptions(collection));
    if ([...panel.parent.options].some((o) => o.value === chosen)) panel.parent.value = chosen;
    const fresh = facts(collection);
    panel.facts.replaceWith(fresh);
    panel = { ...panel, collection, facts: fresh };
  }

  function drawDetail(collection) {
    selected = collection;
    panel = null;
    for (const button of tree.querySelectorAll('button.node')) {
      button.setAttribute('aria-pressed', collection && button.dataset.collection === collection.name ? 'true' : 'false');
    }
    if (!collection) {
      clear(detail).append(h('p', { class: 'hint', text: 'Choose a collection to rename, move or delete it.' }));
      return;
    }
    // Rename and move in one: a new last level and a new parent (none of its own subtree).
    const newName = h('input', { name: 'newName', value: collection.leaf, required: true, autocomplete: 'off' });
    const parent = h('select', { name: 'parent' }, parentOptions(collection));
    const rename = h('form', { class: 'inline-form', id: 'rename-collection' },
      h('div', { class: 'row' }, field('New name', newName), field('New parent', parent)),
      h('button', { type: 'submit', text: 'Rename or move' }));
    rename.addEventListener('submit', async (event) => {
      event.preventDefault();
      const target = parent.value ? `${parent.value}/${newName.value.trim()}` : newName.value.trim();
      try {
        await patch(`/api/collections/${collection.id}`, { name: target });
        say('ok', `Renamed ${collection.name} to ${target}.`);
        await load();
      } catch (error) {
        say('error', error.message);
      }
    });
    const remove = h('button', {
      type: 'button',
      class: 'danger',
      text: 'Delete collection',
      onclick: async () => {
        if (!confirm(`Delete ${collection.name}? Its documents that are in no other collection go to the trash.`)) return;
        try {
          await del(`/api/collections/${collection.id}`);
          say('ok', `Deleted ${collection.name}; its documents held nowhere else are in the trash.`);
          selected = null;
          await load();
        } catch (error) {
          say('error', error.message);
        }
      },
    });
    panel = { collection, facts: facts(collection), parent };
    clear(detail).append(
      h('h2', { text: collection.name }),
      panel.facts,
      rename,
      remove,
      settingsPanel(collection),
      h('h3', { text: 'Rights' }),
      session.isAdmin ? rightsEditor(collection) : h('p', { class: 'hint', text: 'Administrators edit rights here; you can share from a mail client (SETACL).' }));
  }

  // Special-use, retention, legal hold (administrators) and storage quota (administrators).
  function settingsPanel(collection) {
    const box = h('section', { id: 'collection-settings', 'aria-labelledby': 'settings-title' }, h('p', { class: 'hint', text: 'Loading settings…' }));
    get(`/api/collections/${collection.id}`).then((d) => drawSettings(box, d), (error) => clear(box).append(notice('error', error.message)));
    return box;
  }

  function submitting(form, action) {
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        await action();
      } catch (error) {
        say('error', error.message);
      }
    });
    return form;
  }

  function drawSettings(box, d) {
    const special = h('select', { name: 'collectionSpecialUse' },
      SPECIAL_USES.map((s) => h('option', { value: s, text: s || 'none', selected: (d.specialUse ?? '') === s })));
    const specialForm = submitting(h('form', { class: 'inline-form', id: 'special-use-form' },
      field('Mark as (special use)', special, 'how mail clients treat it (RFC 6154)'),
      h('button', { type: 'submit', text: 'Set special use' })), async () => {
      await put(`/api/collections/${d.id}/special-use`, { specialUse: special.value || null });
      say('ok', `Special use of ${d.name} is now ${special.value || 'none'}.`);
      await load();
    });

    const days = h('input', { type: 'number', name: 'retentionDays', min: 0, max: 36500, step: 1, value: d.retentionDays ?? 0 });
    const hold = h('input', { type: 'checkbox', name: 'legalHold', checked: d.legalHold });
    const reason = h('input', { name: 'holdReason', value: d.legalHoldReason ?? '', autocomplete: 'off' });
    const governanceForm = submitting(h('form', { class: 'inline-form', id: 'governance-form' },
      field('Retention (days)', days, 'trashed documents from here are purged after this many days; 0 for none'),
      session.isAdmin ? h('div', { class: 'field checkbox' }, h('label', {}, hold, ' Legal hold (nothing in it can be deleted, expunged or moved out)')) : null,
      session.isAdmin ? field('Reason for the hold', reason) : null,
      h('button', { type: 'submit', text: session.isAdmin ? 'Save retention and hold' : 'Save retention' })), async () => {
      const retentionDays = days.valueAsNumber;
      if (!Number.isInteger(retentionDays) || retentionDays < 0) throw new Error('Retention is a whole number of days, 0 for none.');
      const body = session.isAdmin ? { retentionDays, legalHold: hold.checked, reason: reason.value.trim() || null } : { retentionDays };
      await put(`/api/collections/${d.id}/governance`, body);
      say('ok', `Saved ${d.name}: retention ${retentionDays || 'none'}${session.isAdmin ? `, legal hold ${hold.checked ? 'on' : 'off'}` : ''}.`);
    });

    const quota = h('input', { type: 'number', name: 'quotaMiB', min: 0, step: 'any', value: d.quota?.limitBytes == null ? '' : d.quota.limitBytes / MIB });
    const quotaForm = session.isAdmin ? submitting(h('form', { class: 'inline-form', id: 'quota-form' },
      field('Storage quota (MiB)', quota, `uses ${bytes(d.quota?.usageBytes ?? 0)}; empty for no limit`),
      h('button', { type: 'submit', text: 'Set quota' })), async () => {
      const text = quota.value.trim();
      const limitBytes = text === '' ? null : Math.round(Number(text) * MIB);
      if (limitBytes !== null && !(limitBytes >= 0)) throw new Error('The quota is a number of MiB, or empty for none.');
      const result = await put(`/api/collections/${d.id}/quota`, { limitBytes });
      say('ok', `Quota of ${d.name}: ${result.limitBytes == null ? 'none' : bytes(result.limitBytes)} (uses ${bytes(result.usageBytes)}).`);
    }) : null;

    clear(box).append(
      h('h3', { id: 'settings-title', text: 'Settings' }),
      d.ownerQuota ? h('p', { class: 'hint', text: `${d.owner} uses ${bytes(d.ownerQuota.usageBytes)} of ${d.ownerQuota.limitBytes == null ? 'no limit' : bytes(d.ownerQuota.limitBytes)} (set on the Users page).` }) : null,
      specialForm, governanceForm, quotaForm);
  }

  // The ACL in RFC 4314 letters and in words; grant by ticking rights, revoke an entry.
  function rightsEditor(collection) {
    const box = h('div', { id: 'rights-editor' });
    const draw = (list) => {
      const identifier = h('input', { name: 'identifier', required: true, autocomplete: 'off', placeholder: 'bob, $team or anyone' });
      const boxes = list.letters.map((l) => h('input', { type: 'checkbox', name: 'right', value: l.right, checked: 'lr'.includes(l.right) }));
      const grant = h('form', { class: 'inline-form', id: 'grant-form' },
        field('User, $group or anyone', identifier),
        h('fieldset', {}, h('legend', { text: 'Rights' }),
          list.letters.map((l, i) => h('div', { class: 'field checkbox' }, h('label', {}, boxes[i], `${l.right}: ${l.meaning}`)))),
        h('button', { type: 'submit', class: 'primary', text: 'Grant' }));
      grant.addEventListener('submit', async (event) => {
        event.preventDefault();
        const rights = boxes.filter((b) => b.checked).map((b) => b.value).join('');
        try {
          draw(await put(`/api/collections/${collection.id}/rights/${encodeURIComponent(identifier.value.trim())}`, { rights }));
          say('ok', `Granted ${rights || 'no rights'} to ${identifier.value.trim()} on ${collection.name}.`);
        } catch (error) {
          say('error', error.message);
        }
      });
      clear(box).append(
        h('table', { id: 'rights-table' },
          h('thead', {}, h('tr', {}, ['Who', 'Letters', 'In words', ''].map((c) => h('th', { scope: 'col', text: c })))),
          h('tbody', {}, list.entries.map((e) => h('tr', { 'data-identifier': e.identifier },
            h('td', { text: `${e.identifier}${e.owner ? ' (owner)' : ''}` }),
            h('td', {}, h('code', { text: e.rights || '(none)' })),
            h('td', { text: e.words.join(', ') || 'nothing' }),
            h('td', {}, e.owner ? null : h('button', {
              type: 'button',
              class: 'link',
              'aria-label': `Revoke ${e.identifier}`,
              text: 'Revoke',
              onclick: async () => {
                try {
                  draw(await del(`/api/collections/${collection.id}/rights/${encodeURIComponent(e.identifier)}`));
                  say('ok', `Revoked ${e.identifier} on ${collection.name}.`);
                } catch (error) {
                  say('error', error.message);
                }
              },
            })))))),
        grant);
    };
    get(`/api/collections/${collection.id}/rights`).then(draw, (error) => clear(box).append(notice('error', error.message)));
    return box;
  }

  function createForm() {
    const name = h('input', { name: 'name', required: true, placeholder: 'Projects/Alpha', autocomplete: 'off' });
    const special = h('select', { name: 'specialUse' }, SPECIAL_USES.map((s) => h('option', { value: s, text: s || 'none' })));
    const form = h('form', { class: 'inline-form', id: 'create-collection', 'aria-labelledby': 'create-title' },
      h('h2', { id: 'create-title', text: 'New collection' }),
      h('div', { class: 'row' },
        field('Full name', name, 'levels separated by /; missing parents are created'),
        field('Special use', special)),
      h('button', { type: 'submit', class: 'primary', text: 'Create' }));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        const created = await post('/api/collections', { name: name.value.trim(), specialUse: special.value || null, user: owner });
        form.reset();
        say('ok', `Created ${created.name} for ${created.owner}.`);
        selected = { id: created.id };
        await load();
      } catch (error) {
        say('error', error.message);
      }
    });
    return form;
  }
}
