import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, phone, open, lastCode, shot, expectAccessible } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// A new number each run: the per-number SMS limits outlive a test run.
const NUMBER = '138' + String(Date.now()).slice(-8);
const MASKED = NUMBER.slice(0, 3) + '****' + NUMBER.slice(7);

test('a visitor signs in with an SMS code', async () => {
  const { page } = await phone(browser);
  await open(page, '/');
  await expectAccessible(page, 'home, signed out');
  await page.click('#tile-visitor');
  await page.waitForSelector('#phone');
  await page.waitForSelector('body[data-hydrated]');
  await expectAccessible(page, 'visitor sign-in');
  // Checked while typing, with the same rules as the server.
  await page.fill('#phone', '1380013');
  await page.waitForSelector('.field-error');
  assert.equal(await page.isDisabled('#send-code'), true);
  await expectAccessible(page, 'visitor sign-in, a mistyped number');
  await page.fill('#phone', `${NUMBER.slice(0, 3)} ${NUMBER.slice(3, 7)} ${NUMBER.slice(7)}`);
  await page.waitForSelector('.field-error', { state: 'detached' });
  await page.click('#send-code');
  await page.waitForSelector('.ok[role=status]');
  await shot(page, 'visitor-code-sent');
  // A wrong code gets a clear sentence, not an error dump.
  await page.fill('#code', '000000');
  await page.click('button[type=submit]');
  const err = await page.waitForSelector('.error[role=alert]');
  assert.match(await err.textContent(), /验证码错误或已过期/);
  await expectAccessible(page, 'visitor sign-in, a wrong code');
  await page.fill('#code', lastCode(NUMBER));
  await page.click('button[type=submit]');
  await page.waitForURL((u) => u.pathname === '/');
  await page.waitForSelector('#who');
  assert.equal((await page.textContent('#who')).trim(), MASKED);
  assert.match(await page.textContent('main'), /访客/);
  await expectAccessible(page, "a visitor's home");
  await shot(page, 'visitor-home');
});
