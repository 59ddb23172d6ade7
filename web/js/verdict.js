// verdict.js - shows a verdict of the core engine: the kind, and every finding with its
// Dutch (or English) text, rule id, source clause and how to fix it.
import { h } from './dom.js';
import { t, tl, label } from './i18n.js';
import { verdictBadge, badge } from './ui.js';
import { ENUM_LABELS } from './model.js';

const SEV_ORDER = { prohibit: 0, block: 1, warn: 2, advise: 3 };

export function txt(x) {
  if (x === null || x === undefined) return '';
  return typeof x === 'object' ? tl(x) : String(x);
}

function finding(f, level, idPrefix, i, compact) {
  const rule = f.rule_id || f.id || '';
  const headId = `${idPrefix}-f-${i}`;
  const title = txt(f.title) || txt(f.message) || rule;
  const msg = txt(f.message);
  return h('article', { class: `finding finding--${f.status || 'unknown'}`, 'aria-labelledby': headId, 'data-rule': rule },
    h(level, { id: headId }, title),
    h('dl', { class: 'meta' },
      h('dt', null, t('finding.rule')), h('dd', null, h('code', null, rule), f.catalogue_id && f.catalogue_id !== rule ? ` (${f.catalogue_id})` : ''),
      h('dt', null, t('finding.status')), h('dd', null, badge('status', f.status), ' ', f.severity ? badge('severity', f.severity) : '', f.in_force === false ? ` (${t('finding.not_in_force')})` : ''),
      msg && msg !== title ? [h('dt', null, t('details')), h('dd', null, msg)] : null,
      !compact && txt(f.explanation) ? [h('dt', null, t('finding.explanation')), h('dd', null, txt(f.explanation))] : null,
      txt(f.source) ? [h('dt', null, t('finding.source')), h('dd', null, txt(f.source))] : null,
      f.status === 'unmet' && txt(f.remedy) ? [h('dt', null, t('finding.remedy')), h('dd', null, txt(f.remedy))] : null));
}

// opts: {headingLevel: 'h2', id: 'verdict', compact: false}
export function renderVerdict(v, opts = {}) {
  const level = opts.headingLevel || 'h2';
  const sub = level === 'h2' ? 'h3' : 'h4';
  const subsub = level === 'h2' ? 'h4' : 'h5';
  const id = opts.id || 'verdict';
  const kind = v && v.kind;
  const box = h('div', { class: `verdict verdict--${kind || 'unknown'}`, id, 'data-verdict': kind || '' },
    h(level, { id: `${id}-title` }, opts.title || t('app.verdict'), ': ', verdictBadge(kind)),
    v && v.environment ? h('p', null, t('app.verdict.for', { env: tl(ENUM_LABELS[v.environment]) || v.environment, date: v.eval_date || '', policy: v.policy_version || '' })) : null);
  if (!v) return box;
  const unmet = v.findings.filter((f) => f.status === 'unmet')
    .sort((a, b) => (SEV_ORDER[a.severity] ?? 9) - (SEV_ORDER[b.severity] ?? 9));
  const other = v.findings.filter((f) => f.status !== 'unmet');
  box.append(h(sub, { id: `${id}-unmet` }, t('app.findings.unmet', { n: unmet.length })));
  if (unmet.length) box.append(h('div', { class: 'findings', 'aria-labelledby': `${id}-unmet`, role: 'group' }, unmet.map((f, i) => finding(f, subsub, `${id}-u`, i, opts.compact))));
  else box.append(h('p', null, t('app.findings.none')));
  if (!opts.compact && other.length) {
    box.append(h('details', { class: 'findings-other' },
      h('summary', null, t('app.findings.other', { n: other.length })),
      other.map((f, i) => finding(f, subsub, `${id}-o`, i))));
  }
  return box;
}

export function verdictSummary(v) {
  if (!v || !v.kind) return t('verdict.unknown');
  return t('ed.live.summary', { verdict: label('verdict', v.kind), n: v.findings.filter((f) => f.status === 'unmet').length });
}

export { verdictBadge };
