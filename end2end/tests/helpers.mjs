// Shared set-up for the browser journeys: Debian's Chromium at a phone's
// size, the server under test, and the SMS outbox (read from its database).
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export const BASE = process.env.BASE_URL ?? 'http://127.0.0.1:3000';
const DB = process.env.DB_PATH ?? '../data/campus-pass.db';
export const DEMO_PASSWORD = 'Campus-demo-2026';
export const SHOTS = new URL('../test-results/', import.meta.url).pathname;
mkdirSync(SHOTS, { recursive: true });

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/// A different client address for each phone, as the journeys' server
/// (run with `trust_proxy`) reads it from X-Forwarded-For: real phones
/// come from many addresses, and the per-address limits on SMS and
/// sign-ins would otherwise count the whole suite as one client.
let phones = 0;
function nextAddress() {
  phones += 1;
  return `10.${process.pid % 250}.${Math.floor(phones / 250)}.${phones % 250 + 1}`;
}

/// A new phone: its own cookies and address, 390×844, touch, Chinese by default.
export async function phone(browser, { locale = 'zh-CN', userAgent } = {}) {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale,
    extraHTTPHeaders: { 'X-Forwarded-For': nextAddress() },
    userAgent: userAgent ?? 'Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36 MicroMessenger/8.0.47',
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) console.error('console error:', m.text().slice(0, 2000)); });
  return { context, page };
}

/// Opens a path and waits until the page is hydrated (interactive).
export async function open(page, path) {
  await page.goto(BASE + path);
  await page.waitForSelector('body[data-hydrated]', { timeout: 20000 });
}

/// How far the page moved under the reader since it loaded: the sum of its
/// layout shifts not caused by their input (Lighthouse's CLS, for one
/// load). Content streamed in above something already painted shows here.
export async function layoutShift(page) {
  return page.evaluate(() => new Promise((resolve) => {
    let sum = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (!e.hadRecentInput) sum += e.value;
    }).observe({ type: 'layout-shift', buffered: true });
    requestAnimationFrame(() => setTimeout(() => resolve(sum), 100));
  }));
}

/// The newest sign-in code texted to `number`.
export function lastCode(number) {
  const body = execFileSync('sqlite3', [DB,
    `SELECT body FROM sms_outbox WHERE phone = '${number}' AND purpose = 'sign_in_code' ORDER BY created_at DESC, id DESC LIMIT 1`]).toString();
  const m = body.match(/\d{6}/);
  if (!m) throw new Error(`no code for ${number} in the outbox`);
  return m[0];
}

export async function signInStaff(page, staffNo, password) {
  await open(page, '/sign-in/staff');
  await page.fill('#staff_no', staffNo);
  await page.fill('#password', password);
  await page.click('button[type=submit]');
}

export async function shot(page, name) {
  await page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });
}

/// Signs a phone in with an SMS code read from the outbox.
export async function signInPhone(page, number, next = '') {
  await open(page, '/sign-in' + (next ? `?next=${encodeURIComponent(next)}` : ''));
  await page.fill('#phone', number);
  await page.click('#send-code');
  await page.waitForSelector('.ok[role=status]');
  await page.fill('#code', lastCode(number));
  await page.click('button[type=submit]');
  await page.waitForURL((u) => u.pathname === (next || '/'));
  await page.waitForSelector('body[data-hydrated]');
}

/// A fresh mobile number per call (SMS limits outlive a test run).
let counter = 0;
export function newNumber(prefix = '139') {
  counter += 1;
  return prefix + String((Date.now() + counter * 7919) % 1e8).padStart(8, '0');
}

/// A valid resident ID number (GB 11643 check character) for sequence `seq`.
export function idNumber(seq) {
  const first17 = `11010119900307${String(seq % 1000).padStart(3, '0')}`;
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((s, d, i) => s + Number(d) * w[i], 0);
  return first17 + '10X98765432'[sum % 11];
}

/// Fills and submits a one-person application to 张伟 of 计算机学院.
export async function applySimple(page, { name, number, seq, plate }) {
  await open(page, '/apply');
  await page.waitForSelector('#host-query');
  await page.fill('#host-query', '张伟');
  await page.click('#host-search');
  await page.click('button.choice:has-text("计算机学院")');
  await page.waitForSelector('#host-chosen');
  await page.selectOption('#reason', { index: 1 });
  await page.fill('.entrant-name >> nth=0', name);
  await page.fill('.entrant-phone >> nth=0', number);
  await page.fill('.entrant-doc >> nth=0', idNumber(seq));
  if (plate) {
    await page.check('#has-car');
    await page.fill('#plate', plate);
    await page.check('.entrant-in-car >> nth=0');
  }
  await page.check('#doc-consent');
  await page.click('#submit-application');
  await page.waitForURL(/\/applications\/[0-9a-f-]+$/);
  await page.waitForSelector('#status');
  return page.url().split('/').pop();
}

/// Opens an application as staff and takes an action (with a note if asked).
export async function decide(page, id, act, note) {
  await open(page, `/approvals/${id}`);
  await page.click(`#actions button[data-act=${act}]`);
  if (note !== undefined) {
    await page.fill('#decision-note-input', note);
    await page.click('#confirm-decision');
  }
  await page.waitForFunction((a) => !document.querySelector(`#actions button[data-act=${a}]`), act, { timeout: 15000 });
}

/// Which wasm bundle the page loaded: 'scanner', 'visitor', 'people', 'review' (page bundles)
/// or 'main' (every page); fails if it loaded more than one.
export async function bundle(page) {
  const wasm = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.includes('/pkg/') && n.endsWith('.wasm')));
  const kinds = [...new Set(wasm.map((n) => n.match(/\/campus-pass-(scanner|visitor|people|review)\./)?.[1] ?? 'main'))];
  if (kinds.length !== 1) throw new Error(`expected one wasm bundle, loaded: ${wasm.join(', ') || 'none'}`);
  return kinds[0];
}

// axe-core's browser script, injected into each page checked.
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
// WCAG 2.0, 2.1 and 2.2 at levels A and AA, plus axe's rules for a page's
// structure (one main, one h1, landmarks told apart, content inside them),
// which WCAG's own tags leave to "best practice".
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const STRUCTURE = ['landmark-one-main', 'landmark-no-duplicate-main', 'landmark-unique', 'landmark-no-duplicate-banner',
  'landmark-no-duplicate-contentinfo', 'landmark-main-is-top-level', 'landmark-banner-is-top-level', 'page-has-heading-one',
  'heading-order', 'empty-heading', 'region', 'label-title-only', 'aria-allowed-role', 'empty-table-header'];

/// axe-core's violations on the page as it is now.
export async function axeViolations(page) {
  // Evaluated through the DevTools protocol, not added as a <script>: the
  // page's Content-Security-Policy (rightly) refuses inline scripts.
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE);
  return page.evaluate(async ([tags, rules]) => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      rules: Object.fromEntries(rules.map((r) => [r, { enabled: true }])),
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
  }, [WCAG, STRUCTURE]);
}

/// Runs axe-core on the page as it is now (call it once hydrated) and
/// fails with one line per problem: rule, impact, where, and what to do.
export async function expectAccessible(page, name) {
  const violations = await axeViolations(page);
  // axe asks for at least one h1; a page has exactly one, saying what it is.
  const h1 = await page.$$eval('h1', (hs) => hs.map((h) => h.textContent.trim()));
  if (h1.length > 1) violations.push({ id: 'one-h1', impact: 'moderate', help: 'A page has one level-one heading', targets: h1 });
  if (violations.length) {
    const lines = violations.map((v) => `  ${v.id} (${v.impact}): ${v.help}\n      ${v.targets.slice(0, 8).join('\n      ')}${v.targets.length > 8 ? `\n      … and ${v.targets.length - 8} more` : ''}`);
    throw new Error(`${name} (${page.url().replace(BASE, '')}): ${violations.length} accessibility problem(s), WCAG 2.2 AA:\n${lines.join('\n')}`);
  }
}

/// A staff member signed in on a phone of their own (a new context), on
/// the home page, hydrated.
export async function staffPage(browser, staffNo) {
  const { page } = await phone(browser);
  await signInStaff(page, staffNo, DEMO_PASSWORD);
  await page.waitForURL((u) => u.pathname === '/');
  await page.waitForSelector('body[data-hydrated]', { timeout: 20000 });
  return page;
}

/// The QR on a pass page, read back from a screenshot by zbarimg (a
/// decoder that is not ours): the link a guard's phone opens.
export async function qrOf(page, href, name) {
  await page.goto(href);
  await page.waitForSelector('#pass-qr svg');
  const file = `${SHOTS}${name}.png`;
  await page.locator('#pass-qr').screenshot({ path: file });
  return execFileSync('zbarimg', ['--raw', '-q', file], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
}

/// The guard opens a scanned link (as WeChat's scanner does) and reads the
/// verdict: its reason code and text; the page is screenshot and checked
/// with axe under `name`.
export async function guardVerdict(browser, url, name) {
  const guard = await staffPage(browser, 'G0001');
  await guard.goto(url);
  const verdict = await guard.waitForSelector('#verdict', { timeout: 20000 });
  const result = { reason: await verdict.getAttribute('data-reason'), text: await verdict.textContent() };
  await shot(guard, name);
  await expectAccessible(guard, name);
  await guard.context().close();
  return result;
}
