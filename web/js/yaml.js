// yaml.js - a small YAML reader and writer for the dossier subset of YAML 1.2 (docs/web.md):
// block mappings and sequences (indentation by spaces), plain / single- / double-quoted
// scalars, literal and folded block scalars (| |- |+ > >- >+), one-line flow sequences and
// mappings of scalars ([a, "b"], {}), comments, a leading "---". Anchors, aliases, tags,
// multi-line plain or quoted scalars and multiple documents are refused with a clear error.
// Scalars follow the YAML 1.2 core schema: null ~ true false, integers, floats; the rest
// (dates too) are strings. JSON input is read with JSON.parse. Limits: 1 MiB, depth 64.
// Pure functions, no DOM: also used by the node tests.

export const YAML_MAX_BYTES = 1024 * 1024;
export const YAML_MAX_DEPTH = 64;

export class YamlError extends Error {
  constructor(message, line = 0, column = 0) {
    super(line ? `${line}:${column}: ${message}` : message);
    this.line = line;
    this.column = column;
    this.reason = message;
  }
}

// ---------- reading ----------

// A quote starts a quoted scalar only where a value starts: at the beginning, after "key:",
// "- ", or inside a flow collection; elsewhere it is part of a plain scalar.
function opensQuote(before) {
  const b = before.replace(/\s+$/, '');
  if (b === '') return true;
  if (before.length === b.length && !/[\[{,]$/.test(b)) return false;
  return /(^|\s)-$/.test(b) || /:$/.test(b) || /[\[{,]$/.test(b);
}

function stripComment(text, lineNo) {
  // Removes a " #..." comment outside quotes. Returns the text without trailing spaces.
  let inS = false, inD = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inD) {
      if (c === '\\') i++;
      else if (c === '"') inD = false;
    } else if (inS) {
      if (c === "'") { if (text[i + 1] === "'") i++; else inS = false; }
    } else if ((c === '"' || c === "'") && opensQuote(text.slice(0, i))) {
      if (c === '"') inD = true; else inS = true;
    }
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) return text.slice(0, i).replace(/\s+$/, '');
  }
  if (inD || inS) throw new YamlError('unterminated quoted string (multi-line quoted scalars are not supported)', lineNo, 1);
  return text.replace(/\s+$/, '');
}

function parseDoubleQuoted(s, lineNo, col) {
  // s starts with '"'; returns [value, rest]
  let out = '';
  let i = 1;
  for (; i < s.length; i++) {
    const c = s[i];
    if (c === '"') return [out, s.slice(i + 1)];
    if (c === '\\') {
      const n = s[++i];
      const map = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', '/': '/', '0': '\0', b: '\b', f: '\f', e: '\x1b', ' ': ' ', N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029', a: '\x07', v: '\v' };
      if (n in map) out += map[n];
      else if (n === 'x' || n === 'u' || n === 'U') {
        const len = n === 'x' ? 2 : n === 'u' ? 4 : 8;
        const hex = s.slice(i + 1, i + 1 + len);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) throw new YamlError('bad escape in double-quoted string', lineNo, col + i);
        const cp = parseInt(hex, 16);
        if (cp > 0x10ffff) throw new YamlError('bad escape in double-quoted string', lineNo, col + i);
        out += String.fromCodePoint(cp);
        i += len;
      } else throw new YamlError('bad escape in double-quoted string', lineNo, col + i);
    } else out += c;
  }
  throw new YamlError('unterminated double-quoted string', lineNo, col);
}

function parseSingleQuoted(s, lineNo, col) {
  let out = '';
  for (let i = 1; i < s.length; i++) {
    if (s[i] === "'") {
      if (s[i + 1] === "'") { out += "'"; i++; continue; }
      return [out, s.slice(i + 1)];
    }
    out += s[i];
  }
  throw new YamlError('unterminated single-quoted string', lineNo, col);
}

function plainScalar(s) {
  if (s === '' || s === '~' || s === 'null' || s === 'Null' || s === 'NULL') return null;
  if (s === 'true' || s === 'True' || s === 'TRUE') return true;
  if (s === 'false' || s === 'False' || s === 'FALSE') return false;
  if (/^[-+]?[0-9]+$/.test(s)) {
    const n = Number(s);
    return Number.isSafeInteger(n) ? n : s;
  }
  if (/^0x[0-9a-fA-F]+$/.test(s)) return parseInt(s, 16);
  if (/^0o[0-7]+$/.test(s)) return parseInt(s.slice(2), 8);
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(s)) return Number(s);
  if (/^[-+]?\.(inf|Inf|INF)$/.test(s)) return s[0] === '-' ? -Infinity : Infinity;
  if (/^\.(nan|NaN|NAN)$/.test(s)) return NaN;
  return s;
}

function checkPlain(s, lineNo, col) {
  const c = s[0];
  if (c === '&' || c === '*') throw new YamlError('anchors and aliases are not supported', lineNo, col);
  if (c === '!') throw new YamlError('tags are not supported', lineNo, col);
  if (c === '@' || c === '`' || c === '%') throw new YamlError(`a plain scalar cannot start with '${c}'`, lineNo, col);
  if (/^[?]( |$)/.test(s)) throw new YamlError('complex keys are not supported', lineNo, col);
  if (/: |:$/.test(s)) throw new YamlError("unexpected ':' in a value (quote it)", lineNo, col);
}

// A scalar or a one-line flow collection making up all of s.
function parseInline(s, lineNo, col) {
  if (s === '') return null;
  if (s[0] === '"' || s[0] === "'") {
    const [v, rest] = s[0] === '"' ? parseDoubleQuoted(s, lineNo, col) : parseSingleQuoted(s, lineNo, col);
    if (rest.trim() !== '') throw new YamlError('unexpected text after a quoted string', lineNo, col + s.length - rest.length);
    return v;
  }
  if (s[0] === '[' || s[0] === '{') {
    const [v, rest] = parseFlow(s, lineNo, col, 0);
    if (rest.trim() !== '') throw new YamlError('unexpected text after a flow collection', lineNo, col + s.length - rest.length);
    return v;
  }
  if (s[0] === '|' || s[0] === '>') throw new YamlError('a block scalar indicator must end the line', lineNo, col);
  checkPlain(s, lineNo, col);
  return plainScalar(s);
}

function parseFlow(s, lineNo, col, depth) {
  if (depth > YAML_MAX_DEPTH) throw new YamlError('nested too deeply', lineNo, col);
  const open = s[0];
  const close = open === '[' ? ']' : '}';
  const out = open === '[' ? [] : {};
  let rest = s.slice(1);
  const pos = () => col + s.length - rest.length;
  const item = () => {
    rest = rest.replace(/^\s+/, '');
    if (rest[0] === '[' || rest[0] === '{') { const [v, r] = parseFlow(rest, lineNo, pos(), depth + 1); rest = r; return v; }
    if (rest[0] === '"') { const [v, r] = parseDoubleQuoted(rest, lineNo, pos()); rest = r; return v; }
    if (rest[0] === "'") { const [v, r] = parseSingleQuoted(rest, lineNo, pos()); rest = r; return v; }
    const m = /^[^,\[\]{}]*/.exec(rest)[0];
    let text = m;
    if (open === '{') { const k = /^(.*?):(\s|$)/.exec(m); if (k) text = k[1]; }
    rest = rest.slice(text.length);
    text = text.trim();
    if (text === '') return undefined;
    checkPlain(text.replace(/:$/, 'x'), lineNo, pos());
    return plainScalar(text);
  };
  for (;;) {
    rest = rest.replace(/^\s+/, '');
    if (rest === '') throw new YamlError(`unterminated flow collection (missing '${close}')`, lineNo, pos());
    if (rest[0] === close) return [out, rest.slice(1)];
    if (open === '[') {
      const v = item();
      if (v === undefined) throw new YamlError('empty item in a flow sequence', lineNo, pos());
      out.push(v);
    } else {
      const k = item();
      if (k === undefined || k === null || typeof k === 'object') throw new YamlError('bad key in a flow mapping', lineNo, pos());
      rest = rest.replace(/^\s+/, '');
      if (rest[0] !== ':') throw new YamlError("expected ':' in a flow mapping", lineNo, pos());
      rest = rest.slice(1);
      const v = item();
      setKey(out, String(k), v === undefined ? null : v, lineNo, pos());
    }
    rest = rest.replace(/^\s+/, '');
    if (rest === '') throw new YamlError(`unterminated flow collection (missing '${close}')`, lineNo, pos());
    if (rest[0] === ',') rest = rest.slice(1);
    else if (rest[0] !== close) throw new YamlError(`expected ',' or '${close}'`, lineNo, pos());
  }
}

function setKey(obj, key, value, lineNo, col) {
  if (Object.prototype.hasOwnProperty.call(obj, key)) throw new YamlError(`duplicate key '${key}'`, lineNo, col);
  if (key === '__proto__') throw new YamlError("the key '__proto__' is not allowed", lineNo, col);
  obj[key] = value;
}

// Splits "key: rest" / "key:" into [key, rest] or returns null when the line is no key.
function splitKey(text, lineNo, col) {
  if (text[0] === '"' || text[0] === "'") {
    const [k, rest] = text[0] === '"' ? parseDoubleQuoted(text, lineNo, col) : parseSingleQuoted(text, lineNo, col);
    const m = /^\s*:(\s+|$)/.exec(rest);
    if (!m) return null;
    return [k, rest.slice(m[0].length), col + text.length - rest.length + m[0].length];
  }
  if (text[0] === '[' || text[0] === '{') return null;
  const m = /^([^#:]|:(?=\S))*?:(\s+|$)/.exec(text);
  if (!m) return null;
  const key = m[0].replace(/:\s*$/, '').trim();
  if (key === '') throw new YamlError('empty key', lineNo, col);
  checkPlain(key, lineNo, col);
  return [key, text.slice(m[0].length), col + m[0].length];
}

class Reader {
  constructor(src) {
    this.lines = [];
    const raw = src.split(/\r?\n/);
    for (let i = 0; i < raw.length; i++) {
      const text = raw[i];
      const lineNo = i + 1;
      const ind = /^ */.exec(text)[0].length;
      if (text[ind] === '\t') throw new YamlError('tabs are not allowed for indentation', lineNo, ind + 1);
      this.lines.push({ raw: text, no: lineNo, indent: ind });
    }
    this.i = 0;
  }
  // The next meaningful line (skipping blank and comment-only lines), or null.
  peek() {
    while (this.i < this.lines.length) {
      const l = this.lines[this.i];
      if (l.content === undefined) l.content = stripComment(l.raw.slice(l.indent), l.no);
      if (l.content === '') { this.i++; continue; }
      return l;
    }
    return null;
  }
}

function parseBlockScalar(rd, header, parentIndent, lineNo, col) {
  const m = /^([|>])([+-]?)([1-9]?)([+-]?)$/.exec(header);
  if (!m) throw new YamlError(`bad block scalar header '${header}'`, lineNo, col);
  const folded = m[1] === '>';
  const chomp = m[2] || m[4];
  let blockIndent = m[3] ? parentIndent + Number(m[3]) : 0;
  const body = [];
  while (rd.i < rd.lines.length) {
    const l = rd.lines[rd.i];
    if (l.raw.trim() === '') { body.push(''); rd.i++; continue; }
    if (!blockIndent) {
      if (l.indent <= parentIndent) break;
      blockIndent = l.indent;
    }
    if (l.indent < blockIndent) {
      if (l.indent > parentIndent) throw new YamlError('bad indentation in a block scalar', l.no, l.indent + 1);
      break;
    }
    body.push(l.raw.slice(blockIndent));
    rd.i++;
  }
  // Trailing blank lines belong to chomping.
  let trailing = 0;
  while (body.length && body[body.length - 1] === '') { body.pop(); trailing++; }
  let text;
  if (folded) {
    text = '';
    for (let i = 0; i < body.length; i++) {
      const line = body[i];
      if (i === 0) { text = line; continue; }
      const prev = body[i - 1];
      if (line === '') text += '\n';
      else if (prev === '' || /^\s/.test(line) || /^\s/.test(prev)) text += (prev === '' ? '' : '\n') + line;
      else text += ' ' + line;
    }
  } else text = body.join('\n');
  if (body.length === 0) return chomp === '+' ? '\n'.repeat(trailing) : '';
  if (chomp === '-') return text;
  if (chomp === '+') return text + '\n' + '\n'.repeat(trailing);
  return text + '\n';
}

// Parses the value after "key:" or "- " when it is on the same line, or the nested block.
function parseValueAfter(rd, rest, restCol, ownerIndent, lineNo, depth, seqSameIndentOk) {
  if (rest !== '') {
    if (rest[0] === '|' || rest[0] === '>') return parseBlockScalar(rd, rest, ownerIndent, lineNo, restCol);
    const v = parseInline(rest, lineNo, restCol);
    const nx = rd.peek();
    if (nx && nx.indent > ownerIndent) throw new YamlError('unexpected indented line (multi-line plain scalars are not supported; use | or quotes)', nx.no, nx.indent + 1);
    return v;
  }
  const nx = rd.peek();
  if (!nx) return null;
  if (nx.indent > ownerIndent) return parseNode(rd, nx.indent, depth + 1);
  if (seqSameIndentOk && nx.indent === ownerIndent && /^-( |$)/.test(nx.content)) return parseSeq(rd, nx.indent, depth + 1);
  return null;
}

function parseNode(rd, indent, depth) {
  if (depth > YAML_MAX_DEPTH) { const l = rd.peek(); throw new YamlError('nested too deeply', l ? l.no : 0, 1); }
  const l = rd.peek();
  if (/^-( |$)/.test(l.content)) return parseSeq(rd, indent, depth);
  if (splitKey(l.content, l.no, l.indent + 1)) return parseMap(rd, indent, depth);
  rd.i++;
  if (l.content[0] === '|' || l.content[0] === '>') return parseBlockScalar(rd, l.content, indent - 1, l.no, l.indent + 1);
  const v = parseInline(l.content, l.no, l.indent + 1);
  const nx = rd.peek();
  if (nx && nx.indent >= indent && depth > 0) throw new YamlError('unexpected line after a scalar (multi-line plain scalars are not supported)', nx.no, nx.indent + 1);
  return v;
}

function isDocMarker(l) {
  return l.indent === 0 && /^(---|\.\.\.)(\s|$)/.test(l.content);
}

function parseMap(rd, indent, depth) {
  const out = {};
  for (;;) {
    const l = rd.peek();
    if (!l || l.indent < indent || isDocMarker(l)) return out;
    if (l.indent > indent) throw new YamlError('bad indentation', l.no, l.indent + 1);
    const kv = splitKey(l.content, l.no, l.indent + 1);
    if (!kv) throw new YamlError(/^-( |$)/.test(l.content) ? 'a sequence item where a key was expected' : "expected 'key: value'", l.no, l.indent + 1);
    rd.i++;
    const [key, rest, restCol] = kv;
    setKey(out, key, parseValueAfter(rd, rest, l.indent + restCol, indent, l.no, depth, true), l.no, l.indent + 1);
  }
}

function parseSeq(rd, indent, depth) {
  const out = [];
  for (;;) {
    const l = rd.peek();
    if (!l || l.indent < indent || isDocMarker(l)) return out;
    if (l.indent > indent) throw new YamlError('bad indentation', l.no, l.indent + 1);
    if (!/^-( |$)/.test(l.content)) {
      if (depth > 0 && splitKey(l.content, l.no, l.indent + 1)) return out; // key after "key:\n- a" at the same indent
      throw new YamlError("expected '- ' (a sequence item)", l.no, l.indent + 1);
    }
    const after = l.content.replace(/^-\s*/, '');
    const itemIndent = l.indent + (l.content.length - after.length);
    if (after === '') {
      rd.i++;
      out.push(parseValueAfter(rd, '', 0, indent, l.no, depth, false));
    } else if (/^-( |$)/.test(after) || splitKey(after, l.no, itemIndent + 1)) {
      // "- key: v" or "- - x": the rest of the line starts a nested node at itemIndent.
      l.indent = itemIndent;
      l.content = after;
      out.push(parseNode(rd, itemIndent, depth + 1));
    } else {
      rd.i++;
      out.push(parseValueAfter(rd, after, itemIndent + 1, indent, l.no, depth, false));
    }
  }
}

// Parses YAML (the subset above) or JSON text into a value. Throws YamlError.
export function parseYaml(src) {
  if (typeof src !== 'string') throw new YamlError('input is not text');
  if (src.length > YAML_MAX_BYTES) throw new YamlError('input larger than 1 MiB');
  if (src.charCodeAt(0) === 0xfeff) src = src.slice(1);
  const trimmed = src.trim();
  if (trimmed.startsWith('{') && trimmed.endsWith('}') && trimmed.includes('"')) {
    try { return JSON.parse(trimmed); } catch { /* fall through: may be a YAML flow mapping */ }
  }
  const rd = new Reader(src);
  // A leading "---" (and optional "%YAML" directive) is allowed; a second document is not.
  let l = rd.peek();
  if (l && l.indent === 0 && /^%YAML/.test(l.content)) { rd.i++; l = rd.peek(); }
  if (l && l.indent === 0 && /^---(\s|$)/.test(l.content)) {
    l.content = l.content.slice(3).trim();
    if (l.content === '') { rd.i++; l = rd.peek(); }
  }
  if (!l) return null;
  if (l.indent !== 0) throw new YamlError('the document must start at column 1', l.no, l.indent + 1);
  const v = parseNode(rd, 0, 0);
  const rest = rd.peek();
  if (rest) {
    if (/^(---|\.\.\.)(\s|$)/.test(rest.content) && rest.indent === 0) {
      rd.i++;
      if (rd.peek()) throw new YamlError('only one document is supported', rest.no, 1);
    } else throw new YamlError('unexpected content', rest.no, rest.indent + 1);
  }
  return v;
}

// ---------- writing ----------

const RESERVED = /^(~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|no|Yes|No|YES|NO|on|off|On|Off|ON|OFF|y|n|Y|N)$/;

function needsQuotes(s) {
  if (s === '') return true;
  if (RESERVED.test(s)) return true;
  if (plainScalar(s) !== s) return true; // would read back as a number
  if (/^[\s\-?:,\[\]{}#&*!|>'"%@`]/.test(s) && !/^-[^\s\-]/.test(s)) return true;
  if (/^-$|^- |^---|^\.\.\./.test(s)) return true;
  if (/\s$/.test(s) || /: |:$| #|\t/.test(s)) return true;
  if (/["'\[\]{},]/.test(s)) return true; // legal in plain scalars, but quoting is safer

  if (/[\x00-\x1f\x7f\u0085\u2028\u2029\ufeff]/.test(s)) return true;
  return false;
}

function quote(s) {
  // JSON escapes are valid YAML double-quoted escapes.
  return JSON.stringify(s).replace(/[\u0085\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

function scalar(v) {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return '.nan';
    if (!Number.isFinite(v)) return v > 0 ? '.inf' : '-.inf';
    return String(v);
  }
  const s = String(v);
  return needsQuotes(s) ? quote(s) : s;
}

// A literal block (|) when the text is multi-line and safe to write that way.
function block(s, indent) {
  if (!s.includes('\n')) return null;
  if (/[\x00-\x08\x0b-\x1f\x7f\u0085\u2028\u2029\ufeff]/.test(s)) return null;
  if (/\n\n$/.test(s) || /^[ \n]/.test(s) || /[ \t]\n|[ \t]$/.test(s)) return null;
  const chomp = s.endsWith('\n') ? '' : '-';
  const body = (s.endsWith('\n') ? s.slice(0, -1) : s).split('\n');
  const pad = ' '.repeat(indent);
  return '|' + chomp + '\n' + body.map((line) => (line === '' ? '' : pad + line)).join('\n');
}

function isScalar(v) {
  return v === null || v === undefined || typeof v !== 'object';
}

function emitKey(k) {
  return needsQuotes(k) || /[\[\]{},]/.test(k) ? quote(k) : k;
}

function emitValue(v, indent, out, depth) {
  if (depth > YAML_MAX_DEPTH) throw new YamlError('nested too deeply');
  const pad = ' '.repeat(indent);
  if (Array.isArray(v)) {
    for (const it of v) {
      if (isScalar(it)) {
        const b = typeof it === 'string' ? block(it, indent + 2) : null;
        out.push(pad + '- ' + (b || scalar(it)));
      } else if (Array.isArray(it)) {
        if (it.length === 0) out.push(pad + '- []');
        else {
          const sub = [];
          emitValue(it, indent + 2, sub, depth + 1);
          sub[0] = pad + '- ' + sub[0].slice(indent + 2);
          out.push(...sub);
        }
      } else {
        const keys = Object.keys(it);
        if (keys.length === 0) out.push(pad + '- {}');
        else {
          const sub = [];
          emitValue(it, indent + 2, sub, depth + 1);
          sub[0] = pad + '- ' + sub[0].slice(indent + 2);
          out.push(...sub);
        }
      }
    }
    return;
  }
  for (const [k, val] of Object.entries(v)) {
    if (val === undefined) continue;
    const key = pad + emitKey(k) + ':';
    if (isScalar(val)) {
      const b = typeof val === 'string' ? block(val, indent + 2) : null;
      out.push(key + ' ' + (b || scalar(val)));
    } else if (Array.isArray(val)) {
      if (val.length === 0) out.push(key + ' []');
      else { out.push(key); emitValue(val, indent + 2, out, depth + 1); }
    } else if (Object.keys(val).length === 0) out.push(key + ' {}');
    else { out.push(key); emitValue(val, indent + 2, out, depth + 1); }
  }
}

// Writes a value (object, array or scalar) as YAML text ending in a newline.
export function toYaml(v) {
  if (isScalar(v)) return scalar(v) + '\n';
  if (Array.isArray(v) && v.length === 0) return '[]\n';
  if (!Array.isArray(v) && Object.keys(v).length === 0) return '{}\n';
  const out = [];
  emitValue(v, 0, out, 0);
  return out.join('\n') + '\n';
}
