// views/audit.js - the organisation's audit trail and verification of the hash chain.
import { h, clear, announce, fmtDateTime } from '../dom.js';
import { t } from '../i18n.js';
import * as api from '../api.js';
import { table, pageTitle, notice, errorText } from '../ui.js';

export async function renderAudit(main) {
  pageTitle(main, t('audit.title'));
  const result = h('div', { id: 'verify-result', role: 'status' });
  const btn = h('button', { type: 'button', class: 'button', id: 'verify-chain' }, t('audit.verify'));
  btn.addEventListener('click', async () => {
    clear(result);
    try {
      const r = await api.get('/audit/verify');
      const ok = r && (r.ok === true || r.valid === true || r.status === 'ok' || r.intact === true);
      const n = r && (r.entries ?? r.count ?? r.checked ?? '');
      const msg = ok ? t('audit.verified', { n }) : t('audit.broken', { msg: (r && (r.message || r.error || JSON.stringify(r))) || '' });
      result.append(notice(msg, ok ? 'ok' : 'bad'));
      announce(msg);
    } catch (err) {
      result.append(notice(errorText(err), 'bad'));
    }
  });
  main.append(h('div', { class: 'actions' }, btn), result);
  let entries;
  try {
    const d = await api.get('/audit?limit=200');
    entries = api.items(d, 'entries', 'audit');
  } catch (err) {
    main.append(notice(errorText(err), 'bad'));
    return;
  }
  main.append(entries.length ? table(null, [t('date'), t('actor'), t('action'), t('audit.kind'), t('audit.object'), t('app.audit.hash')],
    entries.map((e) => [fmtDateTime(e.at || e.ts || e.time || e.created_at || ''), e.actor || '', e.action || '', e.kind || '', e.object_id || '',
      h('code', null, String(e.hash || e.entry_hash || '').slice(0, 16))]), { id: 'audit-table' })
    : h('p', null, t('app.audit.none')));
}
