// views/dashboard.js - the organisation at a glance: applications by verdict and state,
// advice waiting for me, what expires within 60 days, ended explorations, AI literacy,
// open-source and European models, gateway usage.
import { h } from '../dom.js';
import { t, label } from '../i18n.js';
import * as api from '../api.js';
import { listAll, pool, content, verdictOf, requiredRoles, adviceContent, EU_EEA, ADVICE_ROLES } from '../data.js';
import { table, pageTitle, verdictBadge, badge, today, daysBetween, literacyView } from '../ui.js';

const VERDICTS = ['allowed', 'exploration_only', 'not_allowed', 'prohibited'];
const STATES = ['draft', 'submitted', 'advised', 'approved', 'rejected', 'in_use', 'review_due', 'needs_reassessment', 'retired'];

function section(id, title, ...body) {
  const wide = id === 'dash-literacy' || id === 'dash-expiring';
  return h('section', { class: wide ? 'card card--wide' : 'card', 'aria-labelledby': id }, h('h2', { id }, title), ...body);
}

function appLink(app) {
  const c = content(app);
  return h('a', { href: `/applicaties/${encodeURIComponent(app.id)}`, 'data-link': true }, c.name || app.id);
}

export async function renderDashboard(main, params, ctx) {
  const org = (ctx.me.organisation && (ctx.me.organisation.name || ctx.me.organisation.id)) || '';
  pageTitle(main, t('dash.title'));
  main.append(h('p', null, t('dash.intro', { org })));
  const now = today();
  const myAdviceRoles = ctx.me.roles.filter((r) => ADVICE_ROLES.includes(r));

  const [apps, agreements, literacy, usage] = await Promise.all([
    listAll('/applications', 'applications'),
    listAll('/agreements', 'agreements').catch(() => []),
    api.get('/literacy').catch((e) => ({ error: e })),
    gatewayUsage(ctx).catch((e) => ({ error: e })),
  ]);
  const verdicts = await pool(apps, 4, (a) => verdictOf(a.id));
  const waitingApps = apps.filter((a) => ['submitted', 'advised'].includes(a.state));
  const advice = myAdviceRoles.length ? await pool(waitingApps, 4, (a) => listAll(`/applications/${api.enc(a.id)}/advice`, 'advice')) : [];

  // Counts by verdict and state.
  const byVerdict = Object.fromEntries(VERDICTS.map((v) => [v, 0]));
  let undetermined = 0;
  verdicts.forEach((v) => { if (v && v.kind && v.kind in byVerdict) byVerdict[v.kind]++; else undetermined++; });
  const byState = {};
  for (const a of apps) byState[a.state || 'draft'] = (byState[a.state || 'draft'] || 0) + 1;
  const stateRows = STATES.filter((s) => byState[s]).map((s) => [badge('state', s), String(byState[s])]);
  for (const s of Object.keys(byState)) if (!STATES.includes(s)) stateRows.push([badge('state', s), String(byState[s])]);

  const grid = h('div', { class: 'cards' });
  grid.append(section('dash-verdict', t('dash.by_verdict'),
    table(null, [t('verdict'), t('dash.count')],
      [...VERDICTS.map((v) => [verdictBadge(v), String(byVerdict[v])]), ...(undetermined ? [[verdictBadge(null), String(undetermined)]] : [])],
      { numeric: [1], id: 'dash-verdict-table' })));
  grid.append(section('dash-state', t('dash.by_state'),
    stateRows.length ? table(null, [t('state'), t('dash.count')], stateRows, { numeric: [1], id: 'dash-state-table' }) : h('p', null, t('apps.none'))));

  // Waiting for my advice: required roles I hold and have not advised in yet.
  const waiting = [];
  waitingApps.forEach((a, i) => {
    const v = verdicts[apps.indexOf(a)];
    const req = requiredRoles(v && !v.error ? v : null);
    const given = new Set((Array.isArray(advice[i]) ? advice[i] : []).map((x) => adviceContent(x).role));
    for (const r of myAdviceRoles) if ((req.length === 0 || req.includes(r)) && !given.has(r)) waiting.push([appLink(a), t('dash.waiting.role', { role: label('role', r) }), badge('state', a.state)]);
  });
  grid.append(section('dash-waiting', t('dash.waiting'),
    waiting.length ? table(null, [t('name'), t('roles'), t('state')], waiting, { id: 'dash-waiting-table' }) : h('p', null, t('dash.waiting.none'))));

  // Expiring within 60 days (and already expired): reviews and agreements.
  const exp = [];
  for (const a of apps) {
    const c = content(a);
    if (c.review_date && daysBetween(now, c.review_date) <= 60 && a.state !== 'retired') exp.push({ date: c.review_date, what: h('span', null, t('dash.expiring.review', { name: '' }), appLink(a)) });
    for (const ag of c.agreements || []) if (ag && ag.valid_until && daysBetween(now, ag.valid_until) <= 60) exp.push({ date: ag.valid_until, what: h('span', null, t('dash.expiring.agreement', { provider: ag.provider || '?', ref: ag.reference || '–' }), ' · ', appLink(a)) });
  }
  for (const ag of agreements) {
    const c = { ...ag, ...content(ag) };
    if (c.valid_until && daysBetween(now, c.valid_until) <= 60) exp.push({ date: c.valid_until, what: h('span', null, t('dash.expiring.agreement', { provider: c.provider || '?', ref: c.reference || ag.id })) });
  }
  exp.sort((x, y) => x.date.localeCompare(y.date));
  grid.append(section('dash-expiring', t('dash.expiring'),
    exp.length ? table(null, [t('date'), t('dash.expiring.what'), t('state')], exp.map((e) => {
      const d = daysBetween(now, e.date);
      return [e.date, e.what, d < 0 ? h('span', { class: 'badge badge--not_allowed' }, t('dash.expiring.expired')) : t('dash.expiring.days', { n: d })];
    }), { id: 'dash-expiring-table' }) : h('p', null, t('dash.expiring.none'))));

  // Ended explorations.
  const ended = apps.filter((a) => {
    const u = content(a).use || {};
    return u.environment === 'exploration' && u.exploration_end && u.exploration_end < now && a.state !== 'retired';
  });
  grid.append(section('dash-explorations', t('dash.explorations'),
    ended.length ? h('ul', null, ended.map((a) => h('li', null, appLink(a), ' – ', t('dash.explorations.ended', { date: content(a).use.exploration_end })))) : h('p', null, t('dash.explorations.none'))));

  // AI literacy coverage.
  grid.append(section('dash-literacy', t('dash.literacy'), literacyView(literacy, 'dash-lit')));

  // Open-source and European models across all applications.
  const models = apps.flatMap((a) => (content(a).models || []).filter((m) => m && typeof m === 'object'));
  const total = models.length;
  const open = models.filter((m) => m.open_source === true).length;
  const eu = models.filter((m) => m.origin_country && EU_EEA.has(String(m.origin_country).toUpperCase())).length;
  const pct = (n) => (total ? Math.round((100 * n) / total) : 0);
  grid.append(section('dash-models', t('dash.models'),
    total ? h('div', null,
      meter('dash-open', t('dash.models.open', { n: open, total, pct: pct(open) }), pct(open)),
      meter('dash-eu', t('dash.models.eu', { n: eu, total, pct: pct(eu) }), pct(eu)))
      : h('p', null, t('dash.models.none'))));

  // Gateway usage per application.
  grid.append(section('dash-usage', t('dash.usage'), usageView(usage, apps)));
  main.append(grid);
}

function meter(id, text, pct) {
  return h('div', { class: 'form-field' },
    h('p', { id }, text),
    h('progress', { class: 'bar', max: '100', value: String(pct), 'aria-labelledby': id }, `${pct}%`));
}

// Gateway usage per application, from the usage records the gateway appends to the audit
// trail (action "usage", kind "application"; docs/gateway.md). Reads at most 10000 entries.
// Roles without access to the audit trail get null (shown as "no data").
const AUDIT_ROLES = ['admin', 'cio_office', 'ciso', 'fg'];
async function gatewayUsage(ctx) {
  if (!ctx.me.roles.some((r) => AUDIT_ROLES.includes(r))) return null;
  const per = {};
  let after = 0;
  for (let pageNo = 0; pageNo < 10; pageNo++) {
    const d = await api.get(`/audit?kind=application&limit=1000&after=${after}`);
    const it = api.items(d, 'entries', 'audit');
    for (const e of it) {
      if (typeof e.seq === 'number' && e.seq > after) after = e.seq;
      if (e.action !== 'usage') continue;
      const x = e.detail || {};
      const u = (per[e.object_id] ||= { requests: 0, blocked: 0, tokens: 0 });
      u.requests++;
      if ((typeof x.status === 'number' && x.status >= 400) || x.code) u.blocked++;
      u.tokens += Number(x.total_tokens || 0) || Number(x.prompt_tokens || 0) + Number(x.completion_tokens || 0);
    }
    if (it.length < 1000) break;
  }
  return per;
}

function usageView(usage, apps) {
  if (!usage || usage.error || !Object.keys(usage).length) return h('p', null, t('dash.usage.none'));
  const names = Object.fromEntries(apps.map((a) => [a.id, content(a).name || a.id]));
  return table(null, [t('name'), t('dash.usage.requests'), t('dash.usage.blocked'), t('dash.usage.tokens')],
    Object.entries(usage).sort((a, b) => b[1].requests - a[1].requests).map(([id, u]) => [
      names[id] ? h('a', { href: `/applicaties/${encodeURIComponent(id)}`, 'data-link': true }, names[id]) : id,
      String(u.requests), String(u.blocked), String(u.tokens)]), { numeric: [1, 2, 3], id: 'dash-usage-table' });
}
