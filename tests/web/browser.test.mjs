// browser.test.mjs - the web UI in a real browser: playwright-core driving Debian's chromium
// (headless), axe-core injected into every page. Runs the whole flow against a live
// `sluis serve` (started by run-browser.sh): log in, create an application, fill in the
// dossier (typing, adding list items, importing YAML) while the verdict changes, submit,
// advise as CISO, FG and CIO office, decide as owner, see it on the dashboard; plus every
// other page, bad input next to its field with nothing typed lost, keyboard-only use, and
// the English switch. Screenshots of every page go to SLUIS_WEB_ARTIFACTS.
//
// Environment: SLUIS_WEB_BASE (http://127.0.0.1:PORT), SLUIS_WEB_TOKENS (JSON file
// {"admin","owner","ciso","fg","cio_office"} -> token), SLUIS_WEB_ARTIFACTS (folder).
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BASE = process.env.SLUIS_WEB_BASE;
const TOKEN_FILE = JSON.parse(fs.readFileSync(process.env.SLUIS_WEB_TOKENS, 'utf8'));
const TOKENS = TOKEN_FILE.tokens || TOKEN_FILE; // `sluis demo` writes {"tokens": {role: token}, ...}
const USERS = TOKEN_FILE.users || { owner: 'eigenaar', ciso: 'ciso', fg: 'fg', cio_office: 'cio', admin: 'admin' };
const ART = process.env.SLUIS_WEB_ARTIFACTS || path.join(HERE, '..', 'artifacts', 'web');
const AXE = fs.readFileSync(path.join(HERE, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const APP_ID = 'schrijfhulp-brieven';
fs.mkdirSync(ART, { recursive: true });

const pageErrors = [];
const axeReport = [];
let shot = 0;
let step = '';

function log(msg) { console.log(`[web] ${msg}`); }

// Waits until the current view has finished drawing (app.js sets data-ready, clears aria-busy).
async function settle(page) {
  await page.waitForSelector('main[data-ready]:not([aria-busy])', { timeout: 60000 });
  await page.waitForLoadState('networkidle').catch(() => {});
  await page.waitForFunction(() => !document.querySelector('main .loading'), null, { timeout: 10000 }).catch(() => {});
}

// Screenshot + axe on the page as it is now. No violation of WCAG 2.0/2.1 A and AA or
// axe best practices is allowed.
async function check(page, name) {
  await settle(page);
  shot++;
  const file = path.join(ART, `${String(shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  const has = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!has) await page.evaluate(AXE);
  const res = await page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ' :: ' + n.failureSummary) }));
  });
  axeReport.push({ page: name, url: page.url(), violations: res });
  if (res.length) {
    throw new Error(`axe violations on ${name} (${page.url()}):\n${JSON.stringify(res, null, 2)}`);
  }
  log(`ok ${name}: screenshot ${path.basename(file)}, axe clean`);
}

// Types into a field by keyboard (focus, select all, type).
async function typeInto(page, selector, text) {
  await page.focus(selector);
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  if (text.length > 200) await page.keyboard.insertText(text); else await page.keyboard.type(text);
}

// Presses Enter / Space on an element reached by focus (keyboard operation).
async function press(page, selector, key = 'Enter') {
  await page.focus(selector);
  await page.keyboard.press(key);
}

async function selectByKeyboard(page, selector, value) {
  // Native selects take the value via selectOption; focus first so the change is a user one.
  await page.focus(selector);
  await page.selectOption(selector, value);
}

async function heading(page) {
  return (await page.textContent('main h1')).trim();
}

async function waitHeading(page, text) {
  await page.waitForFunction((t) => { const h = document.querySelector('main h1'); return h && h.textContent.includes(t); }, text, { timeout: 45000 });
  await settle(page);
}

async function login(page, who) {
  await page.goto(`${BASE}/inloggen`);
  await page.waitForSelector('#login-token');
  await typeInto(page, '#login-token', TOKENS[who]);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#logout:not([hidden])', { timeout: 45000 });
  await settle(page);
}

async function logout(page) {
  await press(page, '#logout');
  await page.waitForSelector('#login-form');
}

async function fieldError(page, id) {
  const el = await page.$(`#${id}-error`);
  if (!el) return '';
  if (await el.evaluate((e) => e.hidden)) return '';
  return (await el.textContent()).trim();
}

async function liveVerdict(page) {
  await page.waitForFunction(() => {
    const s = document.getElementById('live-summary');
    return s && s.textContent && !/bijgewerkt…|Updating/.test(s.textContent);
  }, null, { timeout: 45000 });
  return page.evaluate(() => {
    const box = document.querySelector('#live');
    const unmet = [...document.querySelectorAll('#live .finding--unmet')].map((f) => f.getAttribute('data-rule'));
    return { kind: box ? box.getAttribute('data-verdict') : '', unmet, summary: document.getElementById('live-summary').textContent };
  });
}

async function waitVerdictChange(page, before) {
  await page.waitForFunction((b) => {
    const s = document.getElementById('live-summary');
    if (!s || /bijgewerkt…|Updating/.test(s.textContent)) return false;
    const box = document.querySelector('#live');
    const unmet = [...document.querySelectorAll('#live .finding--unmet')].map((f) => f.getAttribute('data-rule')).join(',');
    return box && (box.getAttribute('data-verdict') !== b.kind || unmet !== b.unmet.join(','));
  }, before, { timeout: 45000 });
  return liveVerdict(page);
}

// The dashboard's tables as {state: {label: n}, verdict: {label: n}}.
async function dashCounts(page) {
  return page.evaluate(() => {
    const read = (id) => Object.fromEntries([...document.querySelectorAll(`#${id} tbody tr`)].map((r) => [r.cells[0].textContent.trim(), Number(r.cells[1].textContent)]));
    return { state: document.getElementById('dash-state-table') ? read('dash-state-table') : {}, verdict: read('dash-verdict-table') };
  });
}

async function appState(page) {
  return (await page.textContent('#app-state')).trim();
}

// Tabs through the whole page: focus must move forward, stay visible, and come back round
// (no keyboard trap). Returns the ids/texts of the focused elements.
async function tabCycle(page, maxTabs = 400) {
  await page.evaluate(() => { window.scrollTo(0, 0); document.getElementById('skiplink').focus(); });
  const seen = [{ tag: 'A', id: 'skiplink' }];
  let wrapped = false;
  for (let i = 1; i < maxTabs; i++) {
    await page.keyboard.press('Tab');
    const info = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return { tag: 'BODY' };
      const cs = getComputedStyle(el);
      const visible = (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) || (cs.boxShadow && cs.boxShadow !== 'none');
      return { tag: el.tagName, id: el.id, text: (el.textContent || el.value || '').trim().slice(0, 40), visible };
    });
    if (info.tag === 'BODY' || (i > 0 && info.id === 'skiplink')) { wrapped = true; break; }
    assert.ok(info.visible, `focus is not visible on ${JSON.stringify(info)}`);
    seen.push(info);
  }
  assert.ok(wrapped, `focus did not come round after ${maxTabs} tabs (keyboard trap?) last: ${JSON.stringify(seen.slice(-3))}`);
  return seen;
}

async function main() {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluis-web-chromium-'));
  const ctx = await chromium.launchPersistentContext(userDir, {
    executablePath: process.env.SLUIS_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
    locale: 'nl-NL',
  });
  const page = ctx.pages()[0] || await ctx.newPage();
  page.setDefaultTimeout(45000);
  page.on('pageerror', (e) => pageErrors.push(`${step}: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) pageErrors.push(`${step}: console: ${m.text()}`); });
  // Nothing may be loaded from anywhere but the server under test.
  const foreign = [];
  page.on('request', (r) => { const u = r.url(); if (!u.startsWith(BASE) && !u.startsWith('blob:') && !u.startsWith('data:')) foreign.push(u); });

  try {
    // ---- log in ----
    step = 'login';
    await page.goto(`${BASE}/`);
    await page.waitForSelector('#login-form');
    assert.match(page.url(), /\/inloggen/);
    assert.equal(await page.getAttribute('html', 'lang'), 'nl');
    await check(page, 'inloggen');
    // Skip link is the first tab stop and moves focus to the content.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'skiplink');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement.id || document.activeElement.closest('main')?.id), 'main');
    // Empty and wrong tokens: the error sits next to the field, the typed text stays.
    await press(page, '#login-form button[type=submit]');
    assert.ok(await fieldError(page, 'login-token'), 'empty token: no error next to the field');
    await typeInto(page, '#login-token', 'sluis_0000000000000000000000000000000000000000000000000000000000000000');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => !document.getElementById('login-token-error').hidden && /onbekend/.test(document.getElementById('login-token-error').textContent));
    assert.equal(await page.inputValue('#login-token'), 'sluis_0000000000000000000000000000000000000000000000000000000000000000');
    assert.equal(await page.getAttribute('#login-token', 'aria-invalid'), 'true');
    assert.match(await page.getAttribute('#login-token', 'aria-describedby'), /login-token-error/);
    await check(page, 'inloggen-fout');

    // ---- owner: dashboard, applications, new application ----
    step = 'owner';
    await login(page, 'owner');
    assert.equal(await heading(page), 'Overzicht');
    const before = await dashCounts(page);
    log(`dashboard before: ${JSON.stringify(before)}`);
    await check(page, 'overzicht');
    await press(page, 'nav a[href="/applicaties"]');
    await waitHeading(page, 'Applicaties');
    await check(page, 'applicaties');
    await press(page, '#new-app');
    await waitHeading(page, 'Nieuwe applicatie');
    await check(page, 'nieuwe-applicatie');
    // Bad input: errors next to their fields, what was typed is kept.
    await typeInto(page, '#f-id', 'Schrijfhulp Brieven!');
    await typeInto(page, '#f-name', 'Schrijfhulp voor brieven');
    await press(page, '#new-app-form button[type=submit]');
    assert.ok(await fieldError(page, 'f-id'), 'bad id: no error next to the id');
    assert.ok(await fieldError(page, 'f-use-kind'), 'missing kind: no error next to it');
    assert.equal(await page.inputValue('#f-id'), 'Schrijfhulp Brieven!');
    assert.equal(await page.inputValue('#f-name'), 'Schrijfhulp voor brieven');
    assert.equal(await page.evaluate(() => document.activeElement.classList.contains('error-summary')), true);
    await check(page, 'nieuwe-applicatie-fout');
    await typeInto(page, '#f-id', APP_ID);
    await selectByKeyboard(page, '#f-use-kind', 'develop');
    await selectByKeyboard(page, '#f-use-environment', 'production');
    await press(page, '#new-app-form button[type=submit]');

    // ---- the dossier editor ----
    step = 'editor';
    await waitHeading(page, 'Dossier');
    assert.equal(new URL(page.url()).pathname, `/applicaties/${APP_ID}/dossier`);
    const v0 = await liveVerdict(page);
    log(`verdict at start: ${v0.kind} unmet=${v0.unmet.join(',')}`);
    assert.ok(v0.kind, 'no verdict shown in the editor');
    await check(page, 'dossier-leeg');
    // Type the purpose and add a model under consumer terms.
    await typeInto(page, '#f-purpose-description', 'Concepten van antwoordbrieven opstellen.');
    await typeInto(page, '#f-purpose-problem', 'Achterstand in de beantwoording van brieven.');
    await press(page, '#f-models-add');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'f-models-0-name');
    await page.keyboard.type('Chat-assistent');
    await typeInto(page, '#f-models-0-provider', 'chatdienst');
    await selectByKeyboard(page, '#f-models-0-terms', 'consumer');
    const v1 = await waitVerdictChange(page, v0);
    log(`verdict with consumer terms: ${v1.kind} unmet=${v1.unmet.join(',')}`);
    assert.ok(v1.unmet.some((r) => /^SP-04/.test(r)), 'consumer terms did not make SP-04 unmet');
    await check(page, 'dossier-consumentenvoorwaarden');
    // Server-side error: a field over the 4096-byte cap is refused by the register and
    // shown next to that field; the text stays in the field.
    const long = 'x'.repeat(5000);
    await typeInto(page, '#f-owner-function', long);
    await press(page, '#save-draft');
    await page.waitForFunction(() => !document.getElementById('f-owner-function-error').hidden, null, { timeout: 45000 });
    log(`server error next to owner.function: ${await fieldError(page, 'f-owner-function')}`);
    assert.equal((await page.inputValue('#f-owner-function')).length, 5000);
    assert.equal(await page.getAttribute('#f-owner-function', 'aria-invalid'), 'true');
    await check(page, 'dossier-serverfout');
    await typeInto(page, '#f-owner-function', 'Teamleider');
    // A YAML file that cannot be read: the error names the line, next to the file field.
    await page.setInputFiles('#import-file', path.join(HERE, 'fixtures', 'broken.yaml'));
    await press(page, '#import-form button[type=submit]');
    await page.waitForFunction(() => !document.getElementById('import-file-error').hidden);
    assert.match(await fieldError(page, 'import-file'), /5:/);
    assert.equal(await page.inputValue('#f-models-0-name'), 'Chat-assistent', 'a failed import changed the form');
    // Import the full dossier: a self-hosted open-source model, every assessment.
    await page.setInputFiles('#import-file', path.join(HERE, 'fixtures', 'schrijfhulp.yaml'));
    await press(page, '#import-form button[type=submit]');
    await page.waitForFunction(() => document.getElementById('f-models-0-name').value === 'Mistral-Small-Instruct');
    assert.equal(await page.inputValue('#f-id'), APP_ID, 'import changed the application id');
    const v2 = await waitVerdictChange(page, v1);
    log(`verdict after import: ${v2.kind} unmet=${v2.unmet.join(',')}`);
    assert.ok(!v2.unmet.some((r) => /^SP-04/.test(r)), 'SP-04 still unmet after import');
    // Typing the review date changes the findings (G-05).
    assert.ok(v2.unmet.includes('G-05'), 'G-05 should be unmet without a review date');
    await typeInto(page, '#f-review_date', '');
    await page.fill('#f-review_date', '2027-06-01');
    await page.dispatchEvent('#f-review_date', 'change');
    const v3 = await waitVerdictChange(page, v2);
    log(`verdict with review date: ${v3.kind} unmet=${v3.unmet.join(',')}`);
    assert.ok(!v3.unmet.includes('G-05'), 'G-05 still unmet after typing the review date');
    await press(page, '#save-draft');
    await page.waitForFunction(() => /opgeslagen|saved/i.test(document.getElementById('editor-status').textContent));
    await check(page, 'dossier-ingevuld');
    // Export: the YAML download holds what is on the form.
    const [download] = await Promise.all([page.waitForEvent('download'), press(page, '#export-yaml')]);
    const exported = fs.readFileSync(await download.path(), 'utf8');
    assert.match(exported, /^id: schrijfhulp-brieven$/m);
    assert.match(exported, /^review_date: 2027-06-01$/m);
    fs.writeFileSync(path.join(ART, 'export.yaml'), exported);
    // Keyboard: the whole editor can be tabbed through and focus comes back round.
    const stops = await tabCycle(page, 600);
    assert.ok(stops.some((s) => s.id === 'save-draft'), `the save button is not reachable by keyboard: ${stops.length} stops, last ${JSON.stringify(stops.slice(-4))}`);
    log(`editor: ${stops.length} tab stops, no trap`);

    // ---- application page: submit ----
    step = 'submit';
    await press(page, `main a[href="/applicaties/${APP_ID}"]`);
    await waitHeading(page, 'Schrijfhulp voor brieven');
    assert.equal(await appState(page), 'Concept');
    assert.ok(await page.$('#verdict .finding'), 'no findings on the application page');
    const rule = await page.textContent('#verdict .finding code');
    assert.ok(rule.trim(), 'a finding without a rule id');
    await check(page, 'applicatie-concept');
    await press(page, '#submit-app');
    await page.waitForFunction(() => document.getElementById('app-state') && document.getElementById('app-state').textContent.includes('Ingediend'));
    const required = await page.textContent('#required-roles');
    log(required);
    await check(page, 'applicatie-ingediend');
    await logout(page);

    // ---- advice: CISO, FG, CIO office ----
    for (const [who, outcome] of [['ciso', 'positive'], ['fg', 'positive_with_conditions'], ['cio_office', 'positive']]) {
      step = `advice ${who}`;
      await login(page, who);
      await check(page, `overzicht-${who}`);
      assert.ok(await page.$(`#dash-waiting-table a[href="/applicaties/${APP_ID}"]`), `${who}: the application is not waiting for my advice on the dashboard`);
      await press(page, `#dash-waiting-table a[href="/applicaties/${APP_ID}"]`);
      await waitHeading(page, 'Schrijfhulp voor brieven');
      assert.ok(await page.$('#advice-form'), `${who}: no advice form`);
      // Submitting without an outcome: error next to the group.
      await typeInto(page, '#advice-conditions', who === 'fg' ? 'Bewaartermijn van prompts vastleggen.' : 'Geen opmerkingen.');
      await press(page, '#advice-form button[type=submit]');
      assert.ok(await fieldError(page, 'advice-outcome'), `${who}: no error for a missing outcome`);
      assert.notEqual(await page.inputValue('#advice-conditions'), '', 'conditions lost');
      await check(page, `advies-${who}-fout`);
      const idx = ['positive', 'positive_with_conditions', 'negative'].indexOf(outcome);
      await press(page, `#advice-outcome-${idx}`, 'Space');
      assert.equal(await page.isChecked(`#advice-outcome-${idx}`), true);
      await press(page, '#advice-form button[type=submit]');
      const roleLabel = { ciso: 'CISO', fg: 'Functionaris gegevensbescherming (FG)', cio_office: 'CIO-office' }[who];
      await page.waitForFunction((r) => [...document.querySelectorAll('#advice-table tbody tr')].some((tr) => tr.cells[0].textContent.trim() === r), roleLabel);
      await check(page, `advies-${who}`);
      await logout(page);
    }

    // ---- decision by the owner ----
    step = 'decision';
    await login(page, 'owner');
    await page.goto(`${BASE}/applicaties/${APP_ID}`);
    await waitHeading(page, 'Schrijfhulp voor brieven');
    log(`state before decision: ${await appState(page)}`);
    assert.ok(await page.$('#decision-form'), 'no decision form for the owner');
    await press(page, '#decision-outcome-0', 'Space');
    await selectByKeyboard(page, '#decision-environment', 'production');
    await typeInto(page, '#decision-conditions', 'Evaluatie na zes maanden.');
    await press(page, '#decision-form button[type=submit]');
    await page.waitForFunction(() => document.getElementById('app-state') && /Goedgekeurd/.test(document.getElementById('app-state').textContent), null, { timeout: 45000 })
      .catch(async (e) => { throw new Error(`decision not recorded: ${await page.textContent('main')}`.slice(0, 3000)); });
    await page.waitForSelector('#decision-view');
    const finalKind = await page.getAttribute('#verdict', 'data-verdict');
    log(`verdict after the decision: ${finalKind}`);
    assert.equal(finalKind, 'allowed');
    assert.ok((await page.$$('#history-table tbody tr')).length >= 4, 'decision history is missing entries');
    await check(page, 'applicatie-besloten');

    // ---- the dashboard shows it ----
    step = 'dashboard';
    await press(page, 'nav a[href="/"]');
    await waitHeading(page, 'Overzicht');
    const after = await dashCounts(page);
    log(`dashboard after: ${JSON.stringify(after)}`);
    assert.equal(after.state.Goedgekeurd || 0, (before.state.Goedgekeurd || 0) + 1, 'the approved application is not counted on the dashboard');
    assert.equal(after.verdict.Toegestaan || 0, (before.verdict.Toegestaan || 0) + 1, 'the allowed verdict is not counted on the dashboard');
    await check(page, 'overzicht-na-besluit');
    // The list filters.
    await press(page, 'nav a[href="/applicaties"]');
    await waitHeading(page, 'Applicaties');
    await selectByKeyboard(page, '#apps-verdict', 'allowed');
    await page.waitForFunction((id) => !!document.querySelector(`#apps-table a[href="/applicaties/${id}"]`), APP_ID);
    await selectByKeyboard(page, '#apps-verdict', 'prohibited');
    await page.waitForFunction((id) => !document.querySelector(`#apps-table a[href="/applicaties/${id}"]`), APP_ID);
    await selectByKeyboard(page, '#apps-verdict', '');
    await typeInto(page, '#apps-q', 'schrijf');
    await page.waitForFunction((id) => !!document.querySelector(`#apps-table a[href="/applicaties/${id}"]`), APP_ID);
    await check(page, 'applicaties-gefilterd');
    await logout(page);

    // ---- the other pages, as administrator ----
    step = 'admin';
    await login(page, 'admin');
    await page.goto(`${BASE}/leveranciers`);
    await waitHeading(page, 'Leveranciers');
    await check(page, 'leveranciers');
    await press(page, '#provider-form button[type=submit]');
    assert.ok(await fieldError(page, 'provider-id'), 'provider without id: no error');
    await typeInto(page, '#provider-id', 'testleverancier');
    await typeInto(page, '#provider-name', 'Testleverancier BV');
    await typeInto(page, '#provider-country', 'NL');
    await press(page, '#provider-form button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#providers-table') && /Testleverancier BV/.test(document.querySelector('#providers-table').textContent));
    await settle(page);
    await typeInto(page, '#agreement-reference', 'OVK-2026-001');
    await typeInto(page, '#agreement-retention', 'dertig');
    await press(page, '#agreement-form button[type=submit]');
    assert.ok(await fieldError(page, 'agreement-retention'), 'retention "dertig": no error');
    assert.equal(await page.inputValue('#agreement-retention'), 'dertig');
    await check(page, 'leveranciers-fout');
    assert.ok(await fieldError(page, 'agreement-provider'), 'agreement without provider: no error');
    await selectByKeyboard(page, '#agreement-provider', 'testleverancier');
    await typeInto(page, '#agreement-retention', '30');
    const soon = new Date(Date.now() + 20 * 86400000).toISOString().slice(0, 10);
    await page.fill('#agreement-valid-until', soon);
    await press(page, '#agreement-form button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#agreements-table') && /OVK-2026-001/.test(document.querySelector('#agreements-table').textContent));
    await settle(page);
    await check(page, 'leveranciers-toegevoegd');

    await page.goto(`${BASE}/gebruikers`);
    await waitHeading(page, 'Gebruikers');
    await check(page, 'gebruikers');
    const bad = fs.readFileSync(path.join(HERE, 'fixtures', 'training-bad.csv'), 'utf8')
      .replace(/^eigenaar,/m, `${USERS.owner},`).replace(/^ciso,/m, `${USERS.ciso},`);
    await typeInto(page, '#training-csv', bad);
    await press(page, '#training-import-form button[type=submit]');
    await page.waitForFunction(() => !document.getElementById('training-csv-error').hidden, null, { timeout: 45000 });
    log(`CSV error next to the field: ${await fieldError(page, 'training-csv')}`);
    assert.equal(await page.inputValue('#training-csv'), bad, 'the CSV text was lost');
    await check(page, 'gebruikers-csv-fout');
    const good = bad.replace(/^.*heel-goed.*$/m, `${USERS.ciso},Webtest AI-geletterdheid,vloeiend,2026-03-01,2028-03-01`);
    await typeInto(page, '#training-csv', good);
    await press(page, '#training-import-form button[type=submit]');
    await page.waitForFunction((u) => document.querySelector('#training-table') && [...document.querySelectorAll('#training-table tbody tr')].some((tr) => tr.textContent.includes(u) && tr.textContent.includes('Webtest')), USERS.ciso);
    await check(page, 'gebruikers-geimporteerd');

    await page.goto(`${BASE}/beleid`);
    await waitHeading(page, 'Beleid');
    // Two policy versions are loaded (run-browser.sh): under the previous one the jurist had
    // to advise too, so this application's verdict differs.
    await page.waitForSelector('#diff-table');
    assert.match(await page.textContent('#policies-table'), /2025\.9-vorige/);
    const diffRow = await page.$eval(`#diff-table a[data-app="${APP_ID}"]`, (a) => a.closest('tr').textContent);
    assert.match(diffRow, /Niet toegestaan.*Toegestaan.*gewijzigd/s, `policy diff row: ${diffRow}`);
    await check(page, 'beleid');
    await page.goto(`${BASE}/audit`);
    await waitHeading(page, 'Audittrail');
    await press(page, '#verify-chain');
    await page.waitForFunction(() => /intact/.test(document.getElementById('verify-result').textContent));
    await check(page, 'audit');

    // ---- the organisation: details, advice roles, an own policy file ----
    step = 'organisation';
    await page.goto(`${BASE}/organisatie`);
    await waitHeading(page, 'Organisatie');
    // The defaults come from the base policy the server loaded.
    assert.match(await page.textContent('#role-matrix-table'), /use\.kind != unavoidable/);
    assert.ok(await page.$('#org-files-none'), 'a fresh organisation has no policy file');
    await check(page, 'organisatie');
    // A file with two errors: both at their line:column next to the text box; the text stays.
    const orgPolicy = fs.readFileSync(path.join(HERE, 'fixtures', 'org-policy.yaml'), 'utf8');
    const badPolicy = orgPolicy.replace('severity: advise', 'severity: adviseer').replace('present(exit_plan)', 'present(exit_plan');
    const lineOf = (text, needle) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
    await typeInto(page, '#policy-source', badPolicy);
    await press(page, '#policy-upload-form button[type=submit]');
    await page.waitForFunction(() => !document.getElementById('policy-source-error').hidden, null, { timeout: 45000 });
    const policyError = await fieldError(page, 'policy-source');
    log(`policy errors next to the field: ${policyError}`);
    assert.match(policyError, new RegExp(`Regel ${lineOf(badPolicy, 'requires:')}, kolom \\d+:`));
    assert.match(policyError, new RegExp(`Regel ${lineOf(badPolicy, 'severity:')}, kolom \\d+: .*adviseer`));
    assert.equal(await page.inputValue('#policy-source'), badPolicy, 'the policy text was lost');
    assert.ok(await page.$('#org-files-none'), 'a refused file was stored');
    await check(page, 'organisatie-beleid-fout');
    await typeInto(page, '#policy-source', orgPolicy);
    await press(page, '#policy-upload-form button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#org-files-table') && /org-webtest@1/.test(document.querySelector('#org-files-table').textContent));
    await settle(page);
    assert.match(await page.textContent('#org-policy-version'), /\+org-webtest@1$/);
    assert.match(await page.textContent('#org-files-table tbody tr'), /actief/);
    await check(page, 'organisatie-beleid');
    // The advice-role override: a condition that does not compile is refused at its field.
    await typeInto(page, '#role-matrix-ciso', 'data.personal_data and');
    await press(page, '#role-matrix-form button[type=submit]');
    await page.waitForFunction(() => !document.getElementById('role-matrix-ciso-error').hidden, null, { timeout: 45000 });
    assert.ok(await fieldError(page, 'role-matrix-ciso'), 'bad role condition: no error at the field');
    assert.equal(await page.inputValue('#role-matrix-ciso'), 'data.personal_data and');
    await check(page, 'organisatie-rollen-fout');
    await typeInto(page, '#role-matrix-ciso', 'true');
    await press(page, '#role-matrix-form button[type=submit]');
    await page.waitForFunction(() => /role-matrix@/.test((document.getElementById('org-policy-version') || {}).textContent || ''), null, { timeout: 45000 });
    await settle(page);
    const cisoRow = await page.$eval('#role-matrix-table', (tb) => [...tb.querySelectorAll('tbody tr')].find((tr) => /CISO/.test(tr.textContent)).textContent);
    assert.match(cisoRow, /true$/);
    // Back to the default matrix, and the file switched off: the base alone is in force again.
    await typeInto(page, '#role-matrix-ciso', '');
    await press(page, '#role-matrix-form button[type=submit]');
    await page.waitForFunction(() => { const v = document.getElementById('org-policy-version'); return v && !/role-matrix@/.test(v.textContent); }, null, { timeout: 45000 });
    await settle(page);
    await press(page, '#org-files-table button[data-action=deactivate]');
    await page.waitForFunction(() => /niet actief/.test((document.querySelector('#org-files-table tbody tr') || {}).textContent || ''), null, { timeout: 45000 });
    await settle(page);
    assert.doesNotMatch(await page.textContent('#org-policy-version'), /\+/);
    await check(page, 'organisatie-gedeactiveerd');

    // ---- overview again: expiring agreement, literacy ----
    await press(page, 'nav a[href="/"]');
    await waitHeading(page, 'Overzicht');
    assert.match(await page.textContent('#dash-expiring ~ *, .card:has(#dash-expiring)'), /OVK-2026-001/);
    await check(page, 'overzicht-beheerder');

    // ---- English ----
    step = 'english';
    await press(page, '#lang-switch');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    await waitHeading(page, 'Dashboard');
    assert.equal(await page.textContent('nav a[href="/applicaties"]'), 'Applications');
    await check(page, 'dashboard-en');
    await page.goto(`${BASE}/applicaties/${APP_ID}`);
    await waitHeading(page, 'Schrijfhulp');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.match(await page.textContent('#verdict'), /Allowed/);
    await check(page, 'application-en');
    await page.goto(`${BASE}/applicaties/${APP_ID}/dossier`);
    await waitHeading(page, 'Dossier');
    await check(page, 'dossier-en');
    await page.goto(`${BASE}/nergens`);
    await waitHeading(page, 'Page not found');
    await check(page, 'not-found-en');
    await press(page, '#lang-switch');
    await page.waitForFunction(() => document.documentElement.lang === 'nl');

    assert.deepEqual(foreign, [], 'the UI loaded something from outside the server');
    assert.deepEqual(pageErrors, [], 'JavaScript errors in the page');
  } catch (err) {
    try { await page.screenshot({ path: path.join(ART, `FAILED-${step.replace(/\W+/g, '-')}.png`), fullPage: true }); } catch { /* ignore */ }
    throw err;
  } finally {
    fs.writeFileSync(path.join(ART, 'axe-report.json'), JSON.stringify(axeReport, null, 2));
    await ctx.close();
    fs.rmSync(userDir, { recursive: true, force: true });
  }
}

main().then(() => {
  log(`all passed (${shot} pages checked with axe, screenshots in ${ART})`);
}, (err) => {
  console.error(`[web] FAILED in step "${step}": ${err && err.stack || err}`);
  if (pageErrors.length) console.error(`[web] page errors:\n${pageErrors.join('\n')}`);
  process.exit(1);
});
