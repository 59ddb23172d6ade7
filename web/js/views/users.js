// views/users.js - users, AI-literacy training records (with CSV import) and coverage.
import { h, announce } from '../dom.js';
import { t, label } from '../i18n.js';
import * as api from '../api.js';
import { listAll, content } from '../data.js';
import { table, pageTitle, field, fileIntoText, FormErrors, showApiError, rolesText, literacyView } from '../ui.js';

const flat = (o) => ({ ...o, ...content(o) });

export async function renderUsers(main, params, ctx) {
  pageTitle(main, t('users.title'));
  const canImport = ctx.me.roles.some((r) => ['admin', 'cio_office'].includes(r));
  const [users, training, literacy] = await Promise.all([
    listAll('/users', 'users').catch(() => []),
    listAll('/training', 'training').catch(() => []),
    api.get('/literacy').catch(() => null),
  ]);

  main.append(h('section', { 'aria-labelledby': 'users-users' }, h('h2', { id: 'users-users' }, t('users.users')),
    users.length ? table(null, [t('name'), t('id'), t('email'), t('roles')],
      users.map((u) => [u.name || u.id, u.id, u.email || '', rolesText(Array.isArray(u.roles) ? u.roles : [])]), { id: 'users-table' })
      : h('p', null, t('users.none'))));

  main.append(h('section', { 'aria-labelledby': 'users-coverage' }, h('h2', { id: 'users-coverage' }, t('users.coverage')), literacyView(literacy, 'users-lit')));

  main.append(h('section', { 'aria-labelledby': 'users-training' }, h('h2', { id: 'users-training' }, t('users.training')),
    training.length ? table(null, [t('id'), t('users.course'), t('users.level'), t('date'), t('users.valid_until')],
      training.map(flat).map((r) => [r.user_id || r.user || '', r.course || '', r.level ? label('level', r.level) : '', r.date || '', r.valid_until || '']), { id: 'training-table' })
      : h('p', null, t('users.none'))));

  if (!canImport) return;
  const csv = field({ path: 'csv', id: 'training-csv', type: 'textarea', rows: 6, label: t('users.import.csv'), hint: t('users.import.hint'), spellcheck: 'false' });
  const file = fileIntoText({ path: 'file', id: 'training-file', label: t('users.import.file'), accept: '.csv,text/csv' }, csv);
  const form = h('form', { id: 'training-import-form', novalidate: true, 'aria-labelledby': 'training-import-title' },
    h('h2', { id: 'training-import-title' }, t('users.import')), csv, file,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button' }, t('users.import.submit'))));
  const errors = new FormErrors(form);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    errors.clear();
    const text = csv.control.value;
    if (!text.trim()) { errors.set('csv', t('error.required')); errors.show(); return; }
    try {
      await api.request('POST', '/training/import', text, { contentType: 'text/csv' });
      announce(t('users.imported'));
      await ctx.rerender();
      const st = document.getElementById('users-training');
      if (st) { st.tabIndex = -1; st.focus(); }
    } catch (err) {
      // CSV errors name a line, not a JSON field: show them at the CSV box; the text stays.
      err.fields = (err.fields.length ? err.fields : [{ message: err.message }]).map((f) => ({ path: 'csv', message: f.message || err.message }));
      showApiError(errors, err);
    }
  });
  main.append(form);
}
