import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, phone, open, shot } from './helpers.mjs';

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
