// data.js - reading the register: lists with paging, verdicts, and small derived figures
// used by several pages.
import * as api from './api.js';

export const EU_EEA = new Set(['AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'EL', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU', 'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE', 'IS', 'LI', 'NO']);
export const ADVICE_ROLES = ['cio_office', 'ciso', 'fg', 'jurist', 'procurement'];

// Every item of a list endpoint (follows limit/offset; at most 20000 items).
export async function listAll(path, ...keys) {
  const out = [];
  let offset = 0;
  for (;;) {
    const sep = path.includes('?') ? '&' : '?';
    const d = await api.get(`${path}${sep}limit=1000&offset=${offset}`);
    const it = api.items(d, ...keys);
    out.push(...it);
    const total = d && typeof d.total === 'number' ? d.total : out.length;
    if (it.length === 0 || out.length >= total || out.length >= 20000) break;
    offset = out.length;
  }
  return out;
}

// Runs fn over items with at most n in flight; keeps order; a failure becomes {error}.
export async function pool(items, n, fn) {
  const out = new Array(items.length);
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const i = next++;
      try { out[i] = await fn(items[i], i); } catch (error) { out[i] = { error }; }
    }
  }
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

export function content(obj) {
  return (obj && typeof obj.content === 'object' && obj.content) || {};
}

export function normVerdict(v) {
  if (!v || typeof v !== 'object') return null;
  const inner = v.verdict && typeof v.verdict === 'object' ? v.verdict : v;
  const KINDS = ['allowed', 'exploration_only', 'not_allowed', 'prohibited'];
  const kind = typeof inner.verdict === 'string' ? inner.verdict : KINDS.includes(inner.kind) ? inner.kind : null;
  return {
    kind,
    permits: inner.permits,
    summary: inner.summary || null,
    environment: inner.environment || '',
    eval_date: inner.eval_date || inner.date || '',
    policy_version: inner.policy_version || inner.policy || '',
    findings: (Array.isArray(inner.findings) ? inner.findings : []).map((f) => ({ ...f, rule_id: f.rule_id || f.rule || f.id, catalogue_id: f.catalogue_id || f.catalogue })),
    derived: inner.derived || {},
    raw: v,
  };
}

export async function verdictOf(id, query = '') {
  return normVerdict(await api.get(`/applications/${api.enc(id)}/verdict${query}`));
}

export function requiredRoles(verdict) {
  const r = verdict && verdict.derived && verdict.derived.roles;
  return (r && Array.isArray(r.required) && r.required) || [];
}

export function missingRoles(verdict) {
  const r = verdict && verdict.derived && verdict.derived.roles;
  return (r && Array.isArray(r.missing) && r.missing) || [];
}

// The advice content of an advice object (role, outcome, conditions, by, date).
export function adviceContent(a) {
  const c = content(a);
  return { role: c.role || a.role, outcome: c.outcome || a.outcome, conditions: c.conditions || a.conditions || '', by: c.by || a.created_by || '', date: c.date || a.created_at || '' };
}
