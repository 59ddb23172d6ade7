// api_matrix.mjs - tenant isolation and roles: every route of openapi.json x every role x own /
// other organisation, compared with the expected matrix in matrix.json. Two demo
// municipalities share one register; nothing of one may show up for the other.
// Usage: node api_matrix.mjs sqlite|pg
import { readFileSync } from 'node:fs';
import { backend, freshDb, demo, serve, call, check, eq, done } from './lib.mjs';

const b = backend();
const db = freshDb(b);
const A = demo(db, 'voorbeeldstad', 'Gemeente Voorbeeldstad');
const Bo = demo(db, 'anderstad', 'Gemeente Anderstad');
const srv = await serve(db);
const S = srv.base;
const matrix = JSON.parse(readFileSync(new URL('./matrix.json', import.meta.url)));
const dossier = JSON.parse(readFileSync(new URL('./fixtures/dossier.json', import.meta.url)));
const openapi = (await call(S, 'GET', '/api/v1/openapi.json')).json;

async function must(p, what) {
  const r = await p;
  if (r.status >= 300) throw new Error(`${what}: ${r.status} ${r.text}`);
  return r.json;
}

// ---- fixtures in both organisations ----
async function fixtures(O, org) {
  const t = O.tokens;
  const f = {};
  f.org = org;
  f.user = (await must(call(S, 'POST', '/api/v1/users', { token: t.admin, body: { id: `${org}.extra`, name: 'Extra', roles: ['read_only'] } }), 'user')).id;
  f.token = (await must(call(S, 'POST', '/api/v1/tokens', { token: t.admin, body: { user_id: f.user } }), 'token')).id;
  const app = `${org}-geheim`;
  await must(call(S, 'POST', '/api/v1/applications', { token: t.owner, body: { ...dossier, id: app } }), 'app');
  await must(call(S, 'POST', `/api/v1/applications/${app}/submit`, { token: t.owner }), 'submit');
  f.advice = (await must(call(S, 'POST', `/api/v1/applications/${app}/advice`, { token: t.ciso, body: { role: 'ciso', outcome: 'positive' } }), 'advice')).id;
  f.assessment = (await must(call(S, 'POST', `/api/v1/applications/${app}/assessments`, { token: t.fg, body: { kind: 'iama', status: 'planned' } }), 'assessment')).id;
  f.provider = (await must(call(S, 'POST', '/api/v1/providers', { token: t.procurement, body: { id: `${org}-lev`, name: 'Leverancier' } }), 'provider')).id;
  f.model = (await must(call(S, 'POST', '/api/v1/models', { token: t.procurement, body: { id: `${org}-model`, name: 'M', provider: f.provider, terms: 'business' } }), 'model')).id;
  f.agreement = (await must(call(S, 'POST', '/api/v1/agreements', { token: t.procurement, body: { id: `${org}-ovk`, provider: f.provider, valid_until: '2027-01-01' } }), 'agreement')).id;
  f.training = (await must(call(S, 'POST', '/api/v1/training', { token: t.admin, body: { user: O.users.jurist, course: 'Basis', level: 'bewust', date: '2026-01-01' } }), 'training')).id;
  f.app = app;
  return f;
}
const fa = await fixtures(A, 'voorbeeldstad');
const fb = await fixtures(Bo, 'anderstad');
const policyVersion = (await call(S, 'GET', '/api/v1/policies', { token: A.tokens.read_only })).json.items[0].version;

// Which app a route works on in the own organisation (a state where the step makes sense).
function ownApp(route) {
  if (route.endsWith('/submit')) return 'notulen-samenvatter';
  if (route.endsWith('/transition')) return 'chatbot-vraag-voorbeeldstad';
  if (route.includes('/advice') && route.startsWith('POST')) return 'wmo-brieven-assistent';
  if (route.endsWith('/decision') && route.startsWith('POST')) return 'vergunningen-zoekhulp';
  if (route.endsWith('/decision')) return 'chatbot-vraag-voorbeeldstad';
  return fa.app;
}

function idFor(route, f, own) {
  const p = route.split(' ')[1];
  if (p.startsWith('/api/v1/applications/')) return own ? ownApp(route) : f.app;
  if (p.startsWith('/api/v1/organisations/')) return f.org;
  if (p.startsWith('/api/v1/users/')) return f.user;
  if (p.startsWith('/api/v1/tokens/')) return f.token;
  if (p.startsWith('/api/v1/assessments/')) return f.assessment;
  if (p.startsWith('/api/v1/advice/')) return f.advice;
  if (p.startsWith('/api/v1/providers/')) return f.provider;
  if (p.startsWith('/api/v1/models/')) return f.model;
  if (p.startsWith('/api/v1/agreements/')) return f.agreement;
  if (p.startsWith('/api/v1/training/')) return f.training;
  if (p.startsWith('/api/v1/policies/')) return encodeURIComponent(policyVersion);
  throw new Error('no id for ' + route);
}

let seq = 0;
function request(route, role, f, O, id) {
  const [method, p] = route.split(' ');
  const path = p.replace('{id}', id);
  const u = `${role}-${++seq}`;
  const o = { token: A.tokens[role] };
  const key = route;
  if (key === 'POST /api/v1/users') o.body = { id: `voorbeeldstad.n-${u}`, name: 'N', roles: ['read_only'] };
  else if (key === 'PUT /api/v1/users/{id}') o.body = { id, name: 'Extra', roles: ['read_only'] };
  else if (key === 'POST /api/v1/applications') o.body = { ...dossier, id: `m-${u}` };
  else if (key === 'PUT /api/v1/applications/{id}') { o.body = { ...dossier, id }; o.ifMatch = 999; }
  else if (key.startsWith('DELETE') && !key.includes('/users/') && !key.includes('/tokens/')) o.ifMatch = 999;
  else if (key.endsWith('/transition')) o.body = { to: 'in_use' };
  else if (key === 'POST /api/v1/applications/{id}/advice') o.body = { role: 'ciso', outcome: 'positive' };
  else if (key === 'POST /api/v1/applications/{id}/decision') o.body = { outcome: 'rejected' };
  else if (key === 'POST /api/v1/applications/{id}/assessments') o.body = { kind: 'iama', status: 'planned' };
  else if (key === 'PUT /api/v1/assessments/{id}') { o.body = { kind: 'dpia', status: 'completed' }; o.ifMatch = 999; }
  else if (key === 'POST /api/v1/providers') o.body = { id: `p-${u}`, name: 'P' };
  else if (key === 'PUT /api/v1/providers/{id}') { o.body = { name: 'P2' }; o.ifMatch = 999; }
  else if (key === 'POST /api/v1/models') o.body = { id: `m-${u}`, name: 'M', provider: 'mistral-ai', terms: 'negotiated' };
  else if (key === 'PUT /api/v1/models/{id}') { o.body = { name: 'M', provider: O === A ? fa.provider : 'mistral-ai', terms: 'business' }; o.ifMatch = 999; }
  else if (key === 'POST /api/v1/agreements') o.body = { provider: 'mistral-ai', valid_until: '2027-01-01' };
  else if (key === 'PUT /api/v1/agreements/{id}') { o.body = { provider: 'mistral-ai', valid_until: '2027-02-01' }; o.ifMatch = 999; }
  else if (key === 'POST /api/v1/training') o.body = { user: A.users.jurist, course: 'C', level: 'bewust', date: '2026-01-01' };
  else if (key === 'PUT /api/v1/training/{id}') { o.body = { user: A.users.jurist, course: 'C', level: 'expert', date: '2026-01-01' }; o.ifMatch = 999; }
  else if (key === 'POST /api/v1/training/import') { o.raw = `user_id,course,level,date\n${A.users.fg},Import,bekwaam,2026-01-05\n`; o.ctype = 'text/csv'; }
  return call(S, method, path, o);
}

// every route of the OpenAPI document has an expectation, and vice versa
const routes = [];
for (const [p, ops] of Object.entries(openapi.paths))
  for (const m of Object.keys(ops)) routes.push(`${m.toUpperCase()} ${p}`);
for (const r of routes) check(r in matrix.routes, `matrix.json covers ${r}`);
for (const r of Object.keys(matrix.routes)) check(routes.includes(r), `openapi.json has ${r}`);
// deletes last, so they do not remove what other checks use
// (tokens before users: deleting a user revokes its tokens)
const rank = (x) => (x.startsWith('DELETE /api/v1/users') ? 2 : x.startsWith('DELETE') ? 1 : 0);
routes.sort((x, y) => rank(x) - rank(y));

const table = [];
for (const route of routes) {
  const allowed = matrix.routes[route] === 'all' ? matrix.roles : matrix.routes[route];
  const hasId = route.includes('{id}');
  const isPublic = route.endsWith('/health') || route.endsWith('/openapi.json');
  for (const role of matrix.roles) {
    const ok = allowed.includes(role);
    // own organisation
    const r = await request(route, role, fa, A, hasId ? idFor(route, fa, true) : null);
    const got = r.status;
    const pass = ok ? got < 500 && ![401, 403, 404].includes(got) : got === 403;
    check(pass, `own org: ${route} as ${role}: ${ok ? 'allowed' : 'denied'}, got ${got}`, r.json);
    check(!r.text.includes('anderstad'), `own org: ${route} as ${role} shows nothing of the other organisation`);
    table.push(`${route} ${role} own ${got}`);
    // another organisation's object
    if (hasId && !route.startsWith('GET /api/v1/policies/')) {
      const r2 = await request(route, role, fb, Bo, idFor(route, fb, false));
      // tokens: anyone may revoke their own, so another organisation's token is simply unknown
      const want = ok || route === 'DELETE /api/v1/tokens/{id}' ? 404 : 403;
      eq(r2.status, want, `other org: ${route} as ${role}`, r2.json);
      check(!r2.text.includes(fb.app) || r2.status === 404 && !r2.text.includes('"content"'), `other org: ${route} as ${role} leaks nothing`);
      table.push(`${route} ${role} other ${r2.status}`);
    }
    if (isPublic) break; /* public routes: one pass is enough */
  }
}
// lists of the other organisation stay invisible
for (const role of matrix.roles) {
  const r = await call(S, 'GET', `/api/v1/tokens?user_id=${fb.user}`, { token: A.tokens[role] });
  check(r.status === 404 || r.status === 403, `tokens of another organisation's user as ${role}: ${r.status}`);
}
const bApps = (await call(S, 'GET', '/api/v1/applications?limit=1000', { token: Bo.tokens.read_only })).json.items;
check(bApps.every((a) => a.org_id === 'anderstad'), 'B sees only its own applications');
check(bApps.some((a) => a.id === 'chatbot-vraag-voorbeeldstad'), 'the same application id exists in B on its own');
console.log(`${table.length} requests`);
done();
