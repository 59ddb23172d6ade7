// views/org.js - the organisation: its details, its advice-role matrix (the default of the
// standpunt, overridable per organisation), and its own policy files (upload with errors at
// line:column, activate, deactivate). Everyone in the organisation reads; the admin changes.
import { h, announce, fmtDateTime } from '../dom.js';
import { t, tl, label } from '../i18n.js';
import * as api from '../api.js';
import { listAll, ADVICE_ROLES } from '../data.js';
import { table, pageTitle, field, fileIntoText, FormErrors, showApiError, notice, errorText } from '../ui.js';
import { parseYaml } from '../yaml.js';
import { ENUM_LABELS } from '../model.js';

const LAYERS = ['rijk', 'gemeente', 'provincie', 'waterschap', 'zbo', 'other'];

// The base policy's advice roles: id -> {title, when}. Empty when the source cannot be read
// (the page then shows the override column only).
async function baseRoles(policies) {
  const base = policies.find((p) => p.kind === 'base' && p.current) || policies.find((p) => p.kind === 'base');
  const out = {};
  if (!base) return out;
  try {
    const full = await api.get(`/policies/${api.enc(base.id)}`);
    const doc = parseYaml(String(full.source || ''));
    for (const r of (doc && Array.isArray(doc.roles) ? doc.roles : [])) {
      if (r && r.id) out[r.id] = { title: r.title, when: r.advice_required_when };
    }
  } catch { /* shown without defaults */ }
  return out;
}

// A policy upload's errors ({line, column, message}) as field messages at the text box.
function policyErrors(err) {
  const list = (err.body && err.body.error && Array.isArray(err.body.error.errors)) ? err.body.error.errors : [];
  if (!list.length) return [{ path: 'policy_source', message: err.message }];
  return list.map((e) => ({
    path: 'policy_source',
    message: e.line ? t('org.files.at', { line: e.line, column: e.column || 1, msg: e.message }) : e.message,
    line: e.line, column: e.column,
  }));
}

// Puts the caret at line:column of a textarea so the first error can be fixed at once.
function caretTo(area, line, column) {
  const lines = area.value.split('\n');
  let pos = 0;
  for (let i = 0; i < Math.min(line - 1, lines.length); i++) pos += lines[i].length + 1;
  pos += Math.max(0, (column || 1) - 1);
  area.setSelectionRange(pos, pos);
}

export async function renderOrg(main, params, ctx) {
  pageTitle(main, t('org.title'));
  const orgId = ctx.me.organisation && ctx.me.organisation.id;
  const isAdmin = ctx.me.roles.includes('admin');
  const [orgMeta, policies] = await Promise.all([
    api.get(`/organisations/${api.enc(orgId)}`, { withMeta: true }),
    listAll('/policies', 'policies'),
  ]);
  const org = orgMeta.data || {};
  const roles = await baseRoles(policies);
  const matrix = (org.role_matrix && typeof org.role_matrix === 'object') ? org.role_matrix : {};

  // Details.
  main.append(h('section', { 'aria-labelledby': 'org-details' }, h('h2', { id: 'org-details' }, t('org.details')),
    h('dl', { class: 'meta', id: 'org-facts' },
      h('dt', null, t('name')), h('dd', null, org.name || ''),
      h('dt', null, t('id')), h('dd', null, org.id || ''),
      h('dt', null, t('org.layer')), h('dd', null, tl(ENUM_LABELS[org.layer]) || org.layer || ''),
      h('dt', null, t('org.created')), h('dd', null, fmtDateTime(org.created_at)),
      h('dt', null, t('org.policy_version')), h('dd', null, h('code', { id: 'org-policy-version' }, org.policy_version || '')))));

  // The advice-role matrix: the default, this organisation's override.
  main.append(h('section', { 'aria-labelledby': 'org-roles' }, h('h2', { id: 'org-roles' }, t('org.roles')),
    h('p', null, t('org.roles.intro')),
    table(null, [t('org.roles.role'), t('org.roles.default'), t('org.roles.override')],
      ADVICE_ROLES.map((r) => [roles[r] ? tl(roles[r].title) || label('role', r) : label('role', r),
        roles[r] && roles[r].when ? h('code', null, roles[r].when) : '–',
        matrix[r] !== undefined ? h('code', null, String(matrix[r])) : t('org.roles.none')]), { id: 'role-matrix-table' })));

  // Own policy files.
  const files = policies.filter((p) => p.kind === 'organisation' && p.part !== 'role_matrix')
    .sort((a, b) => String(b.recorded_at || '').localeCompare(String(a.recorded_at || '')));
  const filesSec = h('section', { 'aria-labelledby': 'org-files' }, h('h2', { id: 'org-files' }, t('org.files')), h('p', null, t('org.files.intro')));
  main.append(filesSec);
  if (!files.length) filesSec.append(h('p', { id: 'org-files-none' }, t('org.files.none')));
  else {
    filesSec.append(table(null, [t('version'), t('pol.loaded'), t('org.files.by'), t('state'), t('org.files.source'), ...(isAdmin ? [t('org.files.action')] : [])],
      files.map((f) => {
        const src = h('pre', { class: 'code', tabindex: '0', 'aria-label': t('org.files.source_of', { v: f.version }) }, t('loading'));
        const det = h('details', null, h('summary', null, t('org.files.show')), src);
        det.addEventListener('toggle', async () => {
          if (!det.open || det.dataset.loaded) return;
          det.dataset.loaded = '1';
          try { src.textContent = (await api.get(`/policies/${api.enc(f.id)}`)).source || ''; } catch (err) { src.textContent = errorText(err); }
        });
        const row = [h('code', null, f.version), fmtDateTime(f.recorded_at), f.recorded_by || '',
          h('span', { class: `badge badge--${f.active ? 'allowed' : 'neutral'}` }, f.active ? t('org.files.active') : t('org.files.inactive')), det];
        if (isAdmin) {
          const action = f.active ? 'deactivate' : 'activate';
          row.push(h('button', {
            type: 'button', class: 'button button--small button--secondary', 'data-file': f.id, 'data-action': action,
            onclick: async (ev) => {
              const button = ev.currentTarget;
              button.disabled = true;
              try {
                await api.post(`/policies/${api.enc(f.id)}/${action}`);
                await ctx.loadMe();
                await ctx.rerender();
                announce(t(f.active ? 'org.files.deactivated' : 'org.files.activated', { v: f.version }));
              } catch (err) {
                button.disabled = false;
                filesSec.append(notice(errorText(err), 'bad'));
              }
            },
          }, t(f.active ? 'org.files.deactivate' : 'org.files.activate'), h('span', { class: 'visually-hidden' }, ` ${f.version}`)));
        }
        return row;
      }), { id: 'org-files-table' }));
  }

  if (!isAdmin) return;

  // Change name and layer.
  const fName = field({ path: 'name', id: 'org-name', label: t('name'), required: true, value: org.name || '' });
  const fLayer = field({ path: 'layer', id: 'org-layer', type: 'select', label: t('org.layer'), required: true, value: org.layer || '', options: LAYERS.map((l) => [l, tl(ENUM_LABELS[l]) || l]) });
  const detailsForm = h('form', { id: 'org-form', novalidate: true, 'aria-labelledby': 'org-form-title' },
    h('h2', { id: 'org-form-title' }, t('org.edit')), fName, fLayer,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button' }, t('save'))));
  const dErr = new FormErrors(detailsForm);

  // Override the role matrix: one condition per advice role; empty = the default.
  const roleFields = ADVICE_ROLES.map((r) => field({
    path: `role_matrix.${r}`, id: `role-matrix-${r}`, label: roles[r] ? tl(roles[r].title) || label('role', r) : label('role', r),
    hint: roles[r] && roles[r].when ? t('org.roles.hint', { when: roles[r].when }) : t('org.roles.hint.none'),
    value: matrix[r] !== undefined ? String(matrix[r]) : '', spellcheck: 'false',
  }));
  const matrixForm = h('form', { id: 'role-matrix-form', novalidate: true, 'aria-labelledby': 'role-matrix-form-title' },
    h('h2', { id: 'role-matrix-form-title' }, t('org.roles.edit')), h('p', null, t('org.roles.edit.intro')), roleFields,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button' }, t('save'))));
  const mErr = new FormErrors(matrixForm);

  // PUT the organisation; role_matrix only when given (left out keeps the current override).
  async function saveOrg(body, errors, done) {
    errors.clear();
    try {
      await api.put(`/organisations/${api.enc(orgId)}`, body, { ifMatch: orgMeta.etag });
      await ctx.loadMe();
      await ctx.rerender();
      announce(done);
    } catch (err) { showApiError(errors, err); }
  }
  detailsForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    dErr.clear();
    const name = fName.control.value.trim();
    if (!name) { dErr.set('name', t('error.required')); dErr.show(); return; }
    saveOrg({ name, layer: fLayer.control.value }, dErr, t('org.saved'));
  });
  matrixForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const rm = {};
    ADVICE_ROLES.forEach((r, i) => {
      const v = roleFields[i].control.value.trim();
      if (v) rm[r] = v;
    });
    saveOrg({ name: org.name, layer: org.layer, role_matrix: rm }, mErr, t('org.roles.saved'));
  });

  // Upload an own policy file.
  const src = field({ path: 'policy_source', id: 'policy-source', type: 'textarea', rows: 14, label: t('org.files.yaml'), hint: t('org.files.yaml.hint'), spellcheck: 'false' });
  const file = fileIntoText({ path: 'policy_file', id: 'policy-file', label: t('org.files.file'), accept: '.yaml,.yml,application/yaml,text/yaml' }, src);
  const activate = h('input', { type: 'checkbox', id: 'policy-activate', checked: true });
  const uploadForm = h('form', { id: 'policy-upload-form', novalidate: true, 'aria-labelledby': 'policy-upload-title' },
    h('h2', { id: 'policy-upload-title' }, t('org.files.upload')), src, file,
    h('div', { class: 'form-field' }, h('ul', { class: 'checks' }, h('li', null, activate, h('label', { for: 'policy-activate' }, t('org.files.activate_now'))))),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button' }, t('org.files.upload.submit'))));
  const uErr = new FormErrors(uploadForm);
  uploadForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    uErr.clear();
    const text = src.control.value;
    if (!text.trim()) { uErr.set('policy_source', t('error.required')); uErr.show(); return; }
    try {
      const q = activate.checked ? '' : '?activate=false';
      const stored = await api.request('POST', `/policies${q}`, text, { contentType: 'application/yaml' });
      await ctx.loadMe();
      await ctx.rerender();
      announce(t('org.files.uploaded', { v: stored.version || stored.id }));
    } catch (err) {
      // Lint errors name a line and column, not a JSON field: all of them go to the text box,
      // the caret to the first one; the text stays as typed.
      const errs = policyErrors(err);
      err.fields = errs;
      showApiError(uErr, err);
      if (errs[0].line) caretTo(src.control, errs[0].line, errs[0].column);
    }
  });
  main.append(detailsForm, matrixForm, uploadForm);
}
