// peers.js - runs the npm PII redactors on a sample of a file and reports CPU MB/s.
// usage: node peers.js FILE PEER MAX_BYTES   (PEER: redact-pii | openredaction; prints JSON)
'use strict';
const fs = require('fs');

const file = process.argv[2];
const peer = process.argv[3];
const max = parseInt(process.argv[4] || '4194304', 10);
const buf = fs.readFileSync(file);
const text = buf.subarray(0, Math.min(buf.length, max)).toString('utf8');
// Feed documents of about 4 KB (whole lines), as a gateway would see request bodies.
const docs = [];
let cur = '';
for (const line of text.split('\n')) {
  cur += line + '\n';
  if (cur.length >= 4096) { docs.push(cur); cur = ''; }
}
if (cur) docs.push(cur);
const bytes = Buffer.byteLength(docs.join(''), 'utf8');

function measure(name, fn) {
  fn(docs[0]); // warm up (JIT, lazy pattern compilation)
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let changed = 0;
  for (const d of docs) {
    const out = fn(d);
    if (out !== d) changed++;
  }
  const c = process.cpuUsage(c0);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = (c.user + c.system) / 1e6;
  console.log(JSON.stringify({ peer: name, bytes, cpu_s: cpu, wall_s: wall,
                               mb_per_cpu_s: bytes / 1e6 / cpu, docs: docs.length,
                               docs_changed: changed }));
}

if (peer === 'redact-pii') {
  const { SyncRedactor } = require('redact-pii');
  const rp = new SyncRedactor();
  measure('redact-pii', (d) => rp.redact(d));
} else {
  const { OpenRedaction } = require('@openredaction/openredaction');
  const orr = new OpenRedaction();
  measure('@openredaction/openredaction', (d) => {
    const r = orr.detect(d);
    return r && typeof r.redacted === 'string' ? r.redacted : d;
  });
}
