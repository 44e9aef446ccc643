import { h, field } from '../dom.js';
import { signIn } from '../api.js';

export function render(root, signedIn) {
  const name = h('input', { name: 'name', autocomplete: 'username', required: true, autofocus: true });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const message = h('p', { class: 'notice error', role: 'alert', hidden: true });
  const button = h('button', { type: 'submit', class: 'primary', text: 'Sign in' });
  const form = h('form', { class: 'signin-form', 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title', text: 'DocStore console' }),
    field('User name', name),
    field('Password', password),
    message,
    button);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    button.disabled = true;
    message.hidden = true;
    try {
      signedIn(await signIn(name.value.trim(), password.value));
    } catch (error) {
      message.textContent = error.message;
      message.hidden = false;
      password.select();
    } finally {
      button.disabled = false;
    }
  });
  root.append(h('main', { id: 'main' }, form));
  name.focus();
}
