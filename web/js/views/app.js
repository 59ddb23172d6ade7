// views/app.js - one application: details, the verdict with every finding, the workflow
// (submit, advise in my role, decide as owner, change state), advice, decision history and
// the audit trail.
import { h, clear, announce, fmtDateTime } from '../dom.js';
import { t, tl, label } from '../i18n.js';
import * as api from '../api.js';
import { listAll, content, verdictOf, requiredRoles, missingRoles, adviceContent, ADVICE_ROLES } from '../data.js';
import { table, pageTitle, badge, field, choiceGroup, choiceValue, FormErrors, showApiError, notice, errorText, rolesText } from '../ui.js';
import { renderVerdict, txt } from '../verdict.js';
import { ENUM_LABELS } from '../model.js';
import { toYaml } from '../yaml.js';

const TRANSITIONS = { approved: ['in_use', 'retired'], in_use: ['review_due', 'retired'], review_due: ['in_use', 'retired'] };

export function downloadYaml(dossier, id) {
  const blob = new Blob([toYaml(dossier)], { type: 'application/yaml' });
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: `${id || 'dossier'}.yaml`, hidden: true });
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(url); a.remove(); }, 1000);
}

function auditRows(entries) {
  return entries.map((e) => [
    fmtDateTime(e.at || e.ts || e.time || e.created_at || ''),
    e.actor || e.user_id || '',
    e.action || '',
    `${e.kind || ''}${e.object_id ? ' ' + e.object_id : ''}`,
    h('code', null, String(e.hash || e.entry_hash || e.hash_after || '').slice(0, 16)),
  ]);
}

export async function renderApp(main, [id], ctx) {
  const obj = await api.get(`/applications/${api.enc(id)}`);
  const c = content(obj);
  pageTitle(main, c.name || obj.id);
  const roles = ctx.me.roles;
  const isOwner = roles.includes('owner');
  const canEdit = isOwner || roles.includes('admin');
  const myAdvice = roles.filter((r) => ADVICE_ROLES.includes(r));

  const [verdict, advice, decision, audit, literacy] = await Promise.all([
    verdictOf(id).catch((e) => ({ error: e })),
    listAll(`/applications/${api.enc(id)}/advice`, 'advice').catch(() => []),
    api.get(`/applications/${api.enc(id)}/decision`).catch(() => null),
    listAll(`/applications/${api.enc(id)}/audit`, 'entries', 'audit').catch((e) => ({ error: e })),
    api.get(`/applications/${api.enc(id)}/literacy`).catch(() => null),
  ]);
  const v = verdict && !verdict.error ? verdict : null;

  main.append(h('section', { 'aria-labelledby': 'app-meta' },
    h('h2', { id: 'app-meta', class: 'visually-hidden' }, t('app.meta')),
    h('dl', { class: 'meta' },
      h('dt', null, t('state')), h('dd', { id: 'app-state' }, badge('state', obj.state || 'draft')),
      h('dt', null, t('id')), h('dd', null, obj.id),
      h('dt', null, t('owner')), h('dd', null, (c.owner && [c.owner.name, c.owner.function].filter(Boolean).join(', ')) || ''),
      h('dt', null, tl({ nl: 'Soort inzet', en: 'Kind of use' })), h('dd', null, c.use && c.use.kind ? tl(ENUM_LABELS[c.use.kind]) || c.use.kind : ''),
      h('dt', null, t('environment')), h('dd', null, c.use && c.use.environment ? tl(ENUM_LABELS[c.use.environment]) || c.use.environment : ''),
      h('dt', null, t('version')), h('dd', null, String(obj.version ?? '')),
      h('dt', null, t('updated')), h('dd', null, fmtDateTime(obj.updated_at)))),
  h('div', { class: 'actions' },
    canEdit ? h('a', { class: 'button', href: `/applicaties/${encodeURIComponent(id)}/dossier`, 'data-link': true, id: 'edit-dossier' }, t('app.edit')) : null,
    h('button', { type: 'button', class: 'button button--secondary', id: 'export-yaml', onclick: () => downloadYaml(c, obj.id) }, t('app.export'))));

  // Verdict.
  if (verdict && verdict.error) main.append(notice(t('app.verdict.unavailable', { msg: errorText(verdict.error) }), 'bad'));
  else main.append(renderVerdict(v, { id: 'verdict' }));

  // Workflow.
  const wf = h('section', { 'aria-labelledby': 'wf-title', id: 'workflow' }, h('h2', { id: 'wf-title' }, t('app.workflow')));
  const req = requiredRoles(v);
  const missing = missingRoles(v);
  if (req.length) wf.append(h('p', { id: 'required-roles' }, t('app.required_roles', { roles: rolesText(req) })));
  if (missing.length) wf.append(h('p', { id: 'missing-roles' }, t('app.missing_roles', { roles: rolesText(missing) })));
  let actions = 0;
  const state = obj.state || 'draft';
  // After a workflow step the page is drawn anew; focus goes to the workflow heading.
  const reload = () => ctx.rerender().then(() => {
    const s = document.getElementById('wf-title');
    if (s) { s.tabIndex = -1; s.focus(); }
  });

  if (canEdit && (state === 'draft' || state === 'needs_reassessment')) {
    actions++;
    const form = h('form', { id: 'submit-form', novalidate: true }, h('p', null, t('app.submit.hint')),
      h('div', { class: 'actions' }, h('button', { class: 'button', type: 'submit', id: 'submit-app' }, t('app.submit'))));
    const errors = new FormErrors(form);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      errors.clear();
      try { await api.post(`/applications/${api.enc(id)}/submit`, {}); announce(t('app.submitted')); await reload(); focusStatus(); }
      catch (err) { showApiError(errors, err); }
    });
    wf.append(form);
  }

  if (myAdvice.length && (state === 'submitted' || state === 'advised')) {
    actions++;
    const given = new Set(advice.filter((a) => adviceContent(a).by === ctx.me.user.id || a.created_by === ctx.me.user.id).map((a) => adviceContent(a).role));
    const order = [...myAdvice].sort((a, b) => (given.has(a) - given.has(b)) || ((req.includes(b)) - (req.includes(a))));
    const fRole = field({ path: 'role', id: 'advice-role', type: 'select', label: t('app.advise.role'), required: true, placeholder: false, value: order[0], options: order.map((r) => [r, label('role', r)]) });
    const fOutcome = choiceGroup({ path: 'outcome', id: 'advice-outcome', label: t('app.advise.outcome'), options: ['positive', 'positive_with_conditions', 'negative'].map((o) => [o, label('outcome', o)]) });
    const fCond = field({ path: 'conditions', id: 'advice-conditions', type: 'textarea', label: t('app.advise.conditions') });
    const form = h('form', { id: 'advice-form', novalidate: true, 'aria-labelledby': 'advice-title' }, h('h3', { id: 'advice-title' }, t('app.advise')), fRole, fOutcome, fCond,
      h('div', { class: 'actions' }, h('button', { class: 'button', type: 'submit' }, t('app.advise.submit'))));
    const errors = new FormErrors(form);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      errors.clear();
      const outcome = choiceValue(fOutcome);
      if (!outcome) { errors.set('outcome', t('error.required')); errors.show(); return; }
      const body = { role: fRole.control.value, outcome };
      if (fCond.control.value.trim()) body.conditions = fCond.control.value;
      try {
        await api.post(`/applications/${api.enc(id)}/advice`, body);
        announce(t('app.advised', { role: label('role', body.role) }));
        await reload();
        focusStatus();
      } catch (err) { showApiError(errors, err); }
    });
    wf.append(form);
  }

  if (isOwner && (state === 'submitted' || state === 'advised')) {
    actions++;
    const fOutcome = choiceGroup({ path: 'outcome', id: 'decision-outcome', label: t('app.decide.outcome'), options: ['approved', 'rejected'].map((o) => [o, label('outcome', o)]) });
    const envs = ['exploration', 'pilot', 'production'];
    const fEnv = field({ path: 'environment', id: 'decision-environment', type: 'select', label: t('app.decide.environment'), required: true, placeholder: false, value: (c.use && c.use.environment) || 'pilot', options: envs.map((e) => [e, tl(ENUM_LABELS[e])]) });
    const fCond = field({ path: 'conditions', id: 'decision-conditions', type: 'textarea', label: t('app.decide.conditions') });
    const form = h('form', { id: 'decision-form', novalidate: true, 'aria-labelledby': 'decision-title' }, h('h3', { id: 'decision-title' }, t('app.decide')), fOutcome, fEnv, fCond,
      h('div', { class: 'actions' }, h('button', { class: 'button', type: 'submit' }, t('app.decide.submit'))));
    const errors = new FormErrors(form);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      errors.clear();
      const outcome = choiceValue(fOutcome);
      if (!outcome) { errors.set('outcome', t('error.required')); errors.show(); return; }
      const body = { outcome, environment: fEnv.control.value };
      if (fCond.control.value.trim()) body.conditions = fCond.control.value;
      try {
        await api.post(`/applications/${api.enc(id)}/decision`, body);
        announce(t('app.decided'));
        await reload();
        focusStatus();
      } catch (err) {
        if (err.status === 422 && err.body && Array.isArray(err.body.error && err.body.error.findings || err.body.findings)) {
          const fs = (err.body.error && err.body.error.findings) || err.body.findings;
          errors.set('outcome', t('app.decide.refused'));
          for (const f of fs) errors.list.push({ path: '', message: `${f.rule_id || ''}: ${txt(f.message) || txt(f.title)}`, el: null });
          errors.show(t('app.decide.refused'));
        } else showApiError(errors, err);
      }
    });
    wf.append(form);
  }

  if (canEdit && (TRANSITIONS[state] || (state !== 'retired' && state))) {
    const targets = TRANSITIONS[state] || ['retired'];
    actions++;
    const fTo = field({ path: 'to', id: 'transition-to', type: 'select', label: t('app.transition.to'), required: true, placeholder: false, options: targets.map((s) => [s, label('state', s)]) });
    const form = h('form', { id: 'transition-form', novalidate: true, 'aria-labelledby': 'transition-title' }, h('h3', { id: 'transition-title' }, t('app.transition')), fTo,
      h('div', { class: 'actions' }, h('button', { class: 'button button--secondary', type: 'submit' }, t('app.transition.submit'))));
    const errors = new FormErrors(form);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      errors.clear();
      try { await api.post(`/applications/${api.enc(id)}/transition`, { to: fTo.control.value }); announce(t('app.transitioned')); await reload(); focusStatus(); }
      catch (err) { showApiError(errors, err); }
    });
    wf.append(form);
  }
  if (!actions) wf.append(h('p', null, t('app.no_actions')));
  main.append(wf);

  // Advice.
  main.append(h('section', { 'aria-labelledby': 'advice-list-title' }, h('h2', { id: 'advice-list-title' }, t('app.advice')),
    advice.length ? table(null, [t('roles'), t('app.advise.outcome'), t('actor'), t('date'), t('app.advise.conditions')],
      advice.map((a) => { const x = adviceContent(a); return [label('role', x.role), badge('outcome', x.outcome), x.by, fmtDateTime(x.date), x.conditions]; }), { id: 'advice-table' })
      : h('p', null, t('app.advice.none'))));

  // Decision and history.
  const d = decision && (decision.content || decision);
  main.append(h('section', { 'aria-labelledby': 'decision-view-title' }, h('h2', { id: 'decision-view-title' }, t('app.decision')),
    d && d.outcome ? h('dl', { class: 'meta', id: 'decision-view' },
      h('dt', null, t('app.decide.outcome')), h('dd', null, badge('outcome', d.outcome)),
      h('dt', null, t('environment')), h('dd', null, tl(ENUM_LABELS[d.environment]) || d.environment || ''),
      h('dt', null, t('actor')), h('dd', null, d.by || decision.created_by || ''),
      h('dt', null, t('date')), h('dd', null, fmtDateTime(d.date || decision.created_at || '')),
      d.conditions ? [h('dt', null, t('app.decide.conditions')), h('dd', null, d.conditions)] : null,
      d.policy_version ? [h('dt', null, t('nav.policy')), h('dd', null, d.policy_version)] : null)
      : h('p', null, t('app.decision.none'))));

  // Decision history: state changes (from the audit trail), every advice and the decision.
  const entries = Array.isArray(audit) ? audit : [];
  const hist = [];
  for (const e of entries) {
    const d2 = e.detail || {};
    const from = d2.state_from || d2.from;
    const to = d2.state_to || d2.to;
    if (to && from !== to) hist.push({ at: e.ts || e.at || '', actor: e.actor || '', what: t('app.history.state', { from: label('state', from), to: label('state', to) }) });
  }
  for (const a of advice) {
    const x = adviceContent(a);
    hist.push({ at: a.created_at || x.date, actor: x.by, what: h('span', null, t('app.history.advice', { role: label('role', x.role) }), ' ', badge('outcome', x.outcome), x.conditions ? ` – ${x.conditions}` : '') });
  }
  if (d && d.outcome) {
    hist.push({ at: (decision && decision.created_at) || d.date || '', actor: d.by || (decision && decision.created_by) || '', what: h('span', null, t('app.history.decision', { env: tl(ENUM_LABELS[d.environment]) || d.environment || '' }), ' ', badge('outcome', d.outcome)) });
  }
  hist.sort((x, y) => String(x.at).localeCompare(String(y.at)));
  main.append(h('section', { 'aria-labelledby': 'history-title' }, h('h2', { id: 'history-title' }, t('app.history')),
    hist.length ? table(null, [t('date'), t('actor'), t('action')], hist.map((x) => [fmtDateTime(x.at), x.actor, x.what]), { id: 'history-table' })
      : h('p', null, t('app.history.none'))));

  main.append(h('section', { 'aria-labelledby': 'audit-title' }, h('h2', { id: 'audit-title' }, t('app.audit')),
    audit && audit.error ? h('p', null, errorText(audit.error))
      : entries.length ? table(null, [t('date'), t('actor'), t('action'), t('audit.object'), t('app.audit.hash')], auditRows(entries), { id: 'audit-table' })
        : h('p', null, t('app.audit.none'))));

  if (literacy) {
    const rows = api.items(literacy, 'people', 'users', 'roles');
    if (rows.length) {
      main.append(h('section', { 'aria-labelledby': 'lit-title' }, h('h2', { id: 'lit-title' }, t('app.literacy')),
        table(null, [t('lit.person'), t('lit.required'), t('lit.meeting')], rows.map((r) => [
          r.name || r.user_id || r.id || '', r.required_level ? label('level', r.required_level) : '–',
          r.meets === true || r.meets_role_requirements === true ? t('yes') : r.meets === false || r.meets_role_requirements === false ? t('no') : '–',
        ]), { id: 'app-literacy-table' })));
    }
  }
}

// After a workflow step: tell where the new state is.
function focusStatus() {
  const s = document.getElementById('app-state');
  if (s) announce(`${t('state')}: ${s.textContent}`);
}

export { clear };
