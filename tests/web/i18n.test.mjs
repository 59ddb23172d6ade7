// i18n.test.mjs - every string key the UI uses exists in Dutch and in English, both
// dictionaries have the same keys, no translation is empty, and every label of the dossier
// model and its enum values has both languages. Node only, no browser.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

globalThis.localStorage = { getItem: () => null, setItem: () => {} };
globalThis.document = { documentElement: {} };
const HERE = path.dirname(fileURLToPath(import.meta.url));
const WEB = path.join(HERE, '..', '..', 'web');
const { I18N_KEYS, setLang, t } = await import(path.join(WEB, 'js', 'i18n.js'));
const { SECTIONS, ENUM_LABELS } = await import(path.join(WEB, 'js', 'model.js'));

const nl = new Set(I18N_KEYS.nl);
const en = new Set(I18N_KEYS.en);
assert.deepEqual([...nl].filter((k) => !en.has(k)), [], 'keys in Dutch without English');
assert.deepEqual([...en].filter((k) => !nl.has(k)), [], 'keys in English without Dutch');
for (const lang of ['nl', 'en']) {
  setLang(lang);
  for (const k of nl) assert.ok(t(k).trim() !== '', `${lang}: empty ${k}`);
}

// Keys used in the code: t('x'), t("x"), label('ns', 'code') with a literal code.
function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(path.join(dir, d.name)) : d.name.endsWith('.js') ? [path.join(dir, d.name)] : []));
}
const used = new Map();
for (const file of walk(path.join(WEB, 'js')).filter((f) => !f.endsWith('i18n.js'))) {
  const src = fs.readFileSync(file, 'utf8');
  for (const m of src.matchAll(/\bt\(\s*'([a-z_][\w.]*)'/g)) used.set(m[1], file);
  for (const m of src.matchAll(/\blabel\(\s*'(\w+)',\s*'(\w+)'\s*\)/g)) used.set(`${m[1]}.${m[2]}`, file);
}
assert.ok(used.size > 100, `too few keys found (${used.size}): the scan is broken`);
const missing = [...used.keys()].filter((k) => !nl.has(k));
assert.deepEqual(missing, [], `keys used in the code but missing from the dictionary: ${missing.map((k) => `${k} (${path.basename(used.get(k))})`).join(', ')}`);

// The codes the API sends have labels in both languages.
for (const ns of ['state', 'role', 'verdict', 'outcome', 'status', 'severity', 'level']) {
  const codes = {
    state: ['draft', 'submitted', 'advised', 'approved', 'rejected', 'in_use', 'review_due', 'retired', 'needs_reassessment'],
    role: ['owner', 'cio_office', 'ciso', 'fg', 'jurist', 'procurement', 'admin', 'read_only'],
    verdict: ['allowed', 'exploration_only', 'not_allowed', 'prohibited'],
    outcome: ['positive', 'positive_with_conditions', 'negative', 'approved', 'rejected'],
    status: ['met', 'unmet', 'not_applicable'],
    severity: ['advise', 'warn', 'block', 'prohibit'],
    level: ['bewust', 'bekwaam', 'vloeiend', 'expert'],
  }[ns];
  for (const c of codes) assert.ok(nl.has(`${ns}.${c}`), `no label for ${ns}.${c}`);
}

// The dossier model: every label, hint and enum value in both languages.
let fields = 0;
function checkField(f, where) {
  fields++;
  assert.ok(f.label && f.label.nl && f.label.en, `${where}${f.path}: label`);
  if (f.hint) assert.ok(f.hint.nl && f.hint.en, `${where}${f.path}: hint`);
  for (const v of f.values || []) assert.ok(ENUM_LABELS[v] && ENUM_LABELS[v].nl && ENUM_LABELS[v].en, `${where}${f.path}: enum value ${v} has no label`);
  for (const sf of f.fields || []) checkField(sf, `${where}${f.path}[].`);
}
for (const s of SECTIONS) {
  assert.ok(s.title.nl && s.title.en, `section ${s.id}`);
  for (const f of s.fields) checkField(f, '');
}

// The dossier model covers every field of docs/dossier.md that a person fills in.
const doc = fs.readFileSync(path.join(HERE, '..', '..', 'docs', 'dossier.md'), 'utf8');
const yamlBlock = doc.slice(doc.indexOf('```yaml') + 7, doc.indexOf('```', doc.indexOf('```yaml') + 7));
const docPaths = [];
const stack = [];
for (const line of yamlBlock.split('\n')) {
  const m = /^( *)(- )?([a-z_0-9]+):/.exec(line);
  if (!m) continue;
  const indent = m[1].length + (m[2] ? 2 : 0);
  while (stack.length && stack[stack.length - 1].indent >= indent) stack.pop();
  const p = [...stack.map((s) => s.key), m[3]].join('.');
  stack.push({ indent, key: m[3] });
  docPaths.push(p);
}
const modelPaths = new Set();
for (const s of SECTIONS) for (const f of s.fields) {
  modelPaths.add(f.path);
  for (const sf of f.fields || []) modelPaths.add(`${f.path}.${sf.path}`);
}
const notInForm = new Set(['sluis_dossier', 'organisation', 'owner', 'purpose', 'use', 'data', 'prescan', 'ai_act', 'literacy', 'oversight', 'retention', 'publication', 'advice', 'decision']);
const uncovered = docPaths.filter((p) => !modelPaths.has(p) && !notInForm.has(p) && !/^(advice|decision)\./.test(p));
assert.deepEqual(uncovered, [], `dossier fields of docs/dossier.md missing from the editor: ${uncovered.join(', ')}`);

console.log(`i18n: ${nl.size} keys in both languages, ${used.size} used in the code; dossier model: ${fields} fields, ${docPaths.length} paths of docs/dossier.md covered`);
