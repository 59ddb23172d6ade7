// routes.mjs - fixtures in two organisations and one realistic request per API route, shared
// by the matrix test and the OpenAPI test.
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { call } from './lib.mjs';

const dossier = JSON.parse(readFileSync(new URL('./fixtures/dossier.json', import.meta.url)));
const orgPolicy = readFileSync(new URL('./fixtures/org-policy.yaml', import.meta.url), 'utf8');
// An organisation policy file with its own version string.
export const policyFile = (version) => orgPolicy.replace('VERSION', version);

// The instance operator: `sluis serve` children of this process inherit the token.
export const OPERATOR = 'op-' + randomBytes(24).toString('hex');
process.env.SLUIS_OPERATOR_TOKEN = OPERATOR;
let S, A, Bo, fa, fb, policyVersion;

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
  f.key = (await must(call(S, 'POST', `/api/v1/applications/${app}/keys`, { token: t.owner }), 'key')).id;
  // an organisation policy file, stored but not active (activation is what the routes test)
  f.policy = (await must(call(S, 'POST', '/api/v1/policies?activate=false', { token: t.admin, raw: policyFile(`${org}-1`), ctype: 'application/yaml' }), 'policy')).id;
  return f;
}

// Which app a route works on in the own organisation (a state where the step makes sense).
function ownApp(route) {
  if (route.endsWith('/submit')) return 'notulen-samenvatter';
  if (route.endsWith('/transition')) return 'chatbot-vraag-voorbeeldstad';
  if (route.includes('/advice') && route.startsWith('POST')) return 'wmo-brieven-assistent';
  if (route.endsWith('/decision') && route.startsWith('POST')) return 'vergunningen-zoekhulp';
  if (route.endsWith('/decision')) return 'chatbot-vraag-voorbeeldstad';
  return fa.app;
}

export function idFor(route, f, own) {
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
  if (p.startsWith('/api/v1/policies/{id}/')) return encodeURIComponent(f.policy);
  if (p.startsWith('/api/v1/policies/')) return encodeURIComponent(policyVersion);
  throw new Error('no id for ' + route);
}

let seq = 0;
export async function request(route, role, f, O, id, noAuth = false, version = 999) {
  const [method, p] = route.split(' ');
  let gwKey = f.key;
  if (route === 'DELETE /api/v1/applications/{id}/keys/{key}' && O === A && !noAuth) {
    // a fresh key per request, so every allowed role has one to revoke
    gwKey = (await call(S, 'POST', `/api/v1/applications/${id}/keys`, { token: A.tokens.owner })).json.id;
  }
  const path = p.replace('{id}', id).replace('{key}', gwKey);
  const u = `${role}-${++seq}`;
  const o = noAuth ? {} : { token: role === 'operator' ? OPERATOR : A.tokens[role] };
  const key = route;
  if (key === 'POST /api/v1/users') o.body = { id: `voorbeeldstad.n-${u}`, name: 'N', roles: ['read_only'] };
  else if (key === 'PUT /api/v1/users/{id}') o.body = { id, name: 'Extra', roles: ['read_only'] };
  else if (key === 'POST /api/v1/applications') o.body = { ...dossier, id: `m-${u}` };
  else if (key === 'PUT /api/v1/applications/{id}') { o.body = { ...dossier, id }; o.ifMatch = version; }
  else if (key.startsWith('DELETE') && !key.includes('/users/') && !key.includes('/tokens/')) o.ifMatch = version;
  else if (key.endsWith('/transition')) o.body = { to: 'in_use' };
  else if (key === 'POST /api/v1/applications/{id}/advice') o.body = { role: 'ciso', outcome: 'positive' };
  else if (key === 'POST /api/v1/applications/{id}/decision') o.body = { outcome: 'rejected' };
  else if (key === 'POST /api/v1/applications/{id}/assessments') o.body = { kind: 'iama', status: 'planned' };
  else if (key === 'PUT /api/v1/assessments/{id}') { o.body = { kind: 'dpia', status: 'completed' }; o.ifMatch = version; }
  else if (key === 'POST /api/v1/providers') o.body = { id: `p-${u}`, name: 'P' };
  else if (key === 'PUT /api/v1/providers/{id}') { o.body = { name: 'P2' }; o.ifMatch = version; }
  else if (key === 'POST /api/v1/models') o.body = { id: `m-${u}`, name: 'M', provider: 'mistral-ai', terms: 'negotiated' };
  else if (key === 'PUT /api/v1/models/{id}') { o.body = { name: 'M', provider: O === A ? fa.provider : 'mistral-ai', terms: 'business' }; o.ifMatch = version; }
  else if (key === 'POST /api/v1/agreements') o.body = { provider: 'mistral-ai', valid_until: '2027-01-01' };
  else if (key === 'PUT /api/v1/agreements/{id}') { o.body = { provider: 'mistral-ai', valid_until: '2027-02-01' }; o.ifMatch = version; }
  else if (key === 'POST /api/v1/training') o.body = { user: A.users.jurist, course: 'C', level: 'bewust', date: '2026-01-01' };
  else if (key === 'PUT /api/v1/training/{id}') { o.body = { user: A.users.jurist, course: 'C', level: 'expert', date: '2026-01-01' }; o.ifMatch = version; }
  else if (key === 'POST /api/v1/organisations') o.body = { id: `org-${u}`, name: 'Gemeente N', layer: 'gemeente', admin: { id: `org-${u}.beheer`, name: 'Beheer' } };
  else if (key === 'PUT /api/v1/organisations/{id}') {
    o.body = { name: O === A ? 'Gemeente Voorbeeldstad' : 'Gemeente Anderstad', layer: 'gemeente', role_matrix: { jurist: 'use.kind != unavoidable' } };
    // the organisation's ETag is a content hash: read it as the org's own admin
    const g = await call(S, 'GET', `/api/v1/organisations/${id}`, { token: O.tokens.admin });
    o.headers = { 'If-Match': g.headers.get('etag') || '"x"' };
  }
  else if (key === 'POST /api/v1/check') o.body = { ...dossier, id: 'nog-niet-opgeslagen' };
  else if (key === 'POST /api/v1/policies') { o.raw = policyFile(`m-${u}`); o.ctype = 'application/yaml'; }
  else if (key === 'POST /api/v1/training/import') { o.raw = `user_id,course,level,date\n${A.users.fg},Import,bekwaam,2026-01-05\n`; o.ctype = 'text/csv'; }
  return call(S, method, path, o);
}


// Creates the fixtures; returns {fa, fb} (the objects of organisation A and B).
export async function setup(base, orgA, orgB) {
  S = base;
  A = orgA;
  Bo = orgB;
  fa = await fixtures(A, 'voorbeeldstad');
  fb = await fixtures(Bo, 'anderstad');
  policyVersion = (await call(S, 'GET', '/api/v1/policies', { token: A.tokens.read_only })).json.items[0].version;
  return { fa, fb };
}
