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
