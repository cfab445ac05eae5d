import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, phone, open, shot, bundle, signInPhone, signInStaff, newNumber, DEMO_PASSWORD, expectAccessible } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('Chinese by default; the English switch sticks across reloads', async () => {
  const { page } = await phone(browser);
  await open(page, '/');
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  assert.match(await page.textContent('main'), /访客 \/ 居民登录/);
  await page.click('#lang-switch');
  await page.waitForFunction(() => document.querySelector('main').textContent.includes('Visitor / resident sign-in'));
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await expectAccessible(page, 'home in English');
  await shot(page, 'home-english');
  await page.reload();
  await page.waitForSelector('body[data-hydrated]');
  assert.match(await page.textContent('main'), /Staff sign-in/);
  await page.click('#lang-switch');
  await page.waitForFunction(() => document.querySelector('main').textContent.includes('教职工登录'));
});

test('an English browser gets English first', async () => {
  const { page } = await phone(browser, { locale: 'en-US' });
  await open(page, '/');
  assert.match(await page.textContent('main'), /Visitor \/ resident sign-in/);
});

// The visitor's form and the guard's scanner hydrate only the page (page
// bundles): the top bar is the server's HTML with its buttons wired, so
// both are checked here on those pages.
test('on the form and the scanner, the top bar switches the language and signs out', async () => {
  const { page } = await phone(browser);
  await signInPhone(page, newNumber('136'), '/apply');
  await page.waitForSelector('#host-query');
  assert.equal(await bundle(page), 'visitor');
  assert.match(await page.textContent('main'), /入校预约申请/);
  await page.click('#lang-switch');
  // The form's words, the top bar's own, the title and <html lang>.
  await page.waitForFunction(() => document.querySelector('main').textContent.includes('Apply to enter campus'));
  assert.equal((await page.textContent('#lang-switch')).trim(), '中文');
  assert.equal((await page.textContent('#sign-out')).trim(), 'Sign out');
  assert.equal((await page.textContent('.topbar .brand')).trim(), 'Campus Pass');
  assert.equal(await page.title(), 'Campus Pass');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  // Still a live form: checked as typed, in the new language.
  await page.fill('.entrant-doc >> nth=0', '110101199003078671');
  await page.waitForSelector('.field-error');
  await expectAccessible(page, 'the application form in English');
  await shot(page, 'apply-english');
  await page.click('#lang-switch');
  await page.waitForFunction(() => document.querySelector('main').textContent.includes('入校预约申请'));
  assert.equal((await page.textContent('#lang-switch')).trim(), 'English');
  await page.click('#sign-out');
  await page.waitForURL((u) => u.pathname === '/');
  await page.waitForSelector('body[data-hydrated]');
  assert.equal(await page.locator('#sign-out').count(), 0, 'signed out');

  const guard = (await phone(browser)).page;
  await signInStaff(guard, 'G0001', DEMO_PASSWORD);
  await guard.waitForURL((u) => u.pathname === '/');
  await open(guard, '/scan');
  assert.equal(await bundle(guard), 'scanner');
  await guard.click('#lang-switch');
  await guard.waitForFunction(() => document.querySelector('#camera-start').textContent.includes('Open the camera'));
  assert.equal(await guard.getAttribute('html', 'lang'), 'en');
  await expectAccessible(guard, 'the scanner in English');
  await guard.click('#sign-out');
  await guard.waitForURL((u) => u.pathname === '/');
  await guard.waitForSelector('body[data-hydrated]');
  assert.equal(await guard.locator('#sign-out').count(), 0, 'signed out');
});
