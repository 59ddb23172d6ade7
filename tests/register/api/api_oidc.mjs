// api_oidc.mjs - optional OIDC: bearer JWTs (RS256 and ES256) verified against a JWKS file the
// test generates (OpenSSL through node:crypto, no network); claims map to users by
// oidc_subject. Wrong issuer/audience, expiry, tampering, alg none/HS256, unknown kid or
// subject are all 401.
import { generateKeyPairSync, sign, createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { backend, freshDb, demo, serve, call, check, eq, done, workdir } from './lib.mjs';

const b = backend();
const db = freshDb(b);
const org = demo(db, 'voorbeeldstad', 'Gemeente Voorbeeldstad');
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwks = { keys: [
  { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
  { ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec-1', alg: 'ES256', use: 'sig' },
] };
const jwksFile = join(workdir, 'jwks.json');
writeFileSync(jwksFile, JSON.stringify(jwks));
const ISS = 'https://login.voorbeeldstad.example.nl';
const srv = await serve(db, ['--oidc-jwks', jwksFile, '--oidc-issuer', ISS, '--oidc-audience', 'sluis'],
  { gateway: true });
const S = srv.base;

const b64 = (x) => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x)).toString('base64url');
const now = Math.floor(Date.now() / 1000);
function jwt(claims, { alg = 'RS256', kid = 'rsa-1', key = rsa.privateKey } = {}) {
  const head = b64({ alg, kid, typ: 'JWT' });
  const body = b64({ iss: ISS, aud: 'sluis', sub: 'oidc-jurist', iat: now, exp: now + 600, ...claims });
  const data = `${head}.${body}`;
  let sig;
  if (alg === 'RS256') sig = sign('sha256', Buffer.from(data), key);
  else if (alg === 'ES256') sig = sign('sha256', Buffer.from(data), { key, dsaEncoding: 'ieee-p1363' });
  else if (alg === 'HS256') sig = createHmac('sha256', 'secret').update(data).digest();
  else sig = Buffer.alloc(0);
  return `${data}.${sig.toString('base64url')}`;
}

let r = await call(S, 'POST', '/api/v1/users', { token: org.tokens.admin, body: { id: 'voorbeeldstad.oidc', name: 'Via OIDC', roles: ['jurist'], oidc_subject: 'oidc-jurist' } });
eq(r.status, 201, 'user with an OIDC subject');
r = await call(S, 'GET', '/api/v1/me', { token: jwt({}) });
eq(r.status, 200, 'RS256 token accepted');
eq(r.json && r.json.user_id, 'voorbeeldstad.oidc', 'claims map to the user');
check(r.json && r.json.roles.includes('jurist'), 'roles of the mapped user');
r = await call(S, 'GET', '/api/v1/me', { token: jwt({}, { alg: 'ES256', kid: 'ec-1', key: ec.privateKey }) });
eq(r.status, 200, 'ES256 token accepted');
r = await call(S, 'GET', '/api/v1/me', { token: jwt({ aud: ['other', 'sluis'] }) });
eq(r.status, 200, 'aud as a list containing ours');
r = await call(S, 'POST', '/api/v1/applications', { token: jwt({}), body: {} });
eq(r.status, 403, 'an OIDC jurist has the jurist role only');
const bad = {
  'wrong issuer': jwt({ iss: 'https://evil.example' }),
  'wrong audience': jwt({ aud: 'other' }),
  'expired': jwt({ exp: now - 10 }),
  'no exp': jwt({ exp: undefined }),
  'not yet valid': jwt({ nbf: now + 3600 }),
  'unknown subject': jwt({ sub: 'nobody' }),
  'signed by another key': jwt({}, { key: other.privateKey }),
  'unknown kid': jwt({}, { kid: 'rsa-9' }),
  'alg none': jwt({}, { alg: 'none' }),
  'alg HS256': jwt({}, { alg: 'HS256' }),
  'ES256 signature under the RSA kid': jwt({}, { alg: 'ES256', kid: 'rsa-1', key: ec.privateKey }),
  'garbage': 'a.b.c',
  'two parts': 'abc.def',
};
const good = jwt({});
const [h, p, s] = good.split('.');
bad['tampered payload'] = `${h}.${b64({ iss: ISS, aud: 'sluis', sub: 'oidc-jurist', exp: now + 600, admin: true })}.${s}`;
bad['truncated signature'] = `${h}.${p}.${s.slice(0, 20)}`;
for (const [what, tok] of Object.entries(bad)) {
  r = await call(S, 'GET', '/api/v1/me', { token: tok });
  eq(r.status, 401, `OIDC: ${what} is refused`, r.json);
}
// API tokens keep working next to OIDC
r = await call(S, 'GET', '/api/v1/me', { token: org.tokens.owner });
eq(r.status, 200, 'API tokens still work with OIDC on');

// The gateway mounted by `sluis serve` verifies the calling user's X-Sluis-User-Token with the
// same OIDC settings (an application key in Authorization, the user's JWT next to it).
r = await call(S, 'POST', '/api/v1/applications/code-assistent-ict/keys', { token: org.tokens.owner, body: {} });
eq(r.status, 201, 'gateway key for an application in use');
const key = r.json && r.json.key;
for (let i = 0; i < 100; i++) { // the gateway's register snapshot picks the new key up
  r = await call(S, 'GET', '/v1/models', { token: key });
  if (r.status === 200) break;
  await new Promise((res) => setTimeout(res, 100));
}
eq(r.status, 200, 'gateway knows the new key');
const chat = { model: 'no-such-model', messages: [{ role: 'user', content: 'Hallo' }] };
for (const [what, tok] of Object.entries({ 'expired': bad.expired, 'signed by another key': bad['signed by another key'], 'garbage': 'a.b.c' })) {
  r = await call(S, 'POST', '/v1/chat/completions', { token: key, body: chat, headers: { 'X-Sluis-User-Token': tok } });
  eq(r.status, 401, `gateway in serve: ${what} user token is refused`, r.json);
  eq(r.json && r.json.error && r.json.error.code, 'user_token_invalid', `gateway in serve: ${what} -> user_token_invalid`);
}
r = await call(S, 'POST', '/v1/chat/completions', { token: key, body: chat, headers: { 'X-Sluis-User-Token': good } });
check(r.json && r.json.error && r.json.error.code !== 'user_token_invalid', 'gateway in serve: a valid user token passes the token check', r.json);
done();
