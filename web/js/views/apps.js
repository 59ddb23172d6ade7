// views/apps.js - the list of applications (filters and search) and the form for a new one.
import { h, clear, announce } from '../dom.js';
import { t, label, tl } from '../i18n.js';
import * as api from '../api.js';
import { listAll, pool, content, verdictOf } from '../data.js';
import { table, pageTitle, verdictBadge, badge, field, FormErrors, showApiError } from '../ui.js';
import { SECTIONS, ENUM_LABELS } from '../model.js';

const STATES = ['draft', 'submitted', 'advised', 'approved', 'rejected', 'in_use', 'review_due', 'needs_reassessment', 'retired'];
const VERDICTS = ['allowed', 'exploration_only', 'not_allowed', 'prohibited'];

export async function renderApps(main, params, ctx) {
  pageTitle(main, t('apps.title'));
  const canCreate = ctx.me.roles.some((r) => r === 'owner' || r === 'admin');
  if (canCreate) main.append(h('p', null, h('a', { class: 'button', href: '/applicaties/nieuw', 'data-link': true, id: 'new-app' }, t('apps.new'))));

  const qs = new URLSearchParams(location.search);
  const search = field({ path: 'q', id: 'apps-q', label: t('apps.search'), type: 'search', value: qs.get('q') || '' });
  const state = field({ path: 'state', id: 'apps-state', label: t('state'), type: 'select', placeholder: t('filter.all'), value: qs.get('status') || '', options: STATES.map((s) => [s, label('state', s)]) });
  const verdict = field({ path: 'verdict', id: 'apps-verdict', label: t('verdict'), type: 'select', placeholder: t('filter.all'), value: qs.get('oordeel') || '', options: VERDICTS.map((v) => [v, label('verdict', v)]) });
  const filters = h('form', { class: 'filters', role: 'search', 'aria-label': t('search'), onsubmit: (e) => e.preventDefault() }, search, state, verdict);
  const status = h('p', { id: 'apps-count', role: 'status' });
  const host = h('div', { id: 'apps-table-host' });
  main.append(filters, status, host);

  const apps = await listAll('/applications', 'applications');
  const verdicts = await pool(apps, 4, (a) => verdictOf(a.id));
  const rows = apps.map((a, i) => ({ app: a, c: content(a), verdict: verdicts[i] && !verdicts[i].error ? verdicts[i] : null }));

  function apply(announceIt) {
    const q = search.control.value.trim().toLowerCase();
    const st = state.control.value;
    const vd = verdict.control.value;
    const shown = rows.filter((r) => (!q || `${r.c.name || ''} ${r.app.id} ${(r.c.owner && r.c.owner.name) || ''}`.toLowerCase().includes(q))
      && (!st || r.app.state === st) && (!vd || (r.verdict && r.verdict.kind === vd)));
    clear(host);
    host.append(shown.length ? table(t('apps.caption'), [t('name'), t('id'), t('owner'), t('environment'), t('state'), t('verdict')],
      shown.map((r) => [
        h('a', { href: `/applicaties/${encodeURIComponent(r.app.id)}`, 'data-link': true }, r.c.name || r.app.id),
        r.app.id,
        (r.c.owner && r.c.owner.name) || '',
        r.c.use && r.c.use.environment ? tl(ENUM_LABELS[r.c.use.environment]) || r.c.use.environment : '',
        badge('state', r.app.state || 'draft'),
        verdictBadge(r.verdict && r.verdict.kind),
      ]), { id: 'apps-table' }) : h('p', null, t('apps.none')));
    status.textContent = t('apps.count', { n: shown.length });
    const u = new URLSearchParams();
    if (q) u.set('q', search.control.value.trim());
    if (st) u.set('status', st);
    if (vd) u.set('oordeel', vd);
    history.replaceState({}, '', '/applicaties' + (u.toString() ? '?' + u : ''));
    if (announceIt) announce(status.textContent);
  }
  let timer = null;
  search.control.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => apply(false), 250); });
  state.control.addEventListener('change', () => apply(false));
  verdict.control.addEventListener('change', () => apply(false));
  apply(false);
}

function enumOptions(path) {
  for (const s of SECTIONS) for (const f of s.fields) if (f.path === path) return f.values.map((v) => [v, tl(ENUM_LABELS[v]) || v]);
  return [];
}

export async function renderNewApp(main, params, ctx) {
  pageTitle(main, t('new.title'));
  main.append(h('p', null, t('new.intro')));
  const org = ctx.me.organisation || {};
  const fId = field({ path: 'id', label: tl({ nl: 'Kenmerk (id)', en: 'Identifier (id)' }), hint: tl({ nl: 'Kleine letters, cijfers en streepjes, bijvoorbeeld utrecht-chatbot.', en: 'Lower-case letters, digits and hyphens, e.g. utrecht-chatbot.' }), required: true, spellcheck: 'false' });
  const fName = field({ path: 'name', label: tl({ nl: 'Naam van de toepassing', en: 'Name of the application' }), required: true });
  const fKind = field({ path: 'use.kind', type: 'select', label: tl({ nl: 'Soort inzet', en: 'Kind of use' }), required: true, options: enumOptions('use.kind') });
  const fEnv = field({ path: 'use.environment', type: 'select', label: tl({ nl: 'Gevraagde omgeving', en: 'Requested environment' }), required: true, options: enumOptions('use.environment') });
  const form = h('form', { id: 'new-app-form', novalidate: true }, fId, fName, fKind, fEnv,
    h('div', { class: 'actions' }, h('button', { class: 'button', type: 'submit' }, t('new.submit')),
      h('a', { href: '/applicaties', 'data-link': true }, t('cancel'))));
  const errors = new FormErrors(form);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    errors.clear();
    const id = fId.control.value.trim();
    const name = fName.control.value.trim();
    if (!id) errors.set('id', t('error.required'));
    else if (!/^[a-z0-9-]{1,64}$/.test(id)) errors.set('id', t('error.pattern') + ' ' + tl({ nl: 'Gebruik kleine letters, cijfers en streepjes (hoogstens 64).', en: 'Use lower-case letters, digits and hyphens (at most 64).' }));
    if (!name) errors.set('name', t('error.required'));
    if (!fKind.control.value) errors.set('use.kind', t('error.required'));
    if (!fEnv.control.value) errors.set('use.environment', t('error.required'));
    if (errors.list.length) { errors.show(); return; }
    const user = ctx.me.user || {};
    const dossier = {
      sluis_dossier: 1, id, name,
      organisation: { name: org.name || org.id || '', layer: org.layer || 'gemeente' },
      owner: { name: user.name || user.id || '', ...(user.email ? { email: user.email } : {}) },
      use: { kind: fKind.control.value, environment: fEnv.control.value },
    };
    try {
      await api.post('/applications', dossier);
      announce(t('new.created', { name }));
      ctx.navigate(`/applicaties/${encodeURIComponent(id)}/dossier`);
    } catch (err) {
      showApiError(errors, err);
    }
  });
  main.append(form);
}
