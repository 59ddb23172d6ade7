// api_durability.mjs - kill -9 of `sluis serve` under an HTTP write load: every write the
// server acknowledged (201) must be there after a restart, whole; writes in flight are either
// whole or absent; the audit chain still verifies. Usage: node api_durability.mjs sqlite|pg
import { backend, freshDb, demo, serve, call, check, eq, done } from './lib.mjs';

const b = backend();
const db = freshDb(b);
const org = demo(db, 'voorbeeldstad', 'Gemeente Voorbeeldstad');
const T = org.tokens;
let srv = await serve(db);
const acked = new Set();
const tried = [];
let stop = false;

async function writer(w) {
  for (let i = 0; !stop; i++) {
    const id = `dur-${w}-${i}`;
    tried.push(id);
    try {
      const r = await call(srv.base, 'POST', '/api/v1/providers', { token: T.procurement, body: { id, name: `Provider ${id}`, notes: 'x'.repeat(200 + i) } });
      if (r.status === 201) acked.add(id);
    } catch { break; /* connection reset by the kill */ }
  }
}
const writers = [0, 1, 2, 3, 4, 5, 6, 7].map(writer);
// Kill once the load is well under way (at least 20 acknowledged writes, then a random extra
// moment), whatever the machine's speed; a 60 s guard keeps a stuck server from hanging the test.
for (const t0 = Date.now(); acked.size < 20 && Date.now() - t0 < 60000;)
  await new Promise((r) => setTimeout(r, 20));
await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 300)));
srv.proc.kill('SIGKILL');
stop = true;
await Promise.allSettled(writers);
check(acked.size > 10, `the server acknowledged writes before the kill (${acked.size})`);

srv = await serve(db);
let present = 0;
for (const id of tried) {
  const r = await call(srv.base, 'GET', `/api/v1/providers/${id}`, { token: T.read_only });
  if (acked.has(id)) eq(r.status, 200, `acknowledged write ${id} survived kill -9`);
  if (r.status === 200) {
    present++;
    const i = Number(id.split('-')[2]);
    check(r.json.content.name === `Provider ${id}` && r.json.content.notes.length === 200 + i, `${id} is whole`);
  } else {
    eq(r.status, 404, `${id} in flight: absent, not broken`);
  }
}
check(present >= acked.size, `present ${present} >= acknowledged ${acked.size}`);
const v = await call(srv.base, 'GET', '/api/v1/audit/verify', { token: T.admin });
eq(v.json.ok, true, 'audit chain intact after kill -9');
const r = await call(srv.base, 'POST', '/api/v1/providers', { token: T.procurement, body: { id: 'after-restart', name: 'OK' } });
eq(r.status, 201, 'writes work after the restart');
console.log(`${acked.size} acknowledged, ${present} present, ${tried.length} tried`);
done();
