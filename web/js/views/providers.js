// views/providers.js - AI providers, models and supplier agreements of the organisation.
import { h, announce } from '../dom.js';
import { t, tl } from '../i18n.js';
import * as api from '../api.js';
import { listAll, content, EU_EEA } from '../data.js';
import { table, pageTitle, field, FormErrors, showApiError, today, daysBetween } from '../ui.js';
import { ENUM_LABELS } from '../model.js';

const yn = (b) => (b === true ? t('yes') : b === false ? t('no') : '–');
const flat = (o) => ({ ...o, ...content(o) });

export async function renderProviders(main, params, ctx) {
  pageTitle(main, t('prov.title'));
  const canWrite = ctx.me.roles.some((r) => ['admin', 'procurement', 'cio_office'].includes(r));
  const [providers, models, agreements] = await Promise.all([
    listAll('/providers', 'providers').catch(() => []),
    listAll('/models', 'models').catch(() => []),
    listAll('/agreements', 'agreements').catch(() => []),
  ]);
  const now = today();

  main.append(h('section', { 'aria-labelledby': 'prov-providers' }, h('h2', { id: 'prov-providers' }, t('prov.providers')),
    providers.length ? table(null, [t('name'), t('id'), t('prov.country'), t('prov.european'), t('prov.open_source')],
      providers.map(flat).map((p) => [p.name || p.id, p.id, p.country || '', yn(p.european ?? (p.country ? EU_EEA.has(String(p.country).toUpperCase()) : undefined)), yn(p.open_source)]), { id: 'providers-table' })
      : h('p', null, t('prov.none'))));

  main.append(h('section', { 'aria-labelledby': 'prov-models' }, h('h2', { id: 'prov-models' }, t('prov.models')),
    models.length ? table(null, [t('name'), t('prov.provider'), t('prov.open_source'), t('prov.country')],
      models.map(flat).map((m) => [m.name || m.id, m.provider || '', yn(m.open_source), m.origin_country || '']), { id: 'models-table' })
      : h('p', null, t('prov.none'))));

  main.append(h('section', { 'aria-labelledby': 'prov-agreements' }, h('h2', { id: 'prov-agreements' }, t('prov.agreements')),
    agreements.length ? table(null, [t('prov.reference'), t('prov.provider'), t('prov.valid_until'), t('prov.topics')],
      agreements.map(flat).map((a) => {
        const d = a.valid_until ? daysBetween(now, a.valid_until) : null;
        return [a.reference || a.id, a.provider || '',
          h('span', null, a.valid_until || '–', d !== null && d < 0 ? h('span', { class: 'badge badge--not_allowed' }, ' ', t('prov.expired')) : d !== null && d <= 60 ? h('span', { class: 'badge badge--warn' }, ' ', t('prov.expires_soon')) : ''),
          [a.data_sharing && `${tl({ nl: 'delen', en: 'sharing' })}: ${tl(ENUM_LABELS[a.data_sharing]) || a.data_sharing}`,
            a.retraining && `${tl({ nl: 'hertrainen', en: 'retraining' })}: ${tl(ENUM_LABELS[a.retraining]) || a.retraining}`,
            a.retention_days !== undefined && `${tl({ nl: 'bewaren', en: 'retention' })}: ${a.retention_days} d`].filter(Boolean).join('; ')];
      }), { id: 'agreements-table' })
      : h('p', null, t('prov.none'))));

  if (!canWrite) return;

  // Add a provider.
  const pId = field({ path: 'id', id: 'provider-id', label: t('id'), required: true, spellcheck: 'false' });
  const pName = field({ path: 'name', id: 'provider-name', label: t('name'), required: true });
  const pCountry = field({ path: 'country', id: 'provider-country', label: t('prov.country'), hint: tl({ nl: 'ISO-code, bijvoorbeeld NL of US.', en: 'ISO code, e.g. NL or US.' }) });
  const pOpen = field({ path: 'open_source', id: 'provider-open', type: 'select', label: t('prov.open_source'), placeholder: t('bool.unknown'), options: [['true', t('yes')], ['false', t('no')]] });
  const pForm = h('form', { id: 'provider-form', novalidate: true, 'aria-labelledby': 'provider-form-title' }, h('h2', { id: 'provider-form-title' }, t('prov.add_provider')), pId, pName, pCountry, pOpen,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button' }, t('add'))));
  const pErr = new FormErrors(pForm);
  pForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    pErr.clear();
    if (!pId.control.value.trim()) pErr.set('id', t('error.required'));
    if (!pName.control.value.trim()) pErr.set('name', t('error.required'));
    if (pErr.list.length) { pErr.show(); return; }
    const body = { id: pId.control.value.trim(), name: pName.control.value.trim() };
    if (pCountry.control.value.trim()) body.country = pCountry.control.value.trim().toUpperCase();
    if (pOpen.control.value) body.open_source = pOpen.control.value === 'true';
    if (body.country) body.european = EU_EEA.has(body.country);
    try { await api.post('/providers', body); announce(t('prov.added', { what: body.name })); await ctx.rerender(); }
    catch (err) { showApiError(pErr, err); }
  });

  // Add an agreement.
  const opts = (vals) => vals.map((v) => [v, tl(ENUM_LABELS[v]) || v]);
  const aRef = field({ path: 'reference', id: 'agreement-reference', label: t('prov.reference'), required: true });
  const aProv = field({ path: 'provider', id: 'agreement-provider', label: t('prov.provider'), required: true, type: providers.length ? 'select' : 'text', options: providers.map(flat).map((p) => [p.id, p.name || p.id]) });
  const aUntil = field({ path: 'valid_until', id: 'agreement-valid-until', label: t('prov.valid_until'), type: 'date' });
  const aShare = field({ path: 'data_sharing', id: 'agreement-data-sharing', type: 'select', label: tl({ nl: 'Delen van gegevens', en: 'Data sharing' }), options: opts(['none', 'subprocessors_only', 'model_improvement', 'unrestricted']) });
  const aRet = field({ path: 'retention_days', id: 'agreement-retention', label: tl({ nl: 'Bewaartermijn (dagen)', en: 'Retention (days)' }), inputmode: 'numeric' });
  const aTrain = field({ path: 'retraining', id: 'agreement-retraining', type: 'select', label: tl({ nl: 'Hertrainen op invoer', en: 'Retraining on input' }), options: opts(['prohibited', 'opt_out', 'allowed', 'unspecified']) });
  const aForm = h('form', { id: 'agreement-form', novalidate: true, 'aria-labelledby': 'agreement-form-title' }, h('h2', { id: 'agreement-form-title' }, t('prov.add_agreement')), aRef, aProv, aUntil, aShare, aRet, aTrain,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button' }, t('add'))));
  const aErr = new FormErrors(aForm);
  aForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    aErr.clear();
    const ref = aRef.control.value.trim();
    if (!ref) aErr.set('reference', t('error.required'));
    if (!aProv.control.value.trim()) aErr.set('provider', t('error.required'));
    const ret = aRet.control.value.trim();
    if (ret && !/^\d+$/.test(ret)) aErr.set('retention_days', t('error.int'));
    if (aErr.list.length) { aErr.show(); return; }
    const body = { id: ref.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').slice(0, 100) || 'agreement', reference: ref, provider: aProv.control.value.trim() };
    if (aUntil.control.value) body.valid_until = aUntil.control.value;
    if (aShare.control.value) body.data_sharing = aShare.control.value;
    if (ret) body.retention_days = Number(ret);
    if (aTrain.control.value) body.retraining = aTrain.control.value;
    try { await api.post('/agreements', body); announce(t('prov.added', { what: ref })); await ctx.rerender(); }
    catch (err) { showApiError(aErr, err); }
  });
  main.append(pForm, aForm);
}
