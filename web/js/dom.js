// dom.js - small helpers to build DOM without innerHTML (no user text is ever parsed as HTML).

// h('a', {href: '/x', class: 'c', onclick: fn}, 'text', child, [more])
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else if (k === 'value') el.value = v;
      else if (k === 'checked') el.checked = !!v;
      else if (k === 'selected') el.selected = !!v;
      else if (v === true) el.setAttribute(k, '');
      else el.setAttribute(k, String(v));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

// Announces text to screen readers through the live regions in index.html.
export function announce(text, assertive = false) {
  const el = document.getElementById(assertive ? 'alert-announcer' : 'announcer');
  if (!el) return;
  el.textContent = '';
  setTimeout(() => { el.textContent = text; }, 50);
}

// A stable element id from a dotted field path: "models.0.name" -> "f-models-0-name".
export function fieldId(path) {
  return 'f-' + String(path).replace(/[^A-Za-z0-9_-]+/g, '-');
}

export function fmtDate(s) {
  if (!s) return '';
  return String(s).slice(0, 10);
}

export function fmtDateTime(s) {
  if (!s) return '';
  return String(s).replace('T', ' ').replace(/\.\d+/, '').replace(/Z$/, ' UTC');
}
