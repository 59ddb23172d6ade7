// api_workflow.mjs - the register API end to end: bad input (400 naming the field, 413, JSON
// 404/405, 415, 401), ETag/If-Match (428, 409, concurrent edits), nothing partial stored, the
// workflow with role checks and the verdict gate, material change, date-driven findings,
// tokens, CSV import, literacy, audit. Usage: node api_workflow.mjs sqlite|pg
import { readFileSync } from 'node:fs';
import { backend, freshDb, demo, serve, call, check, eq, done } from './lib.mjs';

const b = backend();
const db = freshDb(b);
const org = demo(db, 'voorbeeldstad', 'Gemeente Voorbeeldstad');
const T = org.tokens;
const srv = await serve(db);
const B = srv.base;
const dossier = JSON.parse(readFileSync(new URL('./fixtures/dossier.json', import.meta.url)));

async function auditCount() {
  const r = await call(B, 'GET', '/api/v1/audit/verify', { token: T.admin });
  return r.json.entries;
}

// ---- bad input ----
let r = await call(B, 'GET', '/api/v1/nope', { token: T.owner });
eq(r.status, 404, 'unknown route is 404');
check(r.json && r.json.error && r.json.error.code === 'not_found', 'unknown route gives JSON error', r.json);
r = await call(B, 'GET', '/api/v1/applications/x/nope/deeper', {});
eq(r.status, 404, 'unknown deep route 404 (before auth)');
r = await call(B, 'DELETE', '/api/v1/me', { token: T.owner });
eq(r.status, 405, 'wrong method is 405');
check((r.headers.get('allow') || '').includes('GET'), 'Allow header names GET');
r = await call(B, 'GET', '/api/v1/applications', {});
eq(r.status, 401, 'no token is 401');
r = await call(B, 'GET', '/api/v1/applications', { token: 'sluis_' + '0'.repeat(64) });
eq(r.status, 401, 'unknown token is 401');
check(r.headers.get('x-request-id'), 'X-Request-Id on every response');

const before = await auditCount();
const listBefore = (await call(B, 'GET', '/api/v1/applications', { token: T.owner })).json.total;
r = await call(B, 'POST', '/api/v1/applications', { token: T.owner, raw: '{"sluis_dossier": 1,' });
eq(r.status, 400, 'malformed JSON is 400');
eq(r.json.error.code, 'invalid_json', 'malformed JSON error code');
r = await call(B, 'POST', '/api/v1/applications', { token: T.owner, raw: '[1,2]' });
eq(r.status, 400, 'non-object body is 400');
r = await call(B, 'POST', '/api/v1/applications', { token: T.owner, body: { ...dossier, name: 5 } });
eq(r.status, 400, 'wrong type is 400');
eq(r.json.error.field, '/name', 'wrong type names the field');
r = await call(B, 'POST', '/api/v1/applications', { token: T.owner, body: { ...dossier, bogus: true } });
eq(r.status, 400, 'unknown field is 400');
eq(r.json.error.field, '/bogus', 'unknown field named');
r = await call(B, 'POST', '/api/v1/applications', { token: T.owner, body: { ...dossier, use: { ...dossier.use, environment: 'moon' } } });
eq(r.status, 400, 'bad enum is 400');
eq(r.json.error.field, '/use/environment', 'nested field named');
r = await call(B, 'POST', '/api/v1/providers', { token: T.procurement, body: { id: 'p1', name: 'P', colour: 'red' } });
eq(r.status, 400, 'provider unknown field 400');
eq(r.json.error.field, '/colour', 'provider unknown field named');
r = await call(B, 'POST', '/api/v1/providers', { token: T.procurement, body: { id: 'p1', name: 7 } });
eq(r.json.error.field, '/name', 'provider wrong type named');
r = await call(B, 'POST', '/api/v1/models', { token: T.procurement, body: { id: 'm1', name: 'M', provider: 'nobody', terms: 'business' } });
eq(r.status, 400, 'model with unknown provider 400');
eq(r.json.error.field, '/provider', 'reference field named');
r = await call(B, 'POST', '/api/v1/agreements', { token: T.procurement, body: { provider: 'mistral-ai', valid_until: '2026-02-30' } });
eq(r.status, 400, 'impossible date 400');
eq(r.json.error.field, '/valid_until', 'date field named');
r = await call(B, 'POST', '/api/v1/applications', { token: T.owner, raw: JSON.stringify(dossier), ctype: 'text/plain' });
eq(r.status, 415, 'wrong content type 415');
const big = JSON.stringify({ ...dossier, exit_plan: 'x'.repeat(1100 * 1024) });
r = await call(B, 'POST', '/api/v1/applications', { token: T.owner, raw: big });
eq(r.status, 413, 'body over the limit is 413');
check(r.json && r.json.error && r.json.error.code === 'payload_too_large', '413 has JSON error', r.json);
eq(await auditCount(), before, 'nothing stored by rejected requests (audit)');
eq((await call(B, 'GET', '/api/v1/applications', { token: T.owner })).json.total, listBefore, 'nothing stored by rejected requests (list)');

// ---- create, ETag, If-Match ----
r = await call(B, 'POST', '/api/v1/applications', { token: T.jurist, body: dossier });
eq(r.status, 403, 'jurist may not register applications');
r = await call(B, 'POST', '/api/v1/applications', { token: T.owner, body: { ...dossier, decision: { by: 'me', role: 'owner', outcome: 'approved', environment: 'production' } } });
eq(r.status, 201, 'owner registers an application');
eq(r.json.state, 'draft', 'new application is draft');
check(!('decision' in r.json.content), 'a decision in the body is not taken over');
eq(r.headers.get('etag'), '"1"', 'ETag is the version');
r = await call(B, 'POST', '/api/v1/applications', { token: T.owner, body: dossier });
eq(r.status, 409, 'duplicate id is 409');
const A = '/api/v1/applications/test-chatbot';
r = await call(B, 'PUT', A, { token: T.owner, body: dossier });
eq(r.status, 428, 'PUT without If-Match is 428');
r = await call(B, 'PUT', A, { token: T.owner, body: { ...dossier, name: 'Chatbot 2' }, ifMatch: 1 });
eq(r.status, 200, 'PUT with the right If-Match');
eq(r.headers.get('etag'), '"2"', 'version bumped');
r = await call(B, 'PUT', A, { token: T.owner, body: { ...dossier, name: 'Chatbot 3' }, ifMatch: 1 });
eq(r.status, 409, 'stale If-Match is 409');
r = await call(B, 'PUT', A, { token: T.owner, body: { ...dossier, id: 'other' }, ifMatch: 2 });
eq(r.status, 400, 'id differing from the path is 400');
// concurrent edits with the same version: exactly one wins
const rs = await Promise.all([1, 2, 3, 4].map((i) => call(B, 'PUT', A, { token: T.owner, body: { ...dossier, name: 'Race ' + i }, ifMatch: 2 })));
eq(rs.filter((x) => x.status === 200).length, 1, 'one concurrent edit wins');
eq(rs.filter((x) => x.status === 409).length, 3, 'the others get 409');
r = await call(B, 'GET', A, { token: T.read_only });
eq(r.json.version, 3, 'version after the race');
check(r.json.content.name.startsWith('Race '), 'the winning content is stored whole');

// ---- workflow ----
r = await call(B, 'POST', A + '/advice', { token: T.ciso, body: { role: 'ciso', outcome: 'positive' } });
eq(r.status, 422, 'advice before submit is refused');
r = await call(B, 'POST', A + '/submit', { token: T.jurist });
eq(r.status, 403, 'jurist cannot submit');
r = await call(B, 'POST', A + '/submit', { token: T.owner });
eq(r.status, 200, 'owner submits');
eq(r.json.state, 'submitted', 'state submitted');
r = await call(B, 'POST', A + '/decision', { token: T.ciso, body: { outcome: 'approved' } });
eq(r.status, 403, 'only the owner decides');
r = await call(B, 'POST', A + '/decision', { token: T.owner, body: { outcome: 'approved', environment: 'production' } });
eq(r.status, 422, 'approval without advice is refused');
check(Array.isArray(r.json.error.findings) && r.json.error.findings.some((f) => f.rule === 'SP-02a'), 'refusal returns the failing findings', r.json);
r = await call(B, 'POST', A + '/advice', { token: T.cio_office, body: { role: 'ciso', outcome: 'positive' } });
eq(r.status, 403, 'advice only in a role the user holds');
r = await call(B, 'POST', A + '/advice', { token: T.cio_office, body: { role: 'cio_office', outcome: 'positive', extra: 1 } });
eq(r.status, 400, 'advice with unknown field');
eq(r.json.error.field, '/extra', 'advice unknown field named');
for (const [role, tok] of [['cio_office', T.cio_office], ['ciso', T.ciso], ['jurist', T.jurist]]) {
  r = await call(B, 'POST', A + '/advice', { token: tok, body: { role, outcome: 'positive' } });
  eq(r.status, 201, `advice by ${role}`);
}
r = await call(B, 'GET', A, { token: T.owner });
eq(r.json.state, 'advised', 'all required roles advised -> advised');
eq(r.json.content.advice.length, 3, 'advice recorded in the dossier');
r = await call(B, 'POST', A + '/decision', { token: T.owner, body: { outcome: 'approved', environment: 'production', conditions: 'Evaluatie na zes maanden.' } });
eq(r.status, 201, 'owner approves when the verdict permits');
eq(r.json.application.state, 'approved', 'state approved');
check(/^[0-9a-f]{64}$/.test(r.json.decision.content.dossier_hash), 'decision pins the dossier hash');
check(r.json.decision.content.policy_version.startsWith('standpunt-2025@'), 'decision pins the policy version');
r = await call(B, 'GET', A + '/verdict', { token: T.read_only });
eq(r.status, 200, 'verdict');
eq(r.json.permits, true, 'verdict permits after approval');
eq(r.json.verdict, 'allowed', 'verdict allowed');
r = await call(B, 'GET', A + '/verdict?date=2027-06-01', { token: T.read_only });
check(r.json.findings.some((f) => f.status === 'unmet' && f.rule === 'G-05'), 'a passed review date is a finding by itself', r.json.summary);
r = await call(B, 'GET', A + '/verdict?date=2026-13-01', { token: T.read_only });
eq(r.status, 400, 'bad date 400');
r = await call(B, 'GET', A + '/verdict?environment=mars', { token: T.read_only });
eq(r.status, 400, 'bad environment 400');
// non-material change keeps the decision; material change needs re-assessment
let cur = await call(B, 'GET', A, { token: T.owner });
r = await call(B, 'PUT', A, { token: T.owner, body: { ...dossier, name: 'Chatbot definitief' }, ifMatch: cur.json.version });
eq(r.status, 200, 'non-material PUT');
eq(r.json.state, 'approved', 'non-material change keeps approved');
r = await call(B, 'POST', A + '/transition', { token: T.owner, body: { to: 'in_use' } });
eq(r.status, 200, 'approved -> in_use');
const changed = JSON.parse(JSON.stringify(dossier));
changed.name = 'Chatbot definitief';
changed.models[0].version = '2501';
r = await call(B, 'PUT', A, { token: T.owner, body: changed, ifMatch: r.json.version });
eq(r.status, 200, 'material PUT');
eq(r.json.state, 'needs_reassessment', 'material change -> needs_reassessment');
r = await call(B, 'GET', A + '/verdict', { token: T.read_only });
check(r.json.findings.some((f) => f.status === 'unmet' && f.rule === 'SP-02b'), 'old decision no longer valid', r.json.summary);
r = await call(B, 'POST', A + '/transition', { token: T.owner, body: { to: 'in_use' } });
eq(r.status, 422, 'needs_reassessment cannot go in use');
r = await call(B, 'POST', A + '/transition', { token: T.owner, body: { to: 'flying' } });
eq(r.status, 400, 'unknown transition target 400');
r = await call(B, 'POST', A + '/submit', { token: T.owner });
eq(r.json.state, 'submitted', 're-submit after re-assessment');
// demo apps: every state is there
r = await call(B, 'GET', '/api/v1/applications?limit=1000', { token: T.read_only });
const states = new Set(r.json.items.map((i) => i.state));
for (const s of ['draft', 'submitted', 'advised', 'approved', 'rejected', 'in_use', 'review_due', 'retired', 'needs_reassessment'])
  check(states.has(s), `demo has an application in state ${s}`);
r = await call(B, 'GET', '/api/v1/applications?state=retired', { token: T.read_only });
check(r.json.items.length >= 1 && r.json.items.every((i) => i.state === 'retired'), 'state filter');
r = await call(B, 'GET', '/api/v1/applications?limit=0', { token: T.read_only });
eq(r.status, 400, 'limit=0 is 400');
// an exploration app becomes non-compliant when its time-box ended
r = await call(B, 'GET', '/api/v1/applications/code-assistent-ict/verdict', { token: T.read_only });
eq(r.json.permits, true, 'exploration app permitted today');
r = await call(B, 'GET', '/api/v1/applications/code-assistent-ict/verdict?date=2026-12-01', { token: T.read_only });
eq(r.json.permits, false, 'ended exploration period is non-compliant by itself');
// an expired register agreement makes a dossier that uses the provider non-compliant
const gpt = JSON.parse(JSON.stringify(dossier));
gpt.id = 'test-gpt';
gpt.models = [{ name: 'GPT-4o', provider: 'microsoft-azure-openai', terms: 'business', origin_country: 'US', hosting_region: 'eu', open_source: false }];
r = await call(B, 'POST', '/api/v1/applications', { token: T.owner, body: gpt });
eq(r.status, 201, 'app on a provider with an expired agreement');
r = await call(B, 'GET', '/api/v1/applications/test-gpt/verdict', { token: T.read_only });
check(r.json.findings.some((f) => f.status === 'unmet' && f.rule === 'SP-03c'), 'expired register agreement is a finding (SP-03c)', r.json.summary);
r = await call(B, 'GET', '/api/v1/applications/test-gpt/verdict?date=2025-12-01', { token: T.read_only });
check(r.json.findings.some((f) => f.status === 'met' && f.rule === 'SP-03c'), 'the same agreement before its end date is fine', r.json.summary);

// ---- assessments, objects ETag/delete ----
r = await call(B, 'POST', A + '/assessments', { token: T.fg, body: { kind: 'iama', status: 'in_progress', date: '2026-01-10' } });
eq(r.status, 201, 'fg records an assessment');
const asid = r.json.id;
r = await call(B, 'DELETE', '/api/v1/assessments/' + asid, { token: T.fg });
eq(r.status, 428, 'DELETE without If-Match 428');
r = await call(B, 'DELETE', '/api/v1/assessments/' + asid, { token: T.fg, ifMatch: 7 });
eq(r.status, 409, 'DELETE with stale If-Match 409');
r = await call(B, 'DELETE', '/api/v1/assessments/' + asid, { token: T.fg, ifMatch: 1 });
eq(r.status, 204, 'DELETE with If-Match');
r = await call(B, 'GET', '/api/v1/assessments/' + asid, { token: T.fg });
eq(r.status, 404, 'deleted');

// ---- tokens ----
r = await call(B, 'POST', '/api/v1/tokens', { token: T.jurist });
eq(r.status, 201, 'create own token');
const tok = r.json.token, tokId = r.json.id;
check(/^sluis_[0-9a-f]{64}$/.test(tok), 'token format');
r = await call(B, 'GET', '/api/v1/me', { token: tok });
eq(r.json.user_id, org.users.jurist, 'new token works');
r = await call(B, 'GET', '/api/v1/tokens', { token: T.jurist });
check(r.json.items.every((t) => !('token' in t)), 'token list never shows secrets');
r = await call(B, 'POST', '/api/v1/tokens', { token: T.jurist, body: { user_id: org.users.admin } });
eq(r.status, 403, 'no tokens for others unless admin');
r = await call(B, 'DELETE', '/api/v1/tokens/' + tokId, { token: T.jurist });
eq(r.status, 204, 'revoke');
r = await call(B, 'GET', '/api/v1/me', { token: tok });
eq(r.status, 401, 'revoked token is refused');

// ---- gateway keys ----
r = await call(B, 'POST', A + '/keys', { token: T.owner });
eq(r.status, 201, 'gateway key created');
check(/^sk-sluis-[0-9a-f]{48}$/.test(r.json.key), 'gateway key format');
check(/^[0-9a-f]{64}$/.test(r.json.content.sha256) && r.json.content.application === 'voorbeeldstad:test-chatbot', 'only the hash is stored, for the store id of the application', r.json.content);
const keyId = r.json.id;
r = await call(B, 'GET', A + '/keys', { token: T.read_only });
check(r.json.items.length === 1 && !r.text.includes('sk-sluis-'), 'key list without secrets');
r = await call(B, 'POST', A + '/keys', { token: T.jurist });
eq(r.status, 403, 'jurist cannot create gateway keys');
r = await call(B, 'DELETE', A + '/keys/' + keyId, { token: T.owner });
eq(r.status, 204, 'gateway key revoked');
r = await call(B, 'GET', '/api/v1/providers/mistral-ai', { token: T.read_only });
eq(r.json.content.id, 'mistral-ai', 'provider content carries its id (the gateway matches models[].provider on it)');

// ---- users ----
r = await call(B, 'POST', '/api/v1/users', { token: T.admin, body: { id: 'voorbeeldstad.nieuw', name: 'Nieuw', roles: ['read_only', 'wizard'] } });
eq(r.status, 400, 'unknown role 400');
eq(r.json.error.field, '/roles/1', 'unknown role named');
r = await call(B, 'POST', '/api/v1/users', { token: T.admin, body: { id: 'voorbeeldstad.nieuw', name: 'Nieuw', roles: ['read_only'] } });
eq(r.status, 201, 'admin creates a user');
r = await call(B, 'POST', '/api/v1/users', { token: T.owner, body: { id: 'voorbeeldstad.nieuw2', name: 'N', roles: ['admin'] } });
eq(r.status, 403, 'only admin creates users');

// ---- literacy ----
r = await call(B, 'POST', '/api/v1/training/import', { token: T.admin, raw: `user_id,course,level,date\n${org.users.read_only},Basis,bewust,2026-01-02\n${org.users.fg},Verdieping,Expert,2026-01-03\n`, ctype: 'text/csv' });
eq(r.status, 201, 'CSV import');
eq(r.json.imported, 2, 'two rows imported');
const tBefore = (await call(B, 'GET', '/api/v1/training?limit=1000', { token: T.admin })).json.total;
r = await call(B, 'POST', '/api/v1/training/import', { token: T.admin, raw: `user_id,course,level,date\n${org.users.fg},A,bewust,2026-01-02\n${org.users.fg},B,guru,2026-01-02\n`, ctype: 'text/csv' });
eq(r.status, 400, 'bad CSV row 400');
eq(r.json.error.field, '/line/3/level', 'bad CSV row and column named');
eq((await call(B, 'GET', '/api/v1/training?limit=1000', { token: T.admin })).json.total, tBefore, 'CSV import is all or nothing');
r = await call(B, 'POST', '/api/v1/training/import', { token: T.jurist, raw: 'user_id,course,level,date\n', ctype: 'text/csv' });
eq(r.status, 403, 'jurist cannot import training');
r = await call(B, 'GET', '/api/v1/literacy', { token: T.read_only });
eq(r.status, 200, 'org literacy');
check(r.json.users >= 8 && r.json.trained >= 8, 'auditor trained after import', r.json);
r = await call(B, 'GET', '/api/v1/applications/chatbot-vraag-voorbeeldstad/literacy', { token: T.read_only });
check(r.json.people_total >= 4 && Array.isArray(r.json.people), 'application literacy coverage', r.json);

// ---- policies, audit ----
r = await call(B, 'GET', '/api/v1/policies', { token: T.read_only });
check(r.json.items.some((p) => p.current), 'current policy listed');
const pv = r.json.items[0].version;
r = await call(B, 'GET', '/api/v1/policies/' + encodeURIComponent(pv), { token: T.read_only });
check(r.status === 200 && r.json.source.length > 1000, 'policy source available');
r = await call(B, 'GET', A + '/verdict?policy=' + encodeURIComponent(pv), { token: T.read_only });
eq(r.status, 200, 'verdict under a named policy version');
r = await call(B, 'GET', A + '/verdict?policy=nope@1', { token: T.read_only });
eq(r.status, 404, 'unknown policy version 404');
r = await call(B, 'GET', '/api/v1/audit?limit=1000', { token: T.read_only });
eq(r.status, 403, 'read_only cannot read the audit trail');
r = await call(B, 'GET', '/api/v1/audit?limit=1000', { token: T.fg });
check(r.status === 200 && r.json.items.some((e) => e.action === 'decision'), 'audit trail has the decision', r.status);
check(r.json.items.every((e) => e.org_id === 'voorbeeldstad' || e.org_id === ''), 'audit trail only of the own organisation');
r = await call(B, 'GET', A + '/audit', { token: T.owner });
check(r.json.items.length >= 5, 'application audit entries', r.json.items.length);
r = await call(B, 'GET', '/api/v1/audit/verify', { token: T.admin });
eq(r.json.ok, true, 'audit chain intact');
r = await call(B, 'GET', '/api/v1/openapi.json');
eq(r.json.openapi, '3.1.0', 'OpenAPI document served');
eq(await srv.stop(), 0, 'serve stops cleanly on SIGTERM');
await srv.stop();
done();
