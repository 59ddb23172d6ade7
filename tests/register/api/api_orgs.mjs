// api_orgs.mjs - the organisation-level API: an admin updates its organisation (ETag, the
// role-matrix override validated by the core), POST /check (unsaved dossier: same verdict,
// nothing stored), organisation policy files (lint errors with line:column, immutable versions,
// activate/deactivate, verdicts and pinned versions), and the instance operator creating
// organisations. Usage: node api_orgs.mjs sqlite|pg
import { readFileSync } from 'node:fs';
import { backend, freshDb, demo, serve, call, check, eq, done } from './lib.mjs';
import { OPERATOR, policyFile } from './routes.mjs';

const b = backend();
const db = freshDb(b);
const org = demo(db, 'voorbeeldstad', 'Gemeente Voorbeeldstad');
const other = demo(db, 'anderstad', 'Gemeente Anderstad');
const T = org.tokens;
const srv = await serve(db);
const B = srv.base;
const dossier = JSON.parse(readFileSync(new URL('./fixtures/dossier.json', import.meta.url)));
const ORG = '/api/v1/organisations/voorbeeldstad';
const Y = 'application/yaml';

async function auditCount() {
  return (await call(B, 'GET', '/api/v1/audit/verify', { token: T.admin })).json.entries;
}
const base = (await call(B, 'GET', '/api/v1/health')).json.policy_version;

// ---- organisations: read and update ----
let r = await call(B, 'GET', ORG, { token: T.read_only });
eq(r.status, 200, 'own organisation');
const etag0 = r.headers.get('etag');
check(/^"[0-9a-f]{16}"$/.test(etag0 || ''), 'organisation has an ETag', etag0);
check(r.json.layer === 'gemeente' && JSON.stringify(r.json.role_matrix) === '{}' && r.json.policy_version === base, 'no override yet', r.json);
const upd = { name: 'Gemeente Voorbeeldstad (nieuw)', layer: 'gemeente' };
r = await call(B, 'PUT', ORG, { token: T.admin, body: upd });
eq(r.status, 428, 'PUT without If-Match');
r = await call(B, 'PUT', ORG, { token: T.admin, body: upd, headers: { 'If-Match': '"0000000000000000"' } });
eq(r.status, 409, 'PUT with a stale ETag');
r = await call(B, 'PUT', ORG, { token: T.owner, body: upd, headers: { 'If-Match': etag0 } });
eq(r.status, 403, 'only admin updates the organisation');
r = await call(B, 'PUT', '/api/v1/organisations/anderstad', { token: T.admin, body: upd, headers: { 'If-Match': etag0 } });
eq(r.status, 404, 'another organisation does not exist for you');
const bad = [
  [{ ...upd, layer: 'land' }, '/layer'],
  [{ ...upd, colour: 'blue' }, '/colour'],
  [{ ...upd, id: 'anderstad' }, '/id'],
  [{ ...upd, role_matrix: { works_council: 'true' } }, '/role_matrix/works_council'],
  [{ ...upd, role_matrix: { owner: 'true' } }, '/role_matrix/owner'],
  [{ ...upd, role_matrix: { ciso: 3 } }, '/role_matrix/ciso'],
  [{ ...upd, role_matrix: { ciso: 'use.kindd == develop' } }, '/role_matrix/ciso'],
  [{ ...upd, role_matrix: { jurist: 'use.kind != unavoidable', fg: 'use.kind == consumerr' } }, '/role_matrix/fg'],
  [{ ...upd, role_matrix: { fg: 'derived.roles.missing contains ciso' } }, '/role_matrix/fg'],
  [{ ...upd, role_matrix: ['ciso'] }, '/role_matrix'],
];
const n0 = await auditCount();
for (const [body, field] of bad) {
  r = await call(B, 'PUT', ORG, { token: T.admin, body, headers: { 'If-Match': etag0 } });
  eq(r.status, 400, `bad organisation update ${JSON.stringify(body).slice(0, 80)}`);
  eq(r.json && r.json.error.field, field, 'the field is named', r.json);
}
check(r.json.error.message.length > 0, 'a message explains it');
eq(await auditCount(), n0, 'rejected updates store nothing');
r = await call(B, 'GET', ORG, { token: T.read_only });
eq(r.json.name, 'Gemeente Voorbeeldstad', 'name unchanged after rejected updates');

// a submitted application: which advice roles are required before and after the override
const APP = '/api/v1/applications/wmo-brieven-assistent';
const req0 = (await call(B, 'GET', APP + '/verdict', { token: T.read_only })).json.derived.roles.required;
r = await call(B, 'PUT', ORG, { token: T.admin, body: { ...upd, role_matrix: { ciso: 'false', jurist: 'true', fg: null } }, headers: { 'If-Match': etag0 } });
eq(r.status, 200, 'admin updates name and role matrix');
eq(r.json.name, upd.name, 'new name');
check(JSON.stringify(r.json.role_matrix) === JSON.stringify({ ciso: 'false', jurist: 'true' }), 'override stored (null = the default)', r.json);
check(r.json.policy_version.startsWith(base + '+role-matrix@'), 'policy version names the override', r.json.policy_version);
const etag1 = r.headers.get('etag');
check(etag1 && etag1 !== etag0, 'ETag changed');
const pvMatrix = r.json.policy_version;
r = await call(B, 'GET', APP + '/verdict', { token: T.read_only });
const req1 = r.json.derived.roles.required;
check(!req1.includes('ciso') && req1.includes('jurist'), 'the verdict uses the override', { req0, req1 });
eq(r.json.policy_version, pvMatrix, 'verdict names the organisation policy version');
eq((await call(B, 'GET', '/api/v1/me', { token: T.owner })).json.policy_version, pvMatrix, '/me names it too');
// the other organisation is untouched
r = await call(B, 'GET', APP + '/verdict', { token: other.tokens.read_only });
eq(r.json.policy_version, base, 'other organisation keeps the base policy');
check(r.json.derived.roles.required.includes('ciso') === req0.includes('ciso'), 'other organisation keeps the default matrix');
// the same PUT again: no new version of the override
r = await call(B, 'PUT', ORG, { token: T.admin, body: { ...upd, role_matrix: { jurist: 'true', ciso: 'false' } }, headers: { 'If-Match': etag1 } });
eq(r.status, 200, 'same override again');
eq(r.json.policy_version, pvMatrix, 'same content, same version');
// name only: the override stays
r = await call(B, 'PUT', ORG, { token: T.admin, body: { name: 'Gemeente Voorbeeldstad', layer: 'gemeente' }, headers: { 'If-Match': r.headers.get('etag') } });
eq(r.status, 200, 'rename only');
eq(r.json.policy_version, pvMatrix, 'without role_matrix the override is kept');
// back to the default matrix
r = await call(B, 'PUT', ORG, { token: T.admin, body: { name: 'Gemeente Voorbeeldstad', layer: 'gemeente', role_matrix: null }, headers: { 'If-Match': r.headers.get('etag') } });
eq(r.status, 200, 'override removed');
eq(r.json.policy_version, base, 'back on the base policy');
check(JSON.stringify((await call(B, 'GET', APP + '/verdict', { token: T.read_only })).json.derived.roles.required) === JSON.stringify(req0), 'default matrix again');
// an old verdict version stays reproducible
r = await call(B, 'GET', APP + '/verdict?policy=' + encodeURIComponent(pvMatrix), { token: T.read_only });
eq(r.status, 200, 'verdict under the earlier override version');
check(!r.json.derived.roles.required.includes('ciso'), 'earlier override applied');
r = await call(B, 'GET', APP + '/verdict?policy=' + encodeURIComponent(pvMatrix), { token: other.tokens.read_only });
eq(r.status, 404, "another organisation's policy version is unknown to you");
r = await call(B, 'GET', '/api/v1/audit?kind=organisation&limit=1000', { token: T.admin });
check(r.json.items.some((e) => e.action === 'update' && e.object_id === 'voorbeeldstad'), 'organisation update audited', r.json.items.length);

// ---- POST /check ----
const clean = { ...dossier, id: 'nog-niet-opgeslagen' };
const apps0 = (await call(B, 'GET', '/api/v1/applications', { token: T.owner })).json.total;
const n1 = await auditCount();
r = await call(B, 'POST', '/api/v1/check?lang=en', { token: T.read_only, body: clean });
eq(r.status, 200, 'check an unsaved dossier (read_only may)');
check(typeof r.json.verdict === 'string' && Array.isArray(r.json.findings) && typeof r.json.permits === 'boolean', 'verdict JSON', r.json);
eq(r.json.application, 'nog-niet-opgeslagen', 'names the dossier');
eq(r.json.lang, 'en', 'lang honoured');
const checked = r.json;
eq((await call(B, 'GET', '/api/v1/applications', { token: T.owner })).json.total, apps0, 'check stores no application');
eq(await auditCount(), n1, 'check writes no audit entry');
r = await call(B, 'GET', '/api/v1/applications/nog-niet-opgeslagen', { token: T.owner });
eq(r.status, 404, 'checked dossier is not stored');
// the same dossier saved: the same verdict
r = await call(B, 'POST', '/api/v1/applications', { token: T.owner, body: clean });
eq(r.status, 201, 'save it');
r = await call(B, 'GET', '/api/v1/applications/nog-niet-opgeslagen/verdict?lang=en', { token: T.read_only });
eq(r.json.verdict, checked.verdict, 'saved verdict equals the check');
eq(JSON.stringify(r.json.findings), JSON.stringify(checked.findings), 'same findings');
eq(JSON.stringify(r.json.derived), JSON.stringify(checked.derived), 'same derived facts');
r = await call(B, 'POST', '/api/v1/check?env=exploration&date=2026-02-01', { token: T.jurist, body: clean });
eq(r.json.environment, 'exploration', '?env= chooses the environment');
eq(r.json.eval_date, '2026-02-01', '?date= is the evaluation date');
r = await call(B, 'POST', '/api/v1/check?environment=mars', { token: T.jurist, body: clean });
eq(r.status, 400, 'bad environment');
// malformed dossiers: the loader's errors, exactly as when saving
const broken = [
  { ...clean, use: { ...clean.use, kind: 'zzz' } },
  { ...clean, colour: 'blue' },
  { ...clean, models: 'none' },
];
for (const d of broken) {
  const c = await call(B, 'POST', '/api/v1/check', { token: T.owner, body: d });
  const s = await call(B, 'POST', '/api/v1/applications', { token: T.owner, body: { ...d, id: 'x-broken' } });
  eq(c.status, 400, 'malformed dossier 400');
  check(c.json.error.field && c.json.error.field === s.json.error.field && c.json.error.message === s.json.error.message, 'same error as the loader gives on save', [c.json, s.json]);
}
r = await call(B, 'POST', '/api/v1/check', { token: T.owner, raw: '{"sluis_dossier": 1,' });
eq(r.status, 400, 'malformed JSON');
r = await call(B, 'POST', '/api/v1/check', { token: T.owner, raw: 'id=x', ctype: 'application/x-www-form-urlencoded' });
eq(r.status, 415, 'form body 415');
r = await call(B, 'POST', '/api/v1/check', { body: clean });
eq(r.status, 401, 'check needs a token');
eq(await auditCount(), n1 + 1, 'only the save was audited');

// ---- organisation policy files ----
const up = (yaml, token = T.admin, q = '') => call(B, 'POST', '/api/v1/policies' + q, { token, raw: yaml, ctype: Y });
const n2 = await auditCount();
r = await up(policyFile('1').replace('severity: block', 'severity: blok').replace('requires: use.human_review', 'requires: use.human_revieuw'));
eq(r.status, 400, 'lint errors: 400');
eq(r.json.error.code, 'invalid_policy', 'error code');
check(Array.isArray(r.json.error.errors) && r.json.error.errors.length === 2, 'every lint error is listed', r.json);
check(r.json.error.errors.every((e) => e.line > 0 && e.column > 0), 'each with line and column', r.json.error.errors);
check(/^beleidsbestand ongeldig \/ invalid policy file: \d+:\d+: /.test(r.json.error.message), 'message starts with line:column', r.json.error.message);
r = await up(policyFile('1').replace('id: ORG-T1', 'id: SP-01a'));
eq(r.status, 400, 'a base rule id cannot be replaced');
check(r.json.error.errors[0].line === 17 && /SP-01a/.test(r.json.error.message), 'clash named with its line', r.json);
r = await up(policyFile('1').replace('  - id: jurist', '  - id: works_council'));
eq(r.status, 400, 'an advice role nobody can hold');
eq(r.json.error.errors[0].line, 11, 'its line');
r = await up(policyFile('1').replace('extends: standpunt-2025', 'extends: standpunt-1999'));
eq(r.status, 400, 'wrong base');
r = await up(policyFile('1 2'));
eq(r.status, 400, 'version with a space');
r = await up(policyFile('1').replace('id: org-test', 'id: role-matrix'));
eq(r.status, 400, 'reserved id');
r = await up(policyFile('1'), T.cio_office);
eq(r.status, 403, 'only admin uploads');
r = await call(B, 'POST', '/api/v1/policies', { token: T.admin, body: { source: policyFile('1') } });
eq(r.status, 415, 'JSON body 415');
r = await up('', T.admin);
eq(r.status, 400, 'empty file');
r = await up(policyFile('1'), T.admin, '?activate=maybe');
eq(r.status, 400, 'bad activate');
eq(await auditCount(), n2, 'rejected uploads store nothing');

r = await up(policyFile('1'));
eq(r.status, 201, 'upload v1');
check(r.json.id === 'org-test@1' && r.json.active === true && r.json.part === 'rules', 'active rules file', r.json);
eq(r.headers.get('location'), '/api/v1/policies/org-test@1', 'Location');
r = await up(policyFile('1').replace('severity: block', 'severity: warn'));
eq(r.status, 409, 'a stored version is never overwritten');
const PV1 = `${base}+org-test@1`;
r = await call(B, 'GET', '/api/v1/applications/nog-niet-opgeslagen/verdict?environment=production', { token: T.read_only });
eq(r.json.policy_version, PV1, 'verdict uses the active file');
const f1 = r.json.findings.find((f) => f.rule === 'ORG-T1');
check(f1 && f1.status === 'unmet', 'the extra rule counts (no human review)', f1);
check(r.json.derived.roles.required.includes('jurist'), "the file's role override counts");
r = await call(B, 'POST', '/api/v1/check?environment=production', { token: T.read_only, body: { ...clean, use: { ...clean.use, human_review: true } } });
eq(r.json.findings.find((f) => f.rule === 'ORG-T1').status, 'met', 'check uses the active file too');
r = await call(B, 'GET', '/api/v1/applications/nog-niet-opgeslagen/verdict', { token: other.tokens.read_only });
eq(r.status, 404, 'sanity: the app is not in B');
r = await call(B, 'POST', '/api/v1/check?environment=production', { token: other.tokens.read_only, body: clean });
check(!r.json.findings.some((f) => f.rule === 'ORG-T1') && r.json.policy_version === base, 'the other organisation does not get the file');
// v2 staged, then activated
r = await up(policyFile('2').replace('severity: block', 'severity: advise'), T.admin, '?activate=false');
eq(r.status, 201, 'upload v2 without activating');
eq(r.json.active, false, 'v2 inactive');
r = await call(B, 'GET', '/api/v1/policies', { token: T.read_only });
eq(r.json.effective_version, PV1, 'v1 still effective');
const own = r.json.items.filter((i) => i.kind === 'organisation' && i.part === 'rules');
check(own.length === 2 && own.some((i) => i.id === 'org-test@1' && i.active) && own.some((i) => i.id === 'org-test@2' && !i.active), 'list shows both files', own);
check(r.json.items.some((i) => i.kind === 'base' && i.current), 'and the base');
r = await call(B, 'POST', '/api/v1/policies/org-test@2/activate', { token: T.jurist });
eq(r.status, 403, 'only admin activates');
r = await call(B, 'POST', '/api/v1/policies/org-test@2/activate', { token: T.admin });
eq(r.status, 200, 'activate v2');
eq(r.json.active, true, 'v2 active');
r = await call(B, 'GET', '/api/v1/policies/org-test@1', { token: T.read_only });
check(r.status === 200 && r.json.active === false && r.json.source.includes('ORG-T1'), 'v1 deactivated, its source kept', r.json);
r = await call(B, 'GET', '/api/v1/applications/nog-niet-opgeslagen/verdict?environment=production', { token: T.read_only });
eq(r.json.policy_version, `${base}+org-test@2`, 'verdict uses v2');
eq(r.json.findings.find((f) => f.rule === 'ORG-T1').severity, 'advise', 'with its severity');
r = await call(B, 'GET', '/api/v1/applications/nog-niet-opgeslagen/verdict?environment=production&policy=' + encodeURIComponent(PV1), { token: T.read_only });
eq(r.json.findings.find((f) => f.rule === 'ORG-T1').severity, 'block', 'the pinned v1 stays reproducible');
r = await call(B, 'GET', '/api/v1/applications/nog-niet-opgeslagen/verdict?environment=production&policy=org-test@1', { token: T.read_only });
check(r.status === 200 && r.json.policy_version === PV1, 'a file of its own by its id@version: on the current base (the web diff uses list versions)', r.json);
r = await call(B, 'GET', '/api/v1/applications/nog-niet-opgeslagen/verdict?policy=org-test@1', { token: other.tokens.read_only });
eq(r.status, 404, 'sanity: not in B');
r = await call(B, 'GET', '/api/v1/applications/chatbot-vraag-voorbeeldstad/verdict?policy=org-test@1', { token: other.tokens.read_only });
eq(r.status, 404, "another organisation's file by its id@version: unknown");
// the role-matrix override comes on top of the file
r = await call(B, 'GET', ORG, { token: T.admin });
r = await call(B, 'PUT', ORG, { token: T.admin, body: { name: 'Gemeente Voorbeeldstad', layer: 'gemeente', role_matrix: { jurist: 'false' } }, headers: { 'If-Match': r.headers.get('etag') } });
eq(r.status, 200, 'override on top of the file');
check(r.json.policy_version.startsWith(`${base}+org-test@2+role-matrix@`), 'both parts in the version', r.json.policy_version);
r = await call(B, 'GET', '/api/v1/applications/nog-niet-opgeslagen/verdict', { token: T.read_only });
check(!r.json.derived.roles.required.includes('jurist'), 'the organisation override wins over the file');
r = await call(B, 'GET', ORG, { token: T.admin });
await call(B, 'PUT', ORG, { token: T.admin, body: { name: 'Gemeente Voorbeeldstad', layer: 'gemeente', role_matrix: {} }, headers: { 'If-Match': r.headers.get('etag') } });
// deactivate: back to the base
r = await call(B, 'POST', '/api/v1/policies/org-test@2/deactivate', { token: T.admin });
eq(r.status, 200, 'deactivate');
r = await call(B, 'GET', '/api/v1/policies', { token: T.read_only });
eq(r.json.effective_version, base, 'base only again');
// more versions than the server keeps loaded (64): the least recently used sets are dropped and
// reloaded from the stored files when asked again, with the same result
{
  const first = [];
  for (let i = 0; i < 70; i++) {
    const u = await up(policyFile(`lru-${i}`).replace('severity: block', i % 2 ? 'severity: warn' : 'severity: block'));
    eq(u.status, 201, `upload lru-${i}`);
    const v = await call(B, 'GET', '/api/v1/applications/nog-niet-opgeslagen/verdict?environment=production', { token: T.read_only });
    if (i < 3) first.push([v.json.policy_version, v.json.findings.find((f) => f.rule === 'ORG-T1').severity]);
  }
  for (const [pv, sev] of first) {
    const v = await call(B, 'GET', '/api/v1/applications/nog-niet-opgeslagen/verdict?environment=production&policy=' + encodeURIComponent(pv), { token: T.read_only });
    eq(v.status, 200, `evicted version ${pv} reloads`);
    eq(v.json.findings.find((f) => f.rule === 'ORG-T1').severity, sev, 'with the same verdict');
  }
  r = await call(B, 'POST', '/api/v1/policies/org-test@2/deactivate', { token: T.admin });
  r = await call(B, 'GET', '/api/v1/policies', { token: T.read_only });
  const act = r.json.items.find((i) => i.part === 'rules' && i.active);
  await call(B, 'POST', `/api/v1/policies/${act.id}/deactivate`, { token: T.admin });
}
// isolation of the files
r = await call(B, 'GET', '/api/v1/policies/org-test@1', { token: other.tokens.admin });
eq(r.status, 404, "another organisation's file: 404");
r = await call(B, 'POST', '/api/v1/policies/org-test@1/activate', { token: other.tokens.admin });
eq(r.status, 404, "activating another organisation's file: 404");
r = await call(B, 'GET', '/api/v1/policies', { token: other.tokens.read_only });
check(!r.json.items.some((i) => i.kind === 'organisation'), "the other organisation lists none of A's files");
r = await call(B, 'POST', '/api/v1/policies/nope@1/activate', { token: T.admin });
eq(r.status, 404, 'unknown file');
r = await call(B, 'GET', '/api/v1/audit?kind=org_policy&limit=1000', { token: T.admin });
const acts = r.json.items.map((e) => e.action);
check(acts.includes('create') && acts.includes('activate') && acts.includes('deactivate'), 'uploads and (de)activations audited', acts);
eq((await call(B, 'GET', '/api/v1/audit/verify', { token: T.admin })).json.ok, true, 'audit chain verifies');

// ---- the instance operator creates organisations ----
const neworg = { id: 'nieuwdorp', name: 'Gemeente Nieuwdorp', layer: 'gemeente', admin: { id: 'nieuwdorp.beheer', name: 'Beheer', email: 'beheer@nieuwdorp.example' } };
r = await call(B, 'POST', '/api/v1/organisations', { token: T.admin, body: neworg });
eq(r.status, 403, 'an organisation admin cannot create organisations');
r = await call(B, 'POST', '/api/v1/organisations', { body: neworg });
eq(r.status, 401, 'no token 401');
r = await call(B, 'POST', '/api/v1/organisations', { token: OPERATOR, body: { ...neworg, layer: 'land' } });
eq(r.status, 400, 'bad layer');
eq(r.json.error.field, '/layer', 'field named');
r = await call(B, 'POST', '/api/v1/organisations', { token: OPERATOR, body: { ...neworg, admin: { id: 'x' } } });
eq(r.json.error.field, '/admin/name', 'admin field named');
r = await call(B, 'POST', '/api/v1/organisations', { token: OPERATOR, body: { ...neworg, admin: { ...neworg.admin, id: org.users.owner } } });
eq(r.status, 409, 'an existing user id');
r = await call(B, 'POST', '/api/v1/organisations', { token: OPERATOR, body: { ...neworg, id: 'system' } });
eq(r.status, 409, 'reserved id');
r = await call(B, 'POST', '/api/v1/organisations', { token: OPERATOR, body: neworg });
eq(r.status, 201, 'operator creates an organisation');
check(/^sluis_[0-9a-f]{64}$/.test(r.json.token) && r.json.admin.id === 'nieuwdorp.beheer', 'with its first admin and token', r.json);
const NT = r.json.token;
r = await call(B, 'POST', '/api/v1/organisations', { token: OPERATOR, body: { ...neworg, admin: { id: 'nieuwdorp.twee', name: 'T' } } });
eq(r.status, 409, 'organisation exists');
r = await call(B, 'GET', '/api/v1/me', { token: NT });
check(r.status === 200 && r.json.organisation.id === 'nieuwdorp' && r.json.roles.includes('admin'), 'the new admin works', r.json);
eq((await call(B, 'GET', '/api/v1/applications', { token: NT })).json.total, 0, 'the new organisation sees no applications');
eq((await call(B, 'GET', ORG, { token: NT })).status, 404, 'nor other organisations');
eq((await call(B, 'GET', '/api/v1/users', { token: NT })).json.total, 1, 'only its own admin');
r = await call(B, 'POST', '/api/v1/users', { token: NT, body: { id: 'nieuwdorp.eigenaar', name: 'E', roles: ['owner'] } });
eq(r.status, 201, 'the new admin adds users');
for (const p of ['/api/v1/applications', '/api/v1/users', '/api/v1/audit', ORG, '/api/v1/me', '/api/v1/policies']) {
  r = await call(B, 'GET', p, { token: OPERATOR });
  eq(r.status, 403, `operator cannot read ${p}`);
}
r = await call(B, 'GET', '/api/v1/audit?kind=organisation&limit=1000', { token: NT });
check(r.json.items.some((e) => e.actor === 'operator' && e.action === 'create'), 'the creation is audited in the new organisation', r.json.items);
await srv.stop();

// without an operator token no one creates organisations
delete process.env.SLUIS_OPERATOR_TOKEN;
const srv2 = await serve(db);
r = await call(srv2.base, 'POST', '/api/v1/organisations', { token: OPERATOR, body: { ...neworg, id: 'x2' } });
eq(r.status, 401, 'operator token unknown when not configured');
r = await call(srv2.base, 'GET', '/api/v1/me', { token: NT });
eq(r.status, 200, 'the created organisation survives a restart');
await srv2.stop();
done();
