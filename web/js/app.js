// The console's shell: sign-in, the navigation and a hash router (#/users, #/audit, ...).
// Each page is a module exporting render(main, context) that may return a cleanup function.
import { h, clear } from './dom.js';
import { currentSession, signOut, whenSignedOut } from './api.js';
import * as signin from './pages/signin.js';
import * as dashboard from './pages/dashboard.js';
import * as users from './pages/users.js';
import * as collections from './pages/collections.js';
import * as audit from './pages/audit.js';
import * as groups from './pages/groups.js';
import * as documents from './pages/documents.js';
import * as search from './pages/search.js';
import * as trash from './pages/trash.js';

const pages = [
  { path: 'dashboard', title: 'Dashboard', admin: true, page: dashboard },
  { path: 'users', title: 'Users', admin: true, page: users },
  { path: 'groups', title: 'Groups', admin: true, page: groups },
  { path: 'collections', title: 'Collections', page: collections },
  { path: 'documents', title: 'Documents', page: documents },
  { path: 'search', title: 'Search', page: search },
  { path: 'trash', title: 'Trash', page: trash },
  { path: 'audit', title: 'Audit log', admin: true, page: audit },
];

const root = document.getElementById('app');
let session = null;
let cleanup = null;

function visible() {
  return pages.filter((p) => !p.admin || session?.isAdmin);
}

function route() {
  const hash = location.hash;
  if (hash && !hash.startsWith('#/')) return; // an in-page anchor such as the skip link
  const name = hash.slice(2).split('?')[0];
  const choices = visible();
  const target = choices.find((p) => p.path === name) ?? choices[0];
  // Keep the page's own parameters (#/documents?collection=3) when the page is the one asked for.
  if (target.path !== name) {
    history.replaceState(null, '', `#/${target.path}`);
  }
  show(target);
}

function show(target) {
  if (cleanup) cleanup();
  cleanup = null;
  for (const link of root.querySelectorAll('nav a')) {
    if (link.dataset.path === target.path) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const main = clear(root.querySelector('main'));
  document.title = `${target.title} · DocStore console`;
  main.append(h('h1', { text: target.title, tabindex: '-1' }));
  const result = target.page.render(main, { session });
  Promise.resolve(result).then((done) => {
    cleanup = typeof done === 'function' ? done : null;
  });
  main.querySelector('h1').focus();
}

function layout() {
  root.className = '';
  root.removeAttribute('aria-busy');
  clear(root).append(
    h('header', { class: 'top' },
      h('span', { class: 'brand', text: 'DocStore' }),
      h('span', { class: 'who' },
        h('span', { text: `${session.name}${session.isAdmin ? ' (administrator)' : ''}` }),
        h('button', { type: 'button', class: 'link', id: 'sign-out', onclick: doSignOut, text: 'Sign out' }))),
    h('nav', { 'aria-label': 'Console' },
      h('ul', {}, visible().map((p) => h('li', {}, h('a', { href: `#/${p.path}`, 'data-path': p.path, text: p.title }))))),
    h('main', { id: 'main', tabindex: '-1' }));
}

async function doSignOut() {
  try {
    await signOut();
  } finally {
    session = null;
    showSignIn();
  }
}

function showSignIn() {
  if (cleanup) cleanup();
  cleanup = null;
  root.className = 'signin';
  root.removeAttribute('aria-busy');
  document.title = 'Sign in · DocStore console';
  signin.render(clear(root), async (signedIn) => {
    session = signedIn;
    start();
  });
}

function start() {
  layout();
  route();
}

whenSignedOut(() => {
  session = null;
  showSignIn();
});
window.addEventListener('hashchange', () => {
  if (session) route();
});

session = await currentSession();
if (session) start();
else showSignIn();
