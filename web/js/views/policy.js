// views/policy.js - the policy versions the register knows, and the difference in verdicts
// per application between two versions (shown for the two newest when a new one is loaded).
import { h, clear, announce, fmtDateTime } from '../dom.js';
import { t } from '../i18n.js';
import * as api from '../api.js';
import { listAll, pool, content, verdictOf } from '../data.js';
import { table, pageTitle, field, verdictBadge, notice, errorText } from '../ui.js';

function versionOf(p) {
  const c = content(p);
  return p.version || c.version || p.id;
}

export async function renderPolicy(main, params, ctx) {
  pageTitle(main, t('pol.title'));
  const policies = await listAll('/policies', 'policies');
  const sorted = [...policies].sort((a, b) => String(b.recorded_at || b.created_at || '').localeCompare(String(a.recorded_at || a.created_at || '')));
  const current = sorted.find((p) => p.current || content(p).current) || sorted[0];

  main.append(h('section', { 'aria-labelledby': 'pol-versions' }, h('h2', { id: 'pol-versions' }, t('pol.versions')),
    table(null, [t('version'), t('pol.loaded'), t('state')],
      sorted.map((p) => [versionOf(p), fmtDateTime(p.recorded_at || p.created_at || ''), p === current ? t('pol.current') : '']), { id: 'policies-table' })));

  const diffSec = h('section', { 'aria-labelledby': 'pol-diff' }, h('h2', { id: 'pol-diff' }, t('pol.diff')));
  main.append(diffSec);
  if (sorted.length < 2) { diffSec.append(h('p', null, t('pol.diff.one'))); return; }
  const opts = sorted.map((p) => [versionOf(p), versionOf(p)]);
  // By default: from the newest other version to the current one.
  const previous = sorted.find((p) => p !== current);
  const from = field({ path: 'from', id: 'diff-from', type: 'select', label: t('pol.diff.from'), placeholder: false, value: versionOf(previous), options: opts });
  const to = field({ path: 'to', id: 'diff-to', type: 'select', label: t('pol.diff.to'), placeholder: false, value: versionOf(current), options: opts });
  const out = h('div', { id: 'diff-result' });
  const form = h('form', { id: 'diff-form', class: 'filters', novalidate: true }, from, to, h('div', { class: 'form-field' }, h('button', { type: 'submit', class: 'button' }, t('pol.diff.submit'))));
  diffSec.append(form, out);

  async function run() {
    clear(out).append(h('p', null, t('loading')));
    const apps = await listAll('/applications', 'applications');
    const q = (v) => `?policy=${encodeURIComponent(v)}`;
    const rows = await pool(apps, 4, async (a) => {
      const [va, vb] = await Promise.all([verdictOf(a.id, q(from.control.value)), verdictOf(a.id, q(to.control.value))]);
      return { a, va, vb };
    });
    const ok = rows.filter((r) => !r.error);
    const changed = ok.filter((r) => (r.va && r.va.kind) !== (r.vb && r.vb.kind));
    clear(out);
    const summary = t('pol.diff.changed', { n: changed.length, total: ok.length });
    out.append(h('p', { role: 'status' }, summary));
    if (rows.length !== ok.length) out.append(notice(errorText(rows.find((r) => r.error).error), 'bad'));
    out.append(table(null, [t('name'), from.control.value, to.control.value, t('pol.diff.column')],
      ok.map(({ a, va, vb }) => {
        const diff = (va && va.kind) !== (vb && vb.kind);
        return [h('a', { href: `/applicaties/${encodeURIComponent(a.id)}`, 'data-link': true, class: diff ? 'diff-changed' : null, 'data-app': a.id }, content(a).name || a.id),
          verdictBadge(va && va.kind), verdictBadge(vb && vb.kind), diff ? t('pol.diff.different') : t('pol.diff.same')];
      }), { id: 'diff-table' }));
    announce(summary);
  }
  form.addEventListener('submit', (ev) => { ev.preventDefault(); run(); });
  await run();
}
