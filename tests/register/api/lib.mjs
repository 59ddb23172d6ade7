// lib.mjs - helpers for the API tests: throw-away databases (SQLite or PostgreSQL), a
// `sluis serve` child on a free port, `sluis demo`, and a small JSON HTTP client.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export const BIN = process.env.SLUIS_BIN;
export const TODAY = '2026-01-15';

let failures = 0;
let checks = 0;
export function check(cond, msg, extra) {
  checks++;
  if (!cond) {
    failures++;
    console.error('FAIL: ' + msg + (extra !== undefined ? ' :: ' + JSON.stringify(extra).slice(0, 600) : ''));
  }
  return cond;
}
export function eq(a, b, msg, extra) {
  return check(a === b, `${msg} (got ${JSON.stringify(a)}, want ${JSON.stringify(b)})`, extra);
}
export function done() {
  console.log(`${checks} checks, ${failures} failures`);
  process.exit(failures ? 1 : 0);
}

// Backend from argv[2]: "sqlite" (default) or "pg" (skipped with 77 without SLUIS_TEST_PG).
export function backend() {
  const b = process.argv[2] || 'sqlite';
  if (b === 'pg' && !process.env.SLUIS_TEST_PG) {
    console.log('SKIP: SLUIS_TEST_PG not set (run scripts/pg-cluster.sh start)');
    process.exit(77);
  }
  if (!BIN || !existsSync(BIN)) {
    console.error('SLUIS_BIN not set or missing');
    process.exit(2);
  }
  return b;
}

const cleanups = [];
process.on('exit', () => { for (const f of cleanups.reverse()) { try { f(); } catch { /* ignore */ } } });

export const workdir = mkdtempSync(join(tmpdir(), 'sluis-api-'));
cleanups.push(() => rmSync(workdir, { recursive: true, force: true }));

// A fresh database URL for this test.
export function freshDb(b) {
  if (b !== 'pg') return join(workdir, 'register.db');
  const base = process.env.SLUIS_TEST_PG;
  const name = 'sluis_api_' + randomBytes(6).toString('hex');
  const r = spawnSync('psql', [base, '-qc', `CREATE DATABASE ${name}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error('createdb failed: ' + r.stderr);
  cleanups.push(() => spawnSync('psql', [base, '-qc', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]));
  const u = new URL(base);
  u.pathname = '/' + name;
  return u.toString();
}

export function demo(db, org, name) {
  const tokens = join(workdir, `${org}.tokens.json`);
  const r = spawnSync(BIN, ['demo', '--db', db, '--org', org, '--name', name, '--tokens', tokens,
    '--today', TODAY], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sluis demo failed (${r.status}): ${r.stderr}`);
  return JSON.parse(readFileSync(tokens, 'utf8'));
}

// serve(db, extra, { gateway: true }) also mounts the gateway on /v1 (the API tests leave it off)
export async function serve(db, extra = [], { gateway = false } = {}) {
  const portFile = join(workdir, 'port-' + randomBytes(4).toString('hex'));
  const proc = spawn(BIN, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--port-file', portFile,
    '--today', TODAY, ...(gateway ? [] : ['--no-gateway']), ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { out += d; });
  let exited = null;
  proc.on('exit', (c) => { exited = c; });
  cleanups.push(() => { if (exited === null) proc.kill('SIGKILL'); });
  for (let i = 0; i < 200 && !existsSync(portFile); i++) {
    if (exited !== null) throw new Error('sluis serve exited: ' + out);
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 50));
  const port = parseInt(readFileSync(portFile, 'utf8'), 10);
  return {
    base: `http://127.0.0.1:${port}`, port, proc,
    output: () => out,
    // SIGTERM and wait; under ASan/UBSan (-DSLUIS_SANITIZE=ON) a report of the server fails the test
    stop: async () => {
      if (exited !== null) return exited;
      proc.kill('SIGTERM');
      for (let i = 0; i < 300 && exited === null; i++) await new Promise((r) => setTimeout(r, 50));
      check(!/(AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:)/.test(out),
        'sluis serve: no sanitizer report', out.slice(out.search(/Sanitizer|runtime error:/), 3000));
      return exited;
    },
  };
}

// One request. opts: token, body (object -> JSON), raw (string), ctype, headers, ifMatch.
export async function call(base, method, path, opts = {}) {
  const headers = { ...(opts.headers || {}) };
  if (opts.token) headers.Authorization = 'Bearer ' + opts.token;
  let body;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['Content-Type'] = 'application/json';
  } else if (opts.raw !== undefined) {
    body = opts.raw;
    headers['Content-Type'] = opts.ctype || 'application/json';
  }
  if (opts.ifMatch !== undefined) headers['If-Match'] = `"${opts.ifMatch}"`;
  const r = await fetch(base + path, { method, headers, body });
  const text = await r.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = undefined; }
  return { status: r.status, headers: r.headers, json, text };
}
