// A page whose back end arrives with another issue: the navigation shows where it will be.
import { h } from '../dom.js';

export function placeholder(title, text) {
  return {
    render(main) {
      main.append(h('p', { class: 'placeholder', text }));
    },
  };
}
