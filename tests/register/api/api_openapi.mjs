// api_openapi.mjs - keeps src/api/openapi.json true: for every path and method in it, one
// realistic request (fixtures from routes.mjs, as a role that may do it) and one without a
// token; each status must be one the document lists, and every JSON body must be an object.
import { readFileSync } from 'node:fs';
import { backend, freshDb, demo, serve, call, check, done } from './lib.mjs';
import { setup, idFor, request } from './routes.mjs';

const b = backend();
const db = freshDb(b);
const A = demo(db, 'voorbeeldstad', 'Gemeente Voorbeeldstad');
const Bo = demo(db, 'anderstad', 'Gemeente Anderstad');
const srv = await serve(db);
const S = srv.base;
const matrix = JSON.parse(readFileSync(new URL('./matrix.json', import.meta.url)));
const served = (await call(S, 'GET', '/api/v1/openapi.json')).json;
const source = JSON.parse(readFileSync(new URL('../../../src/api/openapi.json', import.meta.url)));
check(JSON.stringify(served) === JSON.stringify(source), 'the served document is src/api/openapi.json');
check(served.openapi === '3.1.0', 'OpenAPI 3.1');
const { fa } = await setup(S, A, Bo);

let n = 0;
const ops = [];
for (const [p, methods] of Object.entries(served.paths))
  for (const [m, op] of Object.entries(methods)) ops.push([`${m.toUpperCase()} ${p}`, op]);
// deletes last, users after tokens
const rank = ([x]) => (x.startsWith('DELETE /api/v1/users') ? 3
  : x === 'DELETE /api/v1/applications/{id}' ? 2 : x.startsWith('DELETE') ? 1 : 0);
ops.sort((x, y) => rank(x) - rank(y));
for (const [route, op] of ops) {
  const documented = Object.keys(op.responses);
  const allowed = matrix.routes[route] === 'all' ? matrix.roles : matrix.routes[route] || ['admin'];
  const role = allowed.includes('admin') ? 'admin' : allowed[0] || 'operator';
  const id = route.includes('{id}') ? idFor(route, fa, true) : null;
  // PUT/DELETE: the real version (If-Match) of the object, read first
  let version = 999;
  if (id && (route.startsWith('PUT') || route.startsWith('DELETE'))) {
    const g = await call(S, 'GET', route.split(' ')[1].replace('{id}', id), { token: A.tokens.admin });
    if (g.json && g.json.version) version = g.json.version;
  }
  const r = await request(route, role, fa, A, id, false, version);
  n++;
  check(documented.includes(String(r.status)), `${route} as ${role}: status ${r.status} is documented (${documented})`, r.json);
  check(r.status < 300, `${route} as ${role} succeeds with the fixture (${r.status})`, r.json);
  if (r.status !== 204)
    check(r.json !== null && typeof r.json === 'object' && !Array.isArray(r.json), `${route}: JSON object body`);
  if (r.status !== 204)
    check((r.headers.get('content-type') || '').startsWith('application/json'), `${route}: JSON content type`);
  if (op.security && op.security.length === 0) continue;
  const u = await request(route, role, fa, A, id, true);
  n++;
  check(u.status === 401 && documented.includes('401'), `${route} without a token: 401, documented (${u.status})`);
  check(u.json && u.json.error && u.json.error.code === 'unauthorized', `${route}: 401 has the error envelope`);
}
console.log(`${ops.length} operations, ${n} requests`);
await srv.stop();
done();
