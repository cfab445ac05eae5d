// Shared set-up for the browser journeys: Debian's Chromium at a phone's
// size, the server under test, and the SMS outbox (read from its database).
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

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

/// A new phone: its own cookies, 390×844, touch, Chinese by default.
export async function phone(browser, { locale = 'zh-CN' } = {}) {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale,
    userAgent: 'Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36 MicroMessenger/8.0.47',
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

/// Which wasm bundle the page loaded: 'scanner', 'visitor', 'people' (page bundles)
/// or 'main' (every page); fails if it loaded more than one.
export async function bundle(page) {
  const wasm = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.includes('/pkg/') && n.endsWith('.wasm')));
  const kinds = [...new Set(wasm.map((n) => n.match(/\/campus-pass-(scanner|visitor|people)\./)?.[1] ?? 'main'))];
  if (kinds.length !== 1) throw new Error(`expected one wasm bundle, loaded: ${wasm.join(', ') || 'none'}`);
  return kinds[0];
}
