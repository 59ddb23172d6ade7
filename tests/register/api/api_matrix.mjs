// api_matrix.mjs - tenant isolation and roles: every route of openapi.json x every role x own /
// other organisation, compared with the expected matrix in matrix.json. Two demo
// municipalities share one register; nothing of one may show up for the other.
// Usage: node api_matrix.mjs sqlite|pg
import { readFileSync } from 'node:fs';
import { backend, freshDb, demo, serve, call, check, eq, done } from './lib.mjs';
import { setup, idFor, request, OPERATOR } from './routes.mjs';

const b = backend();
const db = freshDb(b);
const A = demo(db, 'voorbeeldstad', 'Gemeente Voorbeeldstad');
const Bo = demo(db, 'anderstad', 'Gemeente Anderstad');
const srv = await serve(db);
const S = srv.base;
const matrix = JSON.parse(readFileSync(new URL('./matrix.json', import.meta.url)));
const openapi = (await call(S, 'GET', '/api/v1/openapi.json')).json;

const { fa, fb } = await setup(S, A, Bo);

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
// the instance operator: only lists and creates organisations; every other route is 403 and
// shows nothing of any organisation
for (const route of routes) {
  if (route.endsWith('/health') || route.endsWith('/openapi.json')) continue;
  const opRoute = matrix.routes[route].length === 0 || route === 'GET /api/v1/organisations';
  const r = await request(route, 'operator', fa, A, route.includes('{id}') ? idFor(route, fa, true) : null);
  if (opRoute) check(r.status < 300, `operator: ${route} allowed, got ${r.status}`, r.json);
  else eq(r.status, 403, `operator: ${route} refused`, r.json);
  check(!r.text.includes('"content"') && !r.text.includes('sluis_' + 'x') && !r.text.includes('"email"'), `operator: ${route} shows no tenant data`);
  table.push(`${route} operator ${r.status}`);
}
{
  const r = await call(S, 'GET', '/api/v1/organisations', { token: OPERATOR });
  const ids = r.json.items.map((o) => o.id);
  check(ids.includes('voorbeeldstad') && ids.includes('anderstad') && !ids.includes('system'), 'operator lists the organisations (not the internal one)', ids);
  for (const role of matrix.roles) {
    const own = await call(S, 'GET', '/api/v1/organisations', { token: A.tokens[role] });
    eq(own.json.total, 1, `organisations as ${role}: only its own`);
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
await srv.stop();
done();
