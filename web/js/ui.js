// ui.js - shared building blocks: badges, tables, form fields with linked errors, the error
// summary, and turning API errors into messages next to their fields.
import { h, clear, announce, fieldId } from './dom.js';
import { t, label } from './i18n.js';

export function badge(ns, code, extraClass = '') {
  const c = code || 'unknown';
  return h('span', { class: `badge badge--${ns === 'state' ? 'state' : c} ${extraClass}`.trim() }, label(ns, c === 'unknown' ? null : c));
}

export function verdictBadge(kind) {
  return h('span', { class: `badge badge--${kind || 'neutral'}` }, kind ? label('verdict', kind) : t('verdict.unknown'));
}

// table(caption, [header...], [[cell...]...], {numeric: [idx]})
export function table(caption, headers, rows, opts = {}) {
  const num = new Set(opts.numeric || []);
  return h('div', { class: 'table-wrap' },
    h('table', { id: opts.id },
      caption ? h('caption', null, caption) : null,
      h('thead', null, h('tr', null, headers.map((x, i) => h('th', { scope: 'col', class: num.has(i) ? 'num' : null }, x)))),
      h('tbody', null, rows.map((r) => h('tr', null, r.map((c, i) => (i === 0 && opts.rowHeader !== false
        ? h('th', { scope: 'row', class: num.has(i) ? 'num' : null }, c)
        : h('td', { class: num.has(i) ? 'num' : null }, c))))))));
}

export function notice(text, kind = '') {
  return h('div', { class: `notice ${kind ? 'notice--' + kind : ''}`.trim(), role: kind === 'bad' ? 'alert' : null }, text);
}

// One form field: label, optional hint, error slot, control. Returns the wrapper; the control
// is wrapper.control. path is the API field path ("purpose.description"), used to place
// server errors; id defaults to fieldId(path).
export function field(opts) {
  const id = opts.id || fieldId(opts.path);
  const hintId = `${id}-hint`;
  const errId = `${id}-error`;
  let control;
  const common = {
    id, name: opts.name || opts.path, 'data-path': opts.path, required: !!opts.required,
    'aria-describedby': [opts.hint ? hintId : null, errId].filter(Boolean).join(' '),
    readonly: !!opts.readonly, autocomplete: opts.autocomplete || 'off',
  };
  if (opts.type === 'textarea') {
    control = h('textarea', { ...common, rows: opts.rows || 4 });
    control.value = opts.value ?? '';
  } else if (opts.type === 'select') {
    control = h('select', common,
      opts.placeholder !== false ? h('option', { value: '' }, opts.placeholder || t('choose')) : null,
      (opts.options || []).map(([v, text]) => h('option', { value: v, selected: String(opts.value ?? '') === String(v) }, text)));
  } else {
    control = h('input', { ...common, type: opts.type || 'text', value: opts.value ?? '', inputmode: opts.inputmode, spellcheck: opts.spellcheck });
  }
  const wrap = h('div', { class: 'form-field', id: `${id}-field` },
    h('label', { for: id }, opts.label, opts.required ? h('span', { class: 'visually-hidden' }, ' *') : null),
    opts.hint ? h('span', { class: 'hint', id: hintId }, opts.hint) : null,
    h('p', { class: 'field-error', id: errId, hidden: true }),
    control);
  wrap.control = control;
  return wrap;
}

// A file field whose chosen file's text fills a textarea field (the text stays editable).
export function fileIntoText(opts, target) {
  const f = field({ ...opts, type: 'file' });
  f.control.setAttribute('accept', opts.accept);
  f.control.addEventListener('change', async () => {
    const file = f.control.files && f.control.files[0];
    if (file) target.control.value = await file.text();
  });
  return f;
}

// A group of radio buttons or checkboxes in a fieldset with a legend.
export function choiceGroup(opts) {
  const id = opts.id || fieldId(opts.path);
  const errId = `${id}-error`;
  const hintId = `${id}-hint`;
  const type = opts.multiple ? 'checkbox' : 'radio';
  const values = new Set(Array.isArray(opts.value) ? opts.value.map(String) : opts.value !== undefined && opts.value !== null ? [String(opts.value)] : []);
  const fs = h('fieldset', { class: 'form-field', id: `${id}-field`, 'data-path': opts.path, 'aria-describedby': [opts.hint ? hintId : null, errId].filter(Boolean).join(' ') },
    h('legend', null, opts.label),
    opts.hint ? h('span', { class: 'hint', id: hintId }, opts.hint) : null,
    h('p', { class: 'field-error', id: errId, hidden: true }),
    h('ul', { class: 'checks' }, opts.options.map(([v, text], i) => {
      const cid = `${id}-${i}`;
      return h('li', null, h('input', { type, id: cid, name: opts.name || id, value: v, checked: values.has(String(v)), 'data-group': opts.path }),
        h('label', { for: cid }, text));
    })));
  fs.control = fs;
  return fs;
}

export function choiceValue(group) {
  const boxes = [...group.querySelectorAll('input')];
  if (boxes[0] && boxes[0].type === 'checkbox') return boxes.filter((b) => b.checked).map((b) => b.value);
  const on = boxes.find((b) => b.checked);
  return on ? on.value : '';
}

// Form errors: shows a message next to a field and in a summary at the top of the form.
export class FormErrors {
  constructor(form, summaryHost) {
    this.form = form;
    this.summaryHost = summaryHost || form;
    this.summary = null;
    this.list = [];
  }

  findField(path) {
    if (!path) return null;
    const esc = (s) => s.replace(/["\\]/g, '\\$&');
    let el = this.form.querySelector(`[data-path="${esc(path)}"]`);
    // "models.0" or a deeper unknown path: fall back to the closest known ancestor.
    let p = path;
    while (!el && p.includes('.')) {
      p = p.slice(0, p.lastIndexOf('.'));
      el = this.form.querySelector(`[data-path="${esc(p)}"]`);
    }
    return el;
  }

  clear() {
    for (const w of this.form.querySelectorAll('.form-field--invalid')) {
      w.classList.remove('form-field--invalid');
      const err = w.querySelector(':scope > .field-error');
      if (err) { err.hidden = true; err.textContent = ''; }
    }
    for (const c of this.form.querySelectorAll('[aria-invalid]')) c.removeAttribute('aria-invalid');
    if (this.summary) { this.summary.remove(); this.summary = null; }
    this.list = [];
  }

  // Marks one field. Returns the element to focus, or null when the path is not on the form.
  set(path, message) {
    const el = this.findField(path);
    this.list.push({ path, message, el });
    if (!el) return null;
    const wrap = el.classList.contains('form-field') ? el : el.closest('.form-field');
    if (!wrap) return null;
    wrap.classList.add('form-field--invalid');
    const err = wrap.querySelector(':scope > .field-error');
    if (err) {
      err.hidden = false;
      err.textContent = err.textContent ? `${err.textContent} ${message}` : message;
    }
    const ctl = wrap.matches('fieldset') ? wrap.querySelector('input, select, textarea') : el;
    if (ctl && !wrap.matches('fieldset')) ctl.setAttribute('aria-invalid', 'true');
    return ctl;
  }

  // Shows the summary (links to each field) and moves focus to it.
  show(title) {
    if (!this.list.length) return;
    const items = this.list.map(({ message, el }) => {
      const target = el && (el.matches('fieldset') ? el.querySelector('input') : el);
      if (target && target.id) {
        return h('li', null, h('a', { href: `#${target.id}`, onclick: (ev) => { ev.preventDefault(); target.focus(); } }, message));
      }
      return h('li', null, message);
    });
    this.summary = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1', 'aria-labelledby': 'error-summary-title' },
      h('h2', { id: 'error-summary-title' }, title || t('error.summary')),
      h('ul', null, items));
    const first = this.summaryHost.firstElementChild;
    if (first && /^H[1-6]$/.test(first.tagName)) first.after(this.summary);
    else this.summaryHost.prepend(this.summary);
    this.summary.focus();
  }
}

// Human text for an API error (not tied to a field).
export function errorText(err) {
  if (!err) return '';
  if (err.status === 0) return t('error.network');
  if (err.status === 403) return `${t('error.forbidden')} ${err.message || ''}`.trim();
  if (err.status === 404) return t('error.notfound');
  if (err.status === 409 || err.status === 412) return t('error.conflict');
  return err.message || t('error.generic', { msg: err.code });
}

// Applies an API error to a form: field errors next to fields, the rest in the summary.
export function showApiError(errors, err) {
  errors.clear();
  const fields = err.fields || [];
  if (fields.length) for (const f of fields) errors.set(f.path, f.message || err.message);
  else errors.list.push({ path: '', message: errorText(err), el: null });
  errors.show();
}

export function loading(main) {
  clear(main);
  main.append(h('p', { class: 'loading' }, t('loading')));
}

// A page heading and document title; announces the page for screen readers.
export function pageTitle(main, text) {
  const h1 = h('h1', { id: 'page-title', tabindex: '-1' }, text);
  main.append(h1);
  document.title = `${text} – sluis`;
  return h1;
}

export function today() {
  return new Date().toISOString().slice(0, 10);
}

export function daysBetween(a, b) {
  return Math.round((Date.parse(b + 'T00:00:00Z') - Date.parse(a + 'T00:00:00Z')) / 86400000);
}

export function rolesText(roles) {
  return (roles || []).map((r) => label('role', r)).join(', ');
}

// AI-literacy coverage (GET /literacy): share of people meeting their role's level, per role
// and per level.
export function literacyView(lit, idPrefix = 'lit') {
  if (!lit || typeof lit !== 'object' || lit.error) return h('p', null, t('dash.literacy.none'));
  const out = h('div', { class: 'literacy' });
  const users = Number(lit.users || 0);
  const trained = Number(lit.trained || 0);
  const cov = typeof lit.coverage === 'number' ? Math.round(lit.coverage <= 1 ? lit.coverage * 100 : lit.coverage) : users ? Math.round((100 * trained) / users) : 0;
  const pid = `${idPrefix}-coverage`;
  out.append(h('p', { id: pid }, t('lit.coverage', { pct: cov, trained, users })),
    h('progress', { class: 'bar', max: '100', value: String(cov), 'aria-labelledby': pid }, `${cov}%`));
  const byRole = lit.by_role && typeof lit.by_role === 'object' ? Object.entries(lit.by_role) : [];
  if (byRole.length) {
    out.append(table(t('lit.by_role'), [t('roles'), t('lit.required'), t('lit.users'), t('lit.meeting')],
      byRole.map(([role, r]) => [label('role', role), r.required_level ? label('level', r.required_level) : '–', String(r.users ?? 0), String(r.meeting ?? 0)]),
      { numeric: [2, 3], id: `${idPrefix}-by-role` }));
  }
  const byLevel = lit.by_level && typeof lit.by_level === 'object' ? Object.entries(lit.by_level) : [];
  if (byLevel.length) {
    out.append(table(t('lit.by_level'), [t('users.level'), t('lit.users')],
      byLevel.map(([lvl, n]) => [label('level', lvl), String(n)]), { numeric: [1], id: `${idPrefix}-by-level` }));
  }
  return out;
}

export { announce };
