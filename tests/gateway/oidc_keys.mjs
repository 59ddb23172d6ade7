// oidc_keys.mjs DIR - test keys for X-Sluis-User-Token: an RSA and an EC P-256 key pair whose
// public halves go into DIR/jwks.json (the gateway's --oidc-jwks), and a third RSA key that is
// not in the JWKS (a wrong signature). Private keys: DIR/oidc-{rsa,ec,other}.pem.
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwks = { keys: [
    { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
    { ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec-1', alg: 'ES256', use: 'sig' },
] };
writeFileSync(join(dir, 'jwks.json'), JSON.stringify(jwks));
for (const [name, k] of [['rsa', rsa], ['ec', ec], ['other', other]])
    writeFileSync(join(dir, `oidc-${name}.pem`), k.privateKey.export({ format: 'pem', type: 'pkcs8' }));
