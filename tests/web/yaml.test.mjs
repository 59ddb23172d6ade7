// yaml.test.mjs - the dossier editor's YAML reader/writer (web/js/yaml.js), in node:
// known documents, error positions, and a deterministic random round-trip / garbage run.
import assert from 'node:assert/strict';
import { parseYaml, toYaml, YamlError } from '../../web/js/yaml.js';

let failures = 0;
function test(name, fn) {
  try { fn(); console.log('ok   ' + name); }
  catch (e) { failures++; console.log('FAIL ' + name + '\n     ' + (e && e.stack || e)); }
}

const DOSSIER = `# a dossier
sluis_dossier: 1
id: utrecht-chatbot
name: Chatbot "Vraag het Utrecht"
organisation:
  name: Gemeente Utrecht   # comment
  layer: gemeente
purpose:
  description: |
    Beantwoordt vragen van inwoners.
    Tweede regel.
  alternatives:
  - option: FAQ-pagina
    rejected_because: >-
      te weinig
      bereik
use:
  kind: procure
  environment: pilot
  users: [internal, citizens]
  citizen_facing: true
  exploration_end: 2026-03-01
models:
  - name: 'GPT-4o'
    provider: "azure-openai"
    open_source: false
    training_flops: 3e24
data:
  categories: []
  sources: {}
  subject_count: 12000
`;

test('reads a dossier', () => {
  const d = parseYaml(DOSSIER);
  assert.equal(d.sluis_dossier, 1);
  assert.equal(d.name, 'Chatbot "Vraag het Utrecht"');
  assert.equal(d.organisation.name, 'Gemeente Utrecht');
  assert.equal(d.purpose.description, 'Beantwoordt vragen van inwoners.\nTweede regel.\n');
  assert.deepEqual(d.purpose.alternatives, [{ option: 'FAQ-pagina', rejected_because: 'te weinig bereik' }]);
  assert.deepEqual(d.use.users, ['internal', 'citizens']);
  assert.equal(d.use.citizen_facing, true);
  assert.equal(d.use.exploration_end, '2026-03-01');
  assert.equal(d.models[0].name, 'GPT-4o');
  assert.equal(d.models[0].provider, 'azure-openai');
  assert.equal(d.models[0].training_flops, 3e24);
  assert.deepEqual(d.data.categories, []);
  assert.deepEqual(d.data.sources, {});
  assert.equal(d.data.subject_count, 12000);
});

test('writes and reads back the same dossier', () => {
  const d = parseYaml(DOSSIER);
  const text = toYaml(d);
  assert.deepEqual(parseYaml(text), d);
  assert.match(text, /^sluis_dossier: 1$/m);
  assert.match(text, /^ {2}description: \|$/m);
});

test('reads JSON', () => {
  assert.deepEqual(parseYaml('{"a": [1, {"b": null}], "c": "x"}'), { a: [1, { b: null }], c: 'x' });
});

test('quotes strings that would read back as something else', () => {
  for (const s of ['true', 'no', 'null', '~', '12', '1.5', '3e24', '', ' lead', 'trail ', 'a: b', 'x #y', '- x', '#c', '"q"', "'q'", '[a]', '{a}', '*a', '&a', '!t', '|', '>', '@x', '%x', 'tab\there', 'ü ñ 漢字', 'line\r', '\u2028', '---', '...']) {
    const back = parseYaml(toYaml({ k: s }));
    assert.deepEqual(back, { k: s }, JSON.stringify(s));
  }
});

test('keeps multi-line text exactly', () => {
  for (const s of ['a\nb', 'a\nb\n', 'a\n\nb\n', 'a\nb\n\n', '\nlead', ' indented\nx', 'x\n  y\n', 'trailing \nspace', 'tab\t\nx']) {
    assert.deepEqual(parseYaml(toYaml({ k: s, l: [s] })), { k: s, l: [s] }, JSON.stringify(s));
  }
});

function expectError(src, line, re) {
  let err;
  try { parseYaml(src); } catch (e) { err = e; }
  assert.ok(err instanceof YamlError, `expected a YamlError for ${JSON.stringify(src)}, got ${err}`);
  if (line !== undefined) assert.equal(err.line, line, `line for ${JSON.stringify(src)}: ${err.message}`);
  if (re) assert.match(err.reason, re);
}

test('refuses what it does not support, with the line', () => {
  expectError('a: 1\nb: &x 2\n', 2, /anchors/);
  expectError('a: 1\nb: *x\n', 2, /aliases/);
  expectError('a: !!str 1\n', 1, /tags/);
  expectError('a: 1\na: 2\n', 2, /duplicate/);
  expectError('a:\n\tb: 1\n', 2, /tabs/);
  expectError('a: "open\n', 1, /unterminated/);
  expectError('a: b\n  c\n', 2, /multi-line/);
  expectError('a: 1\n- b\n', 2);
  expectError('- a\nb: 1\n', 2);
  expectError('a: [1, 2\n', 1, /unterminated/);
  expectError('a: 1\n---\nb: 2\n', 2, /one document/);
  expectError('a: "\\q"\n', 1, /escape/);
  expectError('__proto__: 1\n', 1, /__proto__/);
  expectError('x'.repeat(1024 * 1024 + 1), undefined, /1 MiB/);
  expectError('a:\n' + Array.from({ length: 80 }, (_, i) => ' '.repeat(2 * (i + 1)) + 'a:').join('\n') + '\n', undefined, /deeply/);
});

// Deterministic PRNG so a failure reproduces.
let seed = 0x5eed1234;
function rnd(n) { seed = (seed * 1103515245 + 12345) >>> 0; return seed % n; }
const ALPH = 'abz AZ09-_:#"\'\n\t[]{},|>&*!%@`~\\/éü漢\u2028';
function rstr() { let s = ''; const n = rnd(12); for (let i = 0; i < n; i++) s += ALPH[rnd(ALPH.length)]; return s; }
function rkey() { const s = rstr(); return s === '__proto__' ? 'p' : s; }
function rval(depth) {
  switch (depth > 3 ? rnd(4) : rnd(7)) {
    case 0: return rstr();
    case 1: return rnd(2) === 0;
    case 2: return rnd(3) === 0 ? null : rnd(100000) - 50000;
    case 3: return rstr();
    case 4: case 5: { const o = {}; const n = rnd(4); for (let i = 0; i < n; i++) o[rkey()] = rval(depth + 1); return o; }
    default: { const a = []; const n = rnd(4); for (let i = 0; i < n; i++) a.push(rval(depth + 1)); return a; }
  }
}

test('random values round-trip (2000 cases)', () => {
  for (let i = 0; i < 2000; i++) {
    const v = { root: rval(0) };
    const text = toYaml(v);
    let back;
    try { back = parseYaml(text); } catch (e) { throw new Error(`case ${i}: ${e.message}\n${JSON.stringify(v)}\n${text}`); }
    assert.deepEqual(back, v, `case ${i}:\n${text}`);
  }
});

test('garbage never throws anything but YamlError (5000 cases)', () => {
  const PIECES = ['a', ': ', '- ', '\n', '  ', '"', "'", '|', '>-', '[', ']', '{', '}', ',', '#', '&', '*', '!', '---', '\t', 'true', '12', '\\', 'x: |\n', '  - ', '?', '%YAML'];
  for (let i = 0; i < 5000; i++) {
    let s = '';
    const n = rnd(30);
    for (let j = 0; j < n; j++) s += PIECES[rnd(PIECES.length)];
    try { parseYaml(s); } catch (e) { if (!(e instanceof YamlError)) throw new Error(`case ${i} ${JSON.stringify(s)}: ${e.stack}`); }
  }
});

if (failures) { console.log(`${failures} failed`); process.exit(1); }
console.log('all passed');
