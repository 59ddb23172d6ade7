// http_suite.mjs - the gateway over HTTP: the official `openai` npm package, unmodified
// (chat, streaming, embeddings, models, error classes), one test per refusal code and per
// environment with the exact status and error body, and bad input (malformed JSON, wrong
// content type, 413, slow client, upstream hang / reset / malformed SSE).
// Usage: node http_suite.mjs <gateway base url> <count file>
import OpenAI from 'openai';
import net from 'node:net';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import { createPrivateKey, sign } from 'node:crypto';
import { join } from 'node:path';

const BASE = process.argv[2];
const COUNT_FILE = process.argv[3];
const WORK = process.argv[4]; // oidc_keys.mjs wrote the JWKS and private keys here
let requests = 0; // requests sent to /v1, to check that every one left a usage record
let failed = 0;
const results = [];
const expectUsage = []; // [request id, fields the usage record must have], checked after shutdown

async function test(name, fn) {
    try {
        await fn();
        results.push(`ok   ${name}`);
    } catch (e) {
        failed++;
        results.push(`FAIL ${name}: ${e && e.stack ? e.stack : e}`);
    }
}

function client(app, user) {
    return new OpenAI({
        apiKey: `sk-test-${app}`,
        baseURL: BASE,
        maxRetries: 0,
        timeout: 20000,
        defaultHeaders: user ? { 'x-sluis-user': user } : {},
    });
}

async function post(path, key, body, headers = {}) {
    requests++;
    const h = { 'Content-Type': 'application/json', ...headers };
    if (key) h.Authorization = `Bearer ${key}`;
    const r = await fetch(BASE + path, {
        method: 'POST',
        headers: h,
        body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, text, headers: r.headers };
}

const chat = (model, content, extra = {}) => ({
    model,
    messages: [{ role: 'user', content }],
    ...extra,
});

const MSG = {
    invalid_api_key: 'Onbekende of ingetrokken API-sleutel / Unknown or revoked API key',
    application_revoked:
        'De toepassing is ingetrokken in het register / The application is revoked in the register [G-04]',
    application_not_approved:
        'De toepassing heeft geen geldig besluit of mag in deze omgeving niet draaien / The application has no valid decision or may not run in this environment [SP-02b]',
    exploration_expired: 'De verkenningsperiode is voorbij / The exploration time-box has ended [SP-05b]',
    consumer_terms_prohibited:
        'Gebruik onder consumentenvoorwaarden is niet toegestaan (standpunt) / Use under consumer terms is not allowed (position) [SP-04a]',
    agreement_expired:
        'De overeenkomst met de aanbieder is verlopen / The agreement with the provider has expired [SP-03c]',
    literacy_required:
        'De gebruiker heeft niet het vereiste AI-geletterdheidsniveau / The user does not hold the required AI-literacy level [SP-10]',
    model_not_allowed:
        "Dit model staat niet in het dossier van de toepassing / This model is not in the application's dossier [SP-02]",
};

function expectError(r, status, code, rule, param = null, extra = {}) {
    assert.equal(r.status, status, `status for ${code}: ${r.text}`);
    const want = {
        error: {
            message: extra.message ?? MSG[code],
            type: status >= 500 ? 'server_error' : 'invalid_request_error',
            param,
            code,
            rule_id: rule,
            ...(extra.detectors ? { detectors: extra.detectors } : {}),
        },
    };
    assert.deepEqual(JSON.parse(r.text), want);
    assert.ok(r.headers.get('x-sluis-overhead-ms'), 'x-sluis-overhead-ms on every response');
    assert.ok(r.headers.get('x-request-id'));
}

// ---- compatibility: the openai package, unmodified ----

await test('openai: chat completion (production, literate user)', async () => {
    requests++;
    const c = await client('prod', 'jan').chat.completions.create(chat('mock-model', 'Hallo'));
    assert.equal(c.object, 'chat.completion');
    assert.match(c.choices[0].message.content, /^MOCK/);
    assert.equal(c.system_fingerprint, 'sluis-MOCK');
    assert.equal(c.usage.total_tokens, 26);
});

await test('openai: streaming chat, event by event, with usage', async () => {
    requests++;
    const s = await client('pilot', 'jan').chat.completions.create(
        chat('mock-model', 'Hallo', { stream: true, stream_options: { include_usage: true } }));
    let text = '', chunks = 0, usage = null;
    for await (const ch of s) {
        chunks++;
        if (ch.usage) usage = ch.usage;
        if (ch.choices.length) text += ch.choices[0].delta.content ?? '';
    }
    assert.ok(chunks >= 17, `chunks ${chunks}`);
    assert.match(text, /^MOCK/);
    assert.equal(usage.total_tokens, 26);
});

// ---- token counts of streams whose client did not ask for usage ----

async function rawStream(key, body, headers = {}) {
    const r = await post('/chat/completions', key, body, { 'x-sluis-user': 'jan', ...headers });
    assert.equal(r.status, 200, r.text);
    const events = r.text.split('\n\n').filter((e) => e.startsWith('data: ')).map((e) => e.slice(6));
    return { ...r, events };
}

await test('stream without include_usage: upstream asked for usage, the client sees none, the record has tokens', async () => {
    const r = await rawStream('sk-test-pilot', chat('mock-model', 'Hallo', { stream: true }));
    assert.equal(r.events.at(-1), '[DONE]');
    assert.equal(r.events.length, 18, r.text.slice(0, 300)); // 16 tokens, the finish chunk, [DONE]
    assert.ok(!r.text.includes('"usage"'), 'neither the usage chunk nor "usage": null reach the client');
    for (const e of r.events.slice(0, -1)) assert.ok(JSON.parse(e).choices.length === 1);
    expectUsage.push([r.headers.get('x-request-id'), { prompt_tokens: 10, completion_tokens: 16, total_tokens: 26, sse_events: 18 }]);
});

await test('openai: stream without include_usage: no chunk has usage', async () => {
    requests++;
    const s = await client('pilot', 'jan').chat.completions.create(chat('mock-model', 'Hallo', { stream: true }));
    let text = '', chunks = 0;
    for await (const ch of s) {
        chunks++;
        assert.equal(ch.usage, undefined);
        text += ch.choices[0].delta.content ?? '';
    }
    assert.equal(chunks, 17);
    assert.match(text, /^MOCK/);
});

await test('stream with include_usage: passed on as the provider sent it (usage chunk and "usage": null)', async () => {
    const r = await rawStream('sk-test-pilot', chat('mock-model', 'Hallo', { stream: true, stream_options: { include_usage: true } }));
    assert.equal(r.events.length, 19);
    assert.deepEqual(JSON.parse(r.events.at(-2)).usage, { prompt_tokens: 10, completion_tokens: 16, total_tokens: 26 });
    assert.equal(JSON.parse(r.events[0]).usage, null);
    expectUsage.push([r.headers.get('x-request-id'), { total_tokens: 26, sse_events: 19 }]);
});

await test('stream whose provider sends no usage even when asked: tokens recorded as unknown, not 0', async () => {
    const r = await rawStream('sk-test-pilot', chat('mock-no-usage', 'Hallo', { stream: true }));
    assert.equal(r.events.length, 18);
    assert.ok(!r.text.includes('"usage"'));
    expectUsage.push([r.headers.get('x-request-id'), { prompt_tokens: null, completion_tokens: null, total_tokens: null, tokens_unknown: true }]);
});

// ---- scanning of streamed responses (expl and prod scan responses; pilot does not) ----

const LEAK_MSG = 'Het antwoord bevat gevoelige gegevens / The response contains sensitive data [SP-05]';

await test('streamed response with a BSN (exploration): nothing of it reaches the client, then one error event', async () => {
    const r = await rawStream('sk-test-expl', chat('mock-leak', 'Hallo', { stream: true }));
    assert.equal(r.headers.get('content-type'), 'text/event-stream');
    const last = JSON.parse(r.events.at(-1));
    assert.deepEqual(last, { error: { message: LEAK_MSG, type: 'server_error', param: null,
        code: 'sensitive_data_in_response', rule_id: 'SP-05', detectors: ['bsn', 'email'] } });
    assert.ok(!r.text.includes('[DONE]'));
    assert.ok(!/\d/.test(r.events.slice(0, -1).join('')), 'no digit of the BSN was passed on');
    expectUsage.push([r.headers.get('x-request-id'), { code: 'sensitive_data_in_response', rule_ids: ['SP-05'], detector_types: ['bsn', 'email'] }]);
});

await test('openai: a streamed response with sensitive data raises an APIError with our code', async () => {
    requests++;
    const s = await client('expl').chat.completions.create(chat('mock-leak', 'Hallo', { stream: true }));
    let text = '';
    await assert.rejects(async () => { for await (const ch of s) text += ch.choices[0]?.delta?.content ?? ''; },
        (e) => e instanceof OpenAI.APIError && e.code === 'sensitive_data_in_response');
    assert.ok(!text.includes('111'));
});

await test('streamed legacy completion with a BSN (exploration): refused the same way', async () => {
    const r = await post('/completions', 'sk-test-expl', { model: 'mock-leak', prompt: 'Hallo', stream: true });
    assert.equal(r.status, 200);
    const ev = r.text.split('\n\n').filter((e) => e.startsWith('data: ')).map((e) => e.slice(6));
    assert.equal(JSON.parse(ev.at(-1)).error.code, 'sensitive_data_in_response');
    assert.ok(!r.text.includes('111222333'));
});

await test('streamed response (production): a BSN it does not allow is refused; e-mail it allows passes', async () => {
    let r = await rawStream('sk-test-prod-scan', chat('mock-leak', 'Hallo', { stream: true }));
    assert.equal(JSON.parse(r.events.at(-1)).error.code, 'sensitive_data_in_response');
    r = await rawStream('sk-test-prod-scan', chat('mock-echo', 'schrijf naar jan@example.nl', { stream: true }));
    assert.equal(r.events.at(-1), '[DONE]');
    const text = r.events.slice(0, -1).map((e) => JSON.parse(e).choices[0]?.delta?.content ?? '').join('');
    assert.equal(text, 'schrijf naar jan@example.nl');
});

await test('streamed clean response with scanning on: every event, in order, then [DONE]', async () => {
    const msg = 'Wat is de hoofdstad van Utrecht? '.repeat(40); // > the scanner's hold-back window
    const r = await rawStream('sk-test-expl', chat('mock-echo', msg, { stream: true }));
    assert.equal(r.events.at(-1), '[DONE]');
    const text = r.events.slice(0, -1).map((e) => JSON.parse(e).choices[0]?.delta?.content ?? '').join('');
    assert.equal(text, msg);
});

await test('streamed response with a BSN on an application that does not scan responses: passed on', async () => {
    const r = await rawStream('sk-test-pilot', chat('mock-leak', 'Hallo', { stream: true }));
    assert.equal(r.events.at(-1), '[DONE]');
    assert.ok(r.text.includes('1112'));
});

await test('openai: legacy completions', async () => {
    requests++;
    const c = await client('pilot', 'jan').completions.create({ model: 'mock-model', prompt: 'Hallo' });
    assert.equal(c.object, 'text_completion');
    assert.match(c.choices[0].text, /^MOCK/);
});

await test('openai: embeddings', async () => {
    requests++;
    const e = await client('pilot', 'jan').embeddings.create({ model: 'mock-model', input: ['een', 'twee'] });
    assert.equal(e.object, 'list');
    assert.equal(e.data.length, 2);
    assert.equal(e.data[1].index, 1);
});

await test('openai: models list and retrieve (only the allowed models)', async () => {
    requests += 2;
    const c = client('pilot');
    const list = [];
    for await (const m of c.models.list()) list.push(m.id);
    assert.deepEqual(list.sort(),
        ['mock-500', 'mock-bad-sse', 'mock-echo', 'mock-hang', 'mock-leak', 'mock-model', 'mock-no-usage', 'mock-reset']);
    const m = await c.models.retrieve('mock-echo');
    assert.equal(m.id, 'mock-echo');
    assert.equal(m.object, 'model');
});

await test('openai: error classes carry our codes', async () => {
    const cases = [
        ['nope', null, OpenAI.AuthenticationError, 401, 'invalid_api_key'],
        ['consumer', 'jan', OpenAI.PermissionDeniedError, 403, 'consumer_terms_prohibited'],
        ['prod', 'piet', OpenAI.PermissionDeniedError, 403, 'literacy_required'],
        ['expl', null, OpenAI.BadRequestError, 400, 'sensitive_data_detected', 'BSN 111222333'],
    ];
    for (const [app, user, cls, status, code, text] of cases) {
        requests++;
        await assert.rejects(
            client(app, user).chat.completions.create(chat('mock-model', text ?? 'Hallo')),
            (e) => e instanceof cls && e.status === status && e.code === code && !!e.error.rule_id === (code !== 'invalid_api_key'));
    }
    requests++;
    await assert.rejects(client('pilot').models.retrieve('gpt-4o'),
        (e) => e instanceof OpenAI.NotFoundError && e.code === 'model_not_found');
});

await test('openai: an error after the stream started is an error event', async () => {
    requests++;
    const s = await client('pilot', 'jan').chat.completions.create(
        chat('mock-reset', 'Hallo', { stream: true }));
    let got = 0;
    await assert.rejects(async () => { for await (const ch of s) got++; },
        (e) => e instanceof OpenAI.APIError && e.code === 'upstream_error');
    assert.equal(got, 2);
});

// ---- the calling user as an OIDC token (X-Sluis-User-Token) ----

const ISS = 'https://login.gemeente-test.example.nl';
const pem = (n) => createPrivateKey(readFileSync(join(WORK, `oidc-${n}.pem`)));
const b64 = (x) => Buffer.from(JSON.stringify(x)).toString('base64url');
const NOW = Math.floor(Date.now() / 1000);
function jwt(claims, { alg = 'RS256', kid = 'rsa-1', key = 'rsa' } = {}) {
    const data = `${b64({ alg, kid, typ: 'JWT' })}.${b64({ iss: ISS, aud: 'sluis-gateway', sub: 'oidc-sub-jan', iat: NOW, exp: NOW + 600, ...claims })}`;
    const sig = alg === 'ES256' ? sign('sha256', Buffer.from(data), { key: pem(key), dsaEncoding: 'ieee-p1363' })
        : sign('sha256', Buffer.from(data), pem(key));
    return `${data}.${sig.toString('base64url')}`;
}
const TOKEN_MSG = 'Het gebruikerstoken (X-Sluis-User-Token) is ongeldig / The user token (X-Sluis-User-Token) is invalid';

await test('openai: user token (RS256) of a literate user: the literacy of the token\'s user applies', async () => {
    requests++;
    const c = new OpenAI({ apiKey: 'sk-test-prod', baseURL: BASE, maxRetries: 0, timeout: 20000,
        defaultHeaders: { 'X-Sluis-User-Token': jwt({}) } });
    const r = await c.chat.completions.create(chat('mock-model', 'Hallo'));
    assert.match(r.choices[0].message.content, /^MOCK/);
});

await test('openai: a bad user token raises AuthenticationError with code user_token_invalid', async () => {
    requests++;
    const c = new OpenAI({ apiKey: 'sk-test-prod', baseURL: BASE, maxRetries: 0, timeout: 20000,
        defaultHeaders: { 'X-Sluis-User-Token': jwt({ exp: NOW - 5 }) } });
    await assert.rejects(c.chat.completions.create(chat('mock-model', 'Hallo')),
        (e) => e instanceof OpenAI.AuthenticationError && e.status === 401 && e.code === 'user_token_invalid');
});

await test('user token (ES256) of a literate user: 200', async () => {
    const r = await post('/chat/completions', 'sk-test-prod', chat('mock-model', 'x'),
        { 'X-Sluis-User-Token': jwt({}, { alg: 'ES256', kid: 'ec-1', key: 'ec' }) });
    assert.equal(r.status, 200, r.text);
});

await test('user token of a user below the required level: 403 literacy_required', async () => {
    const r = await post('/chat/completions', 'sk-test-prod', chat('mock-model', 'x'),
        { 'X-Sluis-User-Token': jwt({ sub: 'oidc-sub-piet' }) });
    expectError(r, 403, 'literacy_required', 'SP-10');
});

await test('both headers: the token wins over X-Sluis-User', async () => {
    let r = await post('/chat/completions', 'sk-test-prod', chat('mock-model', 'x'),
        { 'x-sluis-user': 'jan', 'X-Sluis-User-Token': jwt({ sub: 'oidc-sub-piet' }) });
    expectError(r, 403, 'literacy_required', 'SP-10');
    r = await post('/chat/completions', 'sk-test-prod', chat('mock-model', 'x'),
        { 'x-sluis-user': 'piet', 'X-Sluis-User-Token': jwt({}) });
    assert.equal(r.status, 200, r.text);
});

const badTokens = [
    ['expired', () => jwt({ exp: NOW - 10 }), 'expired or no exp'],
    ['signed by a key not in the JWKS', () => jwt({}, { key: 'other' }), 'signature does not verify'],
    ['tampered claims', () => { const [h, , s] = jwt({}).split('.'); return `${h}.${b64({ iss: ISS, aud: 'sluis-gateway', sub: 'oidc-sub-jan', exp: NOW + 600, admin: true })}.${s}`; }, 'signature does not verify'],
    ['wrong issuer', () => jwt({ iss: 'https://evil.example' }), 'wrong issuer'],
    ['wrong audience', () => jwt({ aud: 'other' }), 'wrong audience'],
    ['alg none', () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: ISS, sub: 'oidc-sub-jan', exp: NOW + 600 })}.`, 'malformed JWT'],
    ['not a JWT', () => 'garbage', 'not a compact JWS'],
    ['unknown user (no register user has the subject)', () => jwt({ sub: 'oidc-sub-nobody' }), 'no register user has this OIDC subject'],
];
for (const [name, tok, why] of badTokens) {
    await test(`refusal user_token_invalid: ${name} (401, exact body)`, async () => {
        const t = tok();
        // the header user would pass: a bad token must not fall back to it (fail closed)
        const r = await post('/chat/completions', 'sk-test-prod', chat('mock-model', 'x'),
            { 'x-sluis-user': 'jan', 'X-Sluis-User-Token': t });
        expectError(r, 401, 'user_token_invalid', null, null, { message: `${TOKEN_MSG}: ${why}` });
        assert.ok(!r.text.includes(t.slice(0, 20)), 'the token is not echoed');
    });
}

await test('a user token on an application without a literacy requirement is still verified', async () => {
    const r = await post('/chat/completions', 'sk-test-pilot', chat('mock-model', 'x'),
        { 'X-Sluis-User-Token': jwt({ exp: NOW - 10 }) });
    expectError(r, 401, 'user_token_invalid', null, null, { message: `${TOKEN_MSG}: expired or no exp` });
});

// ---- one test per refusal code and per environment: exact status and body ----

const refusals = [
    // [name, key, body, headers, status, code, rule, param, extra]
    ['invalid_api_key: no key', null, chat('mock-model', 'x'), {}, 401, 'invalid_api_key', null],
    ['invalid_api_key: unknown key', 'sk-unknown', chat('mock-model', 'x'), {}, 401, 'invalid_api_key', null],
    ['application_revoked (production)', 'sk-test-revoked', chat('mock-model', 'x'), {}, 403, 'application_revoked', 'G-04'],
    ['application_not_approved (no decision)', 'sk-test-undecided', chat('mock-model', 'x'), {}, 403, 'application_not_approved', 'SP-02b'],
    ['exploration_expired (exploration)', 'sk-test-expl-expired', chat('mock-model', 'x'), {}, 403, 'exploration_expired', 'SP-05b'],
    ['consumer_terms_prohibited (pilot)', 'sk-test-consumer', chat('mock-model', 'x'), {}, 403, 'consumer_terms_prohibited', 'SP-04a'],
    ['agreement_expired (production)', 'sk-test-agr-expired', chat('mock-model', 'x'), {}, 403, 'agreement_expired', 'SP-03c'],
    ['model_not_allowed (pilot)', 'sk-test-pilot', chat('gpt-4o', 'x'), {}, 403, 'model_not_allowed', 'SP-02', 'model'],
    ['literacy_required: no user (production)', 'sk-test-prod', chat('mock-model', 'x'), {}, 403, 'literacy_required', 'SP-10'],
    ['literacy_required: level too low (production)', 'sk-test-prod', chat('mock-model', 'x'), { 'x-sluis-user': 'piet' }, 403, 'literacy_required', 'SP-10'],
    ['sensitive_data_detected (exploration, BSN)', 'sk-test-expl', chat('mock-model', 'Mijn BSN is 111222333'), {}, 400, 'sensitive_data_detected', 'SP-05', 'messages',
        { message: 'Het verzoek bevat gevoelige gegevens / The request contains sensitive data [SP-05]', detectors: ['bsn'] }],
    ['sensitive_data_detected (exploration, e-mail in a tool result)', 'sk-test-expl',
        { model: 'mock-model', messages: [{ role: 'user', content: 'hoi' }, { role: 'tool', tool_call_id: 't', content: 'jan@example.nl' }] },
        {}, 400, 'sensitive_data_detected', 'SP-05', 'messages',
        { message: 'Het verzoek bevat gevoelige gegevens / The request contains sensitive data [SP-05]', detectors: ['email'] }],
    ['sensitive_data_detected (pilot, block)', 'sk-test-pilot', chat('mock-model', 'BSN 111222333'), { 'x-sluis-user': 'jan' }, 400, 'sensitive_data_detected', 'data.categories', 'messages',
        { message: 'Het verzoek bevat gevoelige gegevens / The request contains sensitive data [data.categories]', detectors: ['bsn'] }],
    ['classified_marking (exploration)', 'sk-test-expl', chat('mock-model', 'STG. GEHEIM plan'), {}, 400, 'classified_marking', 'SP-05', 'messages',
        { message: 'Het verzoek bevat een rubriceringsmarkering / The request contains a classification marking [SP-05]', detectors: ['classification'] }],
    ['classified_marking (production)', 'sk-test-prod', chat('mock-model', 'STG. GEHEIM plan'), { 'x-sluis-user': 'jan' }, 400, 'classified_marking', 'SP-05', 'messages',
        { message: 'Het verzoek bevat een rubriceringsmarkering / The request contains a classification marking [SP-05]', detectors: ['classification'] }],
    ['unscannable_content (exploration, token ids)', 'sk-test-expl', { model: 'mock-model', input: [1, 2, 3] }, {}, 400, 'unscannable_content', 'SP-05', null,
        { message: 'Het verzoek bevat inhoud die niet op gevoelige gegevens gecontroleerd kan worden / The request contains content that cannot be checked for sensitive data [SP-05]' }, '/embeddings'],
];
for (const [name, key, body, headers, status, code, rule, param, extra, path] of refusals) {
    await test(`refusal ${name}`, async () => {
        const r = await post(path ?? '/chat/completions', key, body, headers);
        expectError(r, status, code, rule, param ?? null, extra ?? {});
        assert.ok(!r.text.includes('111222333') && !r.text.includes('jan@example.nl'),
            'the matched value is never echoed');
    });
}

await test('production redacts what the application does not allow, keeps what it does', async () => {
    const r = await post('/chat/completions', 'sk-test-prod',
        chat('mock-echo', 'BSN 111222333 mail jan@example.nl'), { 'x-sluis-user': 'jan' });
    assert.equal(r.status, 200, r.text);
    const c = JSON.parse(r.text).choices[0].message.content;
    assert.equal(c, 'BSN [BSN] mail jan@example.nl');
});

await test('exploration lets clean text through', async () => {
    const r = await post('/chat/completions', 'sk-test-expl', chat('mock-echo', 'Wat is de hoofdstad van Utrecht?'));
    assert.equal(r.status, 200, r.text);
});

// ---- bad input ----

await test('malformed JSON: 400 invalid_json', async () => {
    const r = await post('/chat/completions', 'sk-test-pilot', '{"model": "mock-model", "messages": [');
    assert.equal(r.status, 400);
    assert.equal(JSON.parse(r.text).error.code, 'invalid_json');
});

await test('a request that does not follow the API: 400 invalid_request with param', async () => {
    const r = await post('/chat/completions', 'sk-test-pilot', { model: 'mock-model', messages: [{ role: 'user', content: 5 }] });
    assert.equal(r.status, 400);
    const e = JSON.parse(r.text).error;
    assert.equal(e.code, 'invalid_request');
    assert.equal(e.param, 'messages[0].content');
});

await test('wrong content type: 415', async () => {
    const r = await post('/chat/completions', 'sk-test-pilot', '{}', { 'Content-Type': 'text/plain' });
    expectError(r, 415, 'unsupported_media_type', null, null,
        { message: 'Content-Type moet application/json zijn / Content-Type must be application/json' });
});

await test('huge body: 413, by Content-Length and by chunked upload', async () => {
    const big = 'x'.repeat(5 * 1024 * 1024);
    let r = await post('/chat/completions', 'sk-test-pilot', big);
    assert.equal(r.status, 413);
    requests++;
    const res = await fetch(BASE + '/chat/completions', {
        method: 'POST', duplex: 'half',
        headers: { 'Content-Type': 'application/json', Authorization: 'Bearer sk-test-pilot' },
        body: new ReadableStream({
            start(c) { for (let i = 0; i < 6; i++) c.enqueue(new TextEncoder().encode(big.slice(0, 1024 * 1024))); c.close(); },
        }),
    });
    assert.equal(res.status, 413);
    assert.equal((await res.json()).error.code, 'request_too_large');
});

await test('unknown path 404, wrong method 405', async () => {
    let r = await post('/files', 'sk-test-pilot', {});
    assert.equal(r.status, 404);
    requests++;
    const g = await fetch(BASE + '/chat/completions', { headers: { Authorization: 'Bearer sk-test-pilot' } });
    assert.equal(g.status, 405);
    await g.text();
});

await test('upstream hangs: 504 upstream_timeout', async () => {
    const r = await post('/chat/completions', 'sk-test-pilot', chat('mock-hang', 'x'), { 'x-sluis-user': 'jan' });
    expectError(r, 504, 'upstream_timeout', null, null,
        { message: 'De aanbieder antwoordde niet op tijd / The provider did not answer in time' });
});

await test('upstream resets: 502 upstream_error', async () => {
    const r = await post('/chat/completions', 'sk-test-pilot', chat('mock-reset', 'x'), { 'x-sluis-user': 'jan' });
    expectError(r, 502, 'upstream_error', null, null,
        { message: 'De aanbieder gaf een ongeldig antwoord of verbrak de verbinding / The provider sent an invalid answer or dropped the connection' });
});

await test('upstream answers 500: 502 upstream_error', async () => {
    const r = await post('/chat/completions', 'sk-test-pilot', chat('mock-500', 'x'), { 'x-sluis-user': 'jan' });
    assert.equal(r.status, 502);
    assert.equal(JSON.parse(r.text).error.code, 'upstream_error');
});

await test('malformed SSE from upstream: good events, then one error event, then the end', async () => {
    const r = await post('/chat/completions', 'sk-test-pilot', chat('mock-bad-sse', 'x', { stream: true }), { 'x-sluis-user': 'jan' });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'text/event-stream');
    const events = r.text.split('\n\n').filter((e) => e.startsWith('data: '));
    assert.equal(events.length, 2, r.text.slice(0, 400));
    assert.equal(JSON.parse(events[0].slice(6)).object, 'chat.completion.chunk');
    assert.equal(JSON.parse(events[1].slice(6)).error.code, 'upstream_error');
    assert.ok(r.text.length < 10000, 'the over-long upstream line is not passed on');
});

await test('slow client: a stalled upload is cut off and others are served meanwhile', async () => {
    requests++;
    const url = new URL(BASE);
    const sock = net.connect(Number(url.port), url.hostname);
    await new Promise((res) => sock.on('connect', res));
    sock.write('POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        'Authorization: Bearer sk-test-pilot\r\nContent-Length: 1000\r\n\r\n{"model":');
    const closed = new Promise((res) => sock.on('close', res));
    sock.on('error', () => {});
    const r = await post('/chat/completions', 'sk-test-pilot', chat('mock-model', 'x'), { 'x-sluis-user': 'jan' });
    assert.equal(r.status, 200);
    await closed; // the gateway's idle timeout closes the stalled connection
});

await test('slow stream reader: backpressure, and the stream still completes', async () => {
    requests++;
    const res = await fetch(BASE + '/chat/completions', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: 'Bearer sk-test-pilot', 'x-sluis-user': 'jan' },
        body: JSON.stringify(chat('mock-model', 'x', { stream: true })),
    });
    const reader = res.body.getReader();
    let text = '';
    for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
        await new Promise((r) => setTimeout(r, 5));
    }
    assert.ok(text.endsWith('data: [DONE]\n\n'));
});

await test('the server is still up and every response has x-sluis-overhead-ms', async () => {
    const r = await post('/chat/completions', 'sk-test-pilot', chat('mock-model', 'x'), { 'x-sluis-user': 'jan' });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('x-sluis-overhead-ms'), /^\d+\.\d{3}$/);
    const m = await fetch(BASE.replace(/\/v1$/, '') + '/metrics');
    const t = await m.text();
    assert.match(t, /sluis_gateway_requests_total\{endpoint="chat",outcome="ok"\} [1-9]/);
    assert.match(t, /sluis_gateway_refusals_total\{code="consumer_terms_prohibited"\} [1-9]/);
    assert.match(t, /# TYPE sluis_gateway_overhead_seconds histogram/);
});

writeFileSync(COUNT_FILE, `${requests}\n`);
writeFileSync(join(WORK, 'expect-usage.json'), JSON.stringify(expectUsage));
for (const l of results) console.log(l);
console.log(`${results.length - failed}/${results.length} passed`);
process.exit(failed ? 1 : 0);
