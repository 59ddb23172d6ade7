// views/editor.js - the dossier editor: a form in sections generated from model.js, drafts
// kept locally on every change (nothing typed is lost) and saved to the register (explicitly,
// and automatically while the application is a draft), the core engine's verdict refreshed
// after each save, YAML import and export. Client-side checks and every server-side error
// appear next to their field.
import { h, clear, announce, fieldId } from '../dom.js';
import { t, tl } from '../i18n.js';
import * as api from '../api.js';
import { content, verdictOf } from '../data.js';
import { pageTitle, field, choiceGroup, choiceValue, FormErrors, showApiError, notice, errorText } from '../ui.js';
import { SECTIONS, ENUM_LABELS, getPath, setPath } from '../model.js';
import { parseYaml, toYaml } from '../yaml.js';
import { renderVerdict, verdictSummary } from '../verdict.js';
import { downloadYaml } from './app.js';

const AUTOSAVE_MS = 1500;
const AUTOSAVE_STATES = new Set(['draft', 'needs_reassessment']);

function draftKey(id) { return `sluis.draft.${id}`; }

function enumOpts(values) { return values.map((v) => [v, tl(ENUM_LABELS[v]) || v]); }

function hintOf(f) { return f.hint ? tl(f.hint) : undefined; }

// Builds the control for one field at path (a top-level path or "models.0.name").
function buildField(f, path, value, opts = {}) {
  const common = { path, label: tl(f.label), hint: hintOf(f), required: !!f.required };
  switch (f.type) {
    case 'text':
      return field({ ...common, type: 'textarea', value: value ?? '' });
    case 'int':
      return field({ ...common, type: 'text', inputmode: 'numeric', value: value ?? '' });
    case 'date':
      return field({ ...common, type: 'date', value: value ?? '' });
    case 'url':
      return field({ ...common, type: 'url', value: value ?? '', spellcheck: 'false' });
    case 'email':
      return field({ ...common, type: 'email', value: value ?? '', autocomplete: 'email' });
    case 'bool':
      return field({ ...common, type: 'select', placeholder: t('bool.unknown'), value: value === true ? 'true' : value === false ? 'false' : '', options: [['true', t('yes')], ['false', t('no')]] });
    case 'enum':
      return field({ ...common, type: 'select', value: value ?? '', options: enumOpts(f.values) });
    case 'enumlist':
      return choiceGroup({ ...common, multiple: true, value: Array.isArray(value) ? value : [], options: enumOpts(f.values) });
    case 'strlist':
      return field({ ...common, type: 'textarea', rows: 3, value: Array.isArray(value) ? value.join('\n') : value ?? '' });
    default:
      return field({ ...common, type: 'text', value: value ?? '', readonly: !!opts.readonly, spellcheck: f.path === 'id' ? 'false' : undefined });
  }
}

// Reads one control back into a dossier value (undefined = leave the key out).
function readField(f, root, path) {
  if (f.type === 'enumlist') {
    const g = root.querySelector(`fieldset[data-path="${path}"]`);
    const v = g ? choiceValue(g) : [];
    return v.length ? v : undefined;
  }
  const el = root.querySelector(`#${CSS.escape(fieldId(path))}`);
  if (!el) return undefined;
  const raw = el.value;
  switch (f.type) {
    case 'bool': return raw === 'true' ? true : raw === 'false' ? false : undefined;
    case 'int': {
      const s = raw.trim();
      if (s === '') return undefined;
      return /^-?\d+$/.test(s) && Number.isSafeInteger(Number(s)) ? Number(s) : raw; // kept as typed; flagged by validate()
    }
    case 'strlist': {
      const lines = raw.split('\n').map((x) => x.trim()).filter(Boolean);
      return lines.length ? lines : undefined;
    }
    default: return raw === '' ? undefined : raw;
  }
}

function isRealDate(s) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(s + 'T00:00:00Z');
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

// Client-side checks of one value; returns a message or ''.
function checkValue(f, v) {
  if (v === undefined || v === null || v === '' || (Array.isArray(v) && !v.length)) return f.required ? t('error.required') : '';
  if (f.type === 'int') {
    if (typeof v !== 'number') return t('error.int');
    if (f.min !== undefined && v < f.min) return t('error.min', { n: f.min });
    if (f.max !== undefined && v > f.max) return t('error.max', { n: f.max });
  }
  if (f.type === 'date' && !isRealDate(String(v))) return t('error.date');
  if (f.type === 'url' && !/^https:\/\/[^\s/]+/.test(String(v))) return t('error.url');
  if (f.type === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(String(v))) return t('error.email');
  if (f.pattern && !new RegExp(f.pattern).test(String(v))) return t('error.pattern');
  if (f.max && typeof v === 'string' && f.type === 'str' && v.length > f.max) return t('error.max', { n: f.max });
  return '';
}

// Makes imported values fit the form's types where that loses nothing (3e24 -> "3e24").
function coerce(d) {
  const fix = (fl, obj, key) => {
    const v = obj[key];
    if (v === undefined || v === null) return;
    if (['str', 'text', 'email', 'url', 'date', 'enum'].includes(fl.type) && (typeof v === 'number' || typeof v === 'boolean')) obj[key] = String(v);
  };
  for (const s of SECTIONS) for (const fl of s.fields) {
    const parts = fl.path.split('.');
    const parent = parts.length > 1 ? getPath(d, parts.slice(0, -1).join('.')) : d;
    if (!parent || typeof parent !== 'object') continue;
    if (fl.type === 'list' && Array.isArray(parent[parts.at(-1)])) {
      for (const it of parent[parts.at(-1)]) if (it && typeof it === 'object') for (const sf of fl.fields) fix(sf, it, sf.path);
    } else fix(fl, parent, parts.at(-1));
  }
  return d;
}

export async function renderEditor(main, [id], ctx) {
  let { data: obj, etag } = await api.request('GET', `/applications/${api.enc(id)}`, undefined, { withMeta: true });
  let version = obj.version ?? (etag ? etag.replace(/"/g, '') : undefined);
  const serverDossier = content(obj);
  let dossier = structuredClone(serverDossier);
  let restoredFrom = null;
  try {
    const saved = JSON.parse(localStorage.getItem(draftKey(id)) || 'null');
    if (saved && saved.dossier && JSON.stringify(saved.dossier) !== JSON.stringify(serverDossier)) {
      dossier = saved.dossier;
      restoredFrom = saved.savedAt;
    }
  } catch { /* a broken local draft is ignored */ }

  pageTitle(main, t('ed.title', { name: serverDossier.name || id }));
  main.append(h('p', null, h('a', { href: `/applicaties/${encodeURIComponent(id)}`, 'data-link': true }, t('ed.back'))));
  const status = h('p', { id: 'editor-status', role: 'status' });
  const restoreHost = h('div');
  main.append(restoreHost, status);

  const form = h('form', { id: 'dossier-form', novalidate: true });
  const errors = new FormErrors(form, form);
  const aside = h('aside', { class: 'editor__aside', 'aria-labelledby': 'live-title' });
  const liveSummary = h('p', { id: 'live-summary', 'aria-live': 'polite', 'aria-atomic': 'true' });
  const liveBody = h('div', { id: 'live-verdict' });
  const toc = h('nav', { class: 'editor__toc', 'aria-labelledby': 'toc-title' }, h('h2', { id: 'toc-title' }, t('ed.toc')),
    h('ol', null, SECTIONS.map((s) => h('li', null, h('a', { href: `#sec-${s.id}` }, tl(s.title))))));
  aside.append(h('h2', { id: 'live-title' }, t('ed.live')), liveSummary, liveBody, toc);

  // ---- the form ----
  const sectionHosts = {};
  function renderList(f, host) {
    clear(host);
    const items = Array.isArray(getPath(dossier, f.path)) ? getPath(dossier, f.path) : [];
    items.forEach((it, i) => {
      const legendId = `${fieldId(f.path)}-${i}-legend`;
      const fs = h('fieldset', { class: 'list-item', 'data-path': `${f.path}.${i}`, 'aria-labelledby': legendId },
        h('legend', { id: legendId }, t('ed.item', { item: tl(f.item), n: i + 1 })),
        f.fields.map((sf) => buildField(sf, `${f.path}.${i}.${sf.path}`, it && typeof it === 'object' ? it[sf.path] : undefined)),
        h('div', { class: 'actions' }, h('button', {
          type: 'button', class: 'button button--secondary button--small', id: `${fieldId(f.path)}-${i}-remove`,
          onclick: () => {
            collect();
            const arr = getPath(dossier, f.path) || [];
            arr.splice(i, 1);
            if (!arr.length) setPath(dossier, f.path, undefined);
            renderList(f, host);
            changed();
            announce(t('ed.item_removed', { item: tl(f.item) }));
            document.getElementById(`${fieldId(f.path)}-add`).focus();
          },
        }, t('ed.remove_item', { item: tl(f.item), n: i + 1 }))));
      host.append(fs);
    });
  }

  function renderForm() {
    clear(form);
    for (const s of SECTIONS) {
      const sec = h('section', { id: `sec-${s.id}`, 'aria-labelledby': `sec-${s.id}-title`, class: 'editor__section' }, h('h2', { id: `sec-${s.id}-title` }, tl(s.title)));
      for (const f of s.fields) {
        if (f.type === 'list') {
          const host = h('div', { id: `${fieldId(f.path)}-items`, 'data-path': f.path, class: 'form-field' });
          const legendId = `${fieldId(f.path)}-title`;
          sec.append(h('div', { role: 'group', 'aria-labelledby': legendId },
            h('h3', { id: legendId }, tl(f.label)),
            h('p', { class: 'field-error', id: `${fieldId(f.path)}-error`, hidden: true }),
            host,
            h('button', {
              type: 'button', class: 'button button--secondary', id: `${fieldId(f.path)}-add`,
              onclick: () => {
                collect();
                const arr = Array.isArray(getPath(dossier, f.path)) ? getPath(dossier, f.path) : [];
                arr.push({});
                setPath(dossier, f.path, arr);
                renderList(f, host);
                changed();
                const n = arr.length;
                announce(t('ed.item_added', { item: tl(f.item), n }));
                const first = host.querySelector(`[data-path="${f.path}.${n - 1}"] input, [data-path="${f.path}.${n - 1}"] select, [data-path="${f.path}.${n - 1}"] textarea`);
                if (first) first.focus();
              },
            }, t('ed.add_item', { item: tl(f.item).toLowerCase() }))));
          sectionHosts[f.path] = host;
          renderList(f, host);
        } else {
          const el = buildField(f, f.path, getPath(dossier, f.path), { readonly: f.path === 'id' });
          if (f.path === 'id') {
            const hint = el.querySelector('.hint');
            if (hint) hint.textContent = `${hint.textContent} ${t('ed.readonly_id')}`;
          }
          sec.append(el);
        }
      }
      form.append(sec);
    }
    form.append(h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'button', id: 'save-draft' }, t('ed.save')),
      h('button', { type: 'button', class: 'button button--secondary', id: 'export-yaml', onclick: () => { collect(); downloadYaml(dossier, id); } }, t('ed.export'))));
  }

  // Reads every control into `dossier` (keeps keys the form does not show: advice, decision, ...).
  function collect() {
    for (const s of SECTIONS) for (const f of s.fields) {
      if (f.type === 'list') {
        const host = sectionHosts[f.path];
        if (!host) continue;
        const n = host.querySelectorAll(':scope > fieldset').length;
        const old = Array.isArray(getPath(dossier, f.path)) ? getPath(dossier, f.path) : [];
        const arr = [];
        for (let i = 0; i < n; i++) {
          const it = old[i] && typeof old[i] === 'object' ? { ...old[i] } : {};
          for (const sf of f.fields) {
            const v = readField(sf, host, `${f.path}.${i}.${sf.path}`);
            if (v === undefined) delete it[sf.path]; else it[sf.path] = v;
          }
          arr.push(it);
        }
        setPath(dossier, f.path, arr.length ? arr : undefined);
      } else setPath(dossier, f.path, readField(f, form, f.path));
    }
    if (dossier.sluis_dossier === undefined) dossier = { sluis_dossier: 1, ...dossier };
    return dossier;
  }

  function validate() {
    const out = [];
    for (const s of SECTIONS) for (const f of s.fields) {
      if (f.type === 'list') {
        const arr = getPath(dossier, f.path);
        if (Array.isArray(arr)) arr.forEach((it, i) => { for (const sf of f.fields) { const m = checkValue(sf, it[sf.path]); if (m) out.push([`${f.path}.${i}.${sf.path}`, m]); } });
      } else {
        const m = checkValue(f, getPath(dossier, f.path));
        if (m) out.push([f.path, m]);
      }
    }
    return out;
  }

  // Shows client-side problems next to their fields; with `summary` also the summary.
  function showProblems(problems, summary) {
    errors.clear();
    for (const [p, m] of problems) errors.set(p, m);
    if (summary) errors.show();
  }

  // ---- saving and the live verdict ----
  let timer = null;
  let saving = null;
  let state = obj.state || 'draft';

  function keepLocal() {
    try { localStorage.setItem(draftKey(id), JSON.stringify({ dossier, savedAt: new Date().toISOString(), baseVersion: version })); } catch { /* quota: the form still holds it */ }
  }

  function changed() {
    collect();
    keepLocal();
    status.textContent = t('ed.unsaved');
    clearTimeout(timer);
    if (AUTOSAVE_STATES.has(state)) timer = setTimeout(() => save({ auto: true }), AUTOSAVE_MS);
  }

  async function refreshVerdict() {
    liveSummary.textContent = t('ed.live.pending');
    try {
      const v = await verdictOf(id);
      clear(liveBody).append(renderVerdict(v, { headingLevel: 'h3', id: 'live', compact: true, title: t('verdict') }));
      liveSummary.textContent = verdictSummary(v);
    } catch (err) {
      clear(liveBody);
      liveSummary.textContent = t('ed.live.invalid', { msg: errorText(err) });
    }
  }

  async function save({ auto = false } = {}) {
    clearTimeout(timer);
    if (saving) { await saving; }
    collect();
    const problems = validate();
    if (problems.length) {
      showProblems(problems, !auto);
      if (auto) liveSummary.textContent = t('ed.live.invalid', { msg: problems.map(([, m]) => m)[0] });
      return false;
    }
    const body = structuredClone(dossier);
    saving = (async () => {
      try {
        const res = await api.request('PUT', `/applications/${api.enc(id)}`, body, { ifMatch: version !== undefined ? `"${version}"` : undefined, withMeta: true });
        const o = res.data || {};
        version = o.version ?? (res.etag ? res.etag.replace(/"/g, '') : version);
        state = o.state || state;
        errors.clear();
        if (JSON.stringify(body) === JSON.stringify(collect())) localStorage.removeItem(draftKey(id));
        status.textContent = auto ? t('ed.autosaved', { time: new Date().toLocaleTimeString(document.documentElement.lang) }) : t('ed.saved', { v: version });
        if (!auto) announce(status.textContent);
        await refreshVerdict();
        return true;
      } catch (err) {
        if (auto && !(err.fields && err.fields.length)) { status.textContent = errorText(err); return false; }
        showApiError(errors, err);
        if (auto && errors.summary) { errors.summary.remove(); errors.summary = null; }
        liveSummary.textContent = t('ed.live.invalid', { msg: err.message });
        return false;
      }
    })();
    const ok = await saving;
    saving = null;
    return ok;
  }

  form.addEventListener('input', () => changed());
  form.addEventListener('change', (ev) => {
    changed();
    // Check the field just left, next to it.
    const el = ev.target.closest('[data-path]');
    if (el) {
      const problems = validate().filter(([p]) => p === el.getAttribute('data-path'));
      const wrap = el.closest('.form-field');
      if (wrap && !problems.length && wrap.classList.contains('form-field--invalid')) {
        wrap.classList.remove('form-field--invalid');
        const e = wrap.querySelector(':scope > .field-error');
        if (e) { e.hidden = true; e.textContent = ''; }
        el.removeAttribute('aria-invalid');
      }
      for (const [p, m] of problems) { if (!(wrap && wrap.classList.contains('form-field--invalid'))) errors.set(p, m); }
    }
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    await save({ auto: false });
  });

  // ---- import ----
  const fileField = field({ path: 'import', id: 'import-file', type: 'file', label: t('ed.import.file') });
  fileField.control.setAttribute('accept', '.yaml,.yml,.json,application/yaml,application/json,text/yaml');
  const importForm = h('form', { id: 'import-form', novalidate: true, 'aria-labelledby': 'import-title' },
    h('h2', { id: 'import-title' }, t('ed.import')), fileField,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button--secondary' }, t('ed.import.submit'))));
  const importErrors = new FormErrors(importForm);
  importForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    importErrors.clear();
    const file = fileField.control.files && fileField.control.files[0];
    if (!file) { importErrors.set('import', t('error.required')); importErrors.show(); return; }
    let parsed;
    try {
      parsed = parseYaml(await file.text());
    } catch (err) {
      importErrors.set('import', t('error.yaml', { msg: err.message }));
      importErrors.show();
      return;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) { importErrors.set('import', t('error.not_object')); importErrors.show(); return; }
    dossier = coerce(parsed);
    dossier.id = id; // the application keeps its identifier
    renderForm();
    changed();
    announce(t('ed.imported'));
    status.textContent = t('ed.imported');
    const first = form.querySelector('input:not([readonly]), select, textarea');
    if (first) first.focus();
  });

  renderForm();
  main.append(h('div', { class: 'editor' }, h('div', { class: 'editor__main' }, form, importForm), aside));
  if (restoredFrom) {
    const discard = h('button', {
      type: 'button', class: 'button button--secondary button--small', id: 'discard-draft',
      onclick: () => {
        localStorage.removeItem(draftKey(id));
        dossier = structuredClone(serverDossier);
        renderForm();
        clear(restoreHost);
        status.textContent = t('ed.discarded');
        announce(t('ed.discarded'));
      },
    }, t('ed.discard'));
    restoreHost.append(notice([t('ed.restored', { time: new Date(restoredFrom).toLocaleString(document.documentElement.lang) }), ' ', discard]));
    status.textContent = t('ed.unsaved');
  }
  if (!AUTOSAVE_STATES.has(state)) liveBody.append(h('p', null, t('ed.live.after_save')));
  ctx.beforeLeave = async () => { if (timer) { clearTimeout(timer); await save({ auto: true }); } };
  await refreshVerdict();
}

export { toYaml };
