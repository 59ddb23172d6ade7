// oidc_token.mjs DIR SUB [ISS AUD] - prints an RS256 JWT for SUB signed with DIR/oidc-rsa.pem
// (written by oidc_keys.mjs), valid for ten minutes: a user token for shell tests.
import { createPrivateKey, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, sub, iss = 'https://login.gemeente-test.example.nl', aud = 'sluis-gateway'] = process.argv.slice(2);
const b64 = (x) => Buffer.from(JSON.stringify(x)).toString('base64url');
const now = Math.floor(Date.now() / 1000);
const data = `${b64({ alg: 'RS256', kid: 'rsa-1', typ: 'JWT' })}.${b64({ iss, aud, sub, iat: now, exp: now + 600 })}`;
const key = createPrivateKey(readFileSync(join(dir, 'oidc-rsa.pem')));
process.stdout.write(`${data}.${sign('sha256', Buffer.from(data), key).toString('base64url')}\n`);
