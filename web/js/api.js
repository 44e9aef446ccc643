// The console's only way to the server: JSON in and out, problem details turned into errors,
// and the session's anti-forgery token on every change.

let csrfToken = null;
let onSignedOut = () => {};

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

export function whenSignedOut(callback) {
  onSignedOut = callback;
}

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') ?? '';
  const data = type.includes('json') ? await response.json() : null;
  if (!response.ok) {
    if (response.status === 401 && path !== '/api/session') onSignedOut();
    throw new ApiError(response.status, data?.detail ?? `${response.status} ${response.statusText}`);
  }
  return data;
}

export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, body ?? {});
export const patch = (path, body) => api('PATCH', path, body);
export const put = (path, body) => api('PUT', path, body ?? {});
export const del = (path) => api('DELETE', path);

/** A multipart upload (FormData); the browser sets the boundary. */
export async function upload(path, form) {
  const response = await fetch(path, {
    method: 'POST',
    headers: { Accept: 'application/json', 'X-CSRF-Token': csrfToken ?? '' },
    body: form,
    credentials: 'same-origin',
  });
  const data = (response.headers.get('Content-Type') ?? '').includes('json') ? await response.json() : null;
  if (!response.ok) {
    if (response.status === 401) onSignedOut();
    throw new ApiError(response.status, data?.detail ?? `${response.status} ${response.statusText}`);
  }
  return data;
}

/** The query parameters of the current hash route (#/documents?collection=3). */
export function routeParameters() {
  const hash = location.hash;
  const at = hash.indexOf('?');
  return new URLSearchParams(at < 0 ? '' : hash.slice(at + 1));
}

/** The signed-in user, or null. */
export async function currentSession() {
  try {
    const session = await get('/api/session');
    csrfToken = session.csrfToken;
    return session;
  } catch (error) {
    if (error.status === 401) return null;
    throw error;
  }
}

export async function signIn(name, password) {
  const session = await api('POST', '/api/session', { name, password });
  csrfToken = session.csrfToken;
  return session;
}

export async function signOut() {
  try {
    await del('/api/session');
  } finally {
    csrfToken = null;
  }
}

export function query(parameters) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(parameters)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, value);
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
