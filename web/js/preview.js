// A document's preview in a frame from /api/documents/{id}/preview. The server picks how to show
// it (PDF viewer, image, text, sanitised mail) and sends a CSP for it; mail and text frames are
// sandboxed here too, so no script in a message ever runs.
import { h, clear, notice } from './dom.js';

const PREVIEWABLE = /^(application\/pdf|image\/(png|jpeg|gif|webp)|text\/|application\/json|message\/rfc822)/i;

export function canPreview(mediaType) {
  return PREVIEWABLE.test(mediaType ?? '');
}

export function showPreview(container, item) {
  const type = item.mediaType ?? (item.kind === 'mail' ? 'message/rfc822' : '');
  clear(container).append(h('h2', { id: 'preview-title', text: `Preview: ${item.title}` }));
  if (!canPreview(type)) {
    container.append(notice('error', `There is no preview for ${type || 'this type'}: download it instead.`));
    return;
  }
  const pdf = /^application\/pdf/i.test(type);
  container.append(h('iframe', {
    id: 'preview-frame',
    class: 'preview',
    title: `Preview of ${item.title}`,
    src: `/api/documents/${item.id}/preview`,
    // The PDF viewer needs an unsandboxed frame; the server's CSP still confines it to this origin.
    sandbox: pdf ? undefined : '',
    'data-type': type,
  }));
  container.append(h('p', {}, h('a', { href: `/api/documents/${item.id}/content`, text: 'Download' })));
  container.scrollIntoView({ block: 'nearest' });
}
