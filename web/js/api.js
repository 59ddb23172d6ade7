// api.js - the only place that talks to the server: the REST API under /api/v1.
// Auth is "Authorization: Bearer <token>", the token kept in sessionStorage.
import { getLang } from './i18n.js';

const BASE = '/api/v1';
const TOKEN_KEY = 'sluis.token';

export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || `HTTP ${status}`);
    this.body = body || null;
    this.status = status;
    this.code = e.code || (status === 0 ? 'network' : 'http_' + status);
    this.requestId = e.request_id || '';
    // One field ("field": "/purpose/description") or several ("fields"/"details": [...]).
    this.fields = [];
    if (e.field) this.fields.push({ path: normPath(e.field), message: e.message || '' });
    for (const f of e.fields || e.details || e.errors || []) {
      if (f && (f.field || f.path)) this.fields.push({ path: normPath(f.field || f.path), message: f.message || f.msg || '' });
    }
  }
}

// "/models/0/name", "models[0].name", "$.models[0].name", "dossier.models.0.name" -> "models.0.name"
export function normPath(p) {
  let s = String(p || '').trim();
  s = s.replace(/^\$\.?/, '').replace(/^#?\//, '').replace(/\//g, '.').replace(/\[(\d+)\]/g, '.$1');
  s = s.replace(/^\.+/, '').replace(/^(content|dossier)\./, '');
  return s;
}

export function getToken() { return sessionStorage.getItem(TOKEN_KEY) || ''; }
export function setToken(t) { if (t) sessionStorage.setItem(TOKEN_KEY, t); else sessionStorage.removeItem(TOKEN_KEY); }

let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) { onUnauthorized = fn; }

export async function request(method, path, body, opts = {}) {
  const headers = { Accept: opts.accept || 'application/json', 'Accept-Language': getLang() };
  const token = opts.token !== undefined ? opts.token : getToken();
  if (token) headers.Authorization = 'Bearer ' + token;
  if (opts.ifMatch !== undefined && opts.ifMatch !== null) headers['If-Match'] = String(opts.ifMatch);
  let payload;
  if (body !== undefined) {
    if (typeof body === 'string') { payload = body; headers['Content-Type'] = opts.contentType || 'text/plain'; }
    else { payload = JSON.stringify(body); headers['Content-Type'] = 'application/json'; }
  }
  const sep = path.includes('?') ? '&' : '?';
  const url = BASE + path + (opts.lang === false ? '' : `${sep}lang=${getLang()}`);
  let res;
  try {
    res = await fetch(url, { method, headers, body: payload, credentials: 'same-origin' });
  } catch (err) {
    throw new ApiError(0, { error: { code: 'network', message: String(err && err.message || err) } });
  }
  const ct = res.headers.get('content-type') || '';
  let data = null;
  if (res.status !== 204) {
    const text = await res.text();
    if (ct.includes('json') && text) {
      try { data = JSON.parse(text); } catch { data = null; }
    } else data = text;
  }
  if (!res.ok) {
    const err = new ApiError(res.status, data && typeof data === 'object' ? data : { error: { message: typeof data === 'string' ? data.slice(0, 300) : '' } });
    if (res.status === 401 && !opts.noAuthRedirect) onUnauthorized(err);
    throw err;
  }
  if (opts.withMeta) return { data, etag: res.headers.get('etag'), status: res.status };
  return data;
}

export const get = (p, o) => request('GET', p, undefined, o);
export const post = (p, b, o) => request('POST', p, b === undefined ? {} : b, o);
export const put = (p, b, o) => request('PUT', p, b, o);
export const patch = (p, b, o) => request('PATCH', p, b, o);
export const del = (p, o) => request('DELETE', p, undefined, o);

// A list response may be a bare array or wrapped: {items: [...]}, {applications: [...]}, ...
export function items(data, ...keys) {
  if (Array.isArray(data)) return data;
  if (!data || typeof data !== 'object') return [];
  for (const k of [...keys, 'items', 'data', 'results']) if (Array.isArray(data[k])) return data[k];
  return [];
}

export const enc = encodeURIComponent;
