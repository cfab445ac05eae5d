// WCAG 2.2 AA, checked by axe-core in the browser, on the pages the other
// journeys do not open (the office's pages, sign-in for staff, the pages
// for a wrong link), and the larger display (长辈版) for older people.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, phone, open, shot, bundle, signInPhone, newNumber, BASE, expectAccessible, staffPage } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('pages for anyone, and for a wrong link, pass WCAG 2.2 AA', async () => {
  const { page } = await phone(browser);
  for (const [path, name, ready] of [
    ['/sign-in/staff', 'staff sign-in', '#staff_no'],
    ['/scan', 'the scanner, signed out', '.error[role=alert]'],
    ['/p#no-such-link', 'a pass link that does not exist', '.error[role=alert]'],
    ['/no/such/page', 'a page that does not exist', 'h1'],
  ]) {
    await open(page, path);
    await page.waitForSelector(ready);
    await expectAccessible(page, name);
  }
});

test("each role's home, and every page of the security office, pass WCAG 2.2 AA", async () => {
  for (const staffNo of ['G0001', 'T1001', 'A1001']) {
    await expectAccessible(await staffPage(browser, staffNo), `the home of ${staffNo}`);
  }
  const admin = await staffPage(browser, 'S0001');
  await expectAccessible(admin, "the security office's home");
  for (const [path, ready] of [
    ['/admin/campuses', 'table.list'],
    ['/admin/departments', 'table.list'],
    ['/admin/grants', '#grant-list'],
    ['/admin/audit', '#audit-list'],
    ['/admin/outbox', '#outbox-list'],
    ['/admin/blacklist', '#blacklist'],
    ['/admin/rules', 'ol.steps'],
    ['/admin/devices', '#key-list'],
    ['/admin/fees', '#fee-list'],
    ['/admin/statistics', '#stats-by-status'],
    ['/admin/roll-call', '#drills'],
    ['/hr/blacklist', '#staff-bl-form'],
  ]) {
    await open(admin, path);
    await admin.waitForSelector(ready);
    // The office's tabs mark the page open.
    assert.equal(await admin.getAttribute(`nav.tabs a[href="${path}"]`, 'aria-current'), 'page');
    await expectAccessible(admin, path);
  }
  // The forms' other states: a gate being edited, a grant's scope.
  await open(admin, '/admin/campuses');
  await admin.click('table.list button.link >> nth=0');
  await admin.waitForSelector('form.grid button.secondary');
  await expectAccessible(admin, 'a gate being edited');
  await open(admin, '/admin/grants');
  await admin.selectOption('#grant-role', 'guard');
  await admin.waitForSelector('#grant-scope');
  await expectAccessible(admin, 'a guard being granted a gate');
  await admin.click('#lang-switch');
  await admin.waitForFunction(() => document.documentElement.lang === 'en');
  await expectAccessible(admin, 'grants in English');
  await admin.click('#lang-switch');
  await admin.waitForFunction(() => document.documentElement.lang === 'zh-CN');
  await admin.context().close();
});

/// The computed size of a node's text, in CSS pixels.
const fontSize = (page, selector) => page.$eval(selector, (e) => parseFloat(getComputedStyle(e).fontSize));

/// Heights of the controls in <main> that are shorter than `min` pixels.
const smallTargets = (page, min) => page.$$eval('main button, main select, main input:not([type=checkbox]):not([type=file]), main a.tile, main a.button', (els, min) =>
  els.filter((e) => e.offsetParent !== null).map((e) => [e.id || e.textContent.trim().slice(0, 20), Math.round(e.getBoundingClientRect().height)]).filter(([, h]) => h < min), min);

test('the larger display (长辈版): switched in the top bar, remembered, large from the first paint, on every bundle', async () => {
  const { context, page } = await phone(browser);
  await signInPhone(page, newNumber('134'));
  const before = await fontSize(page, 'main p');
  assert.equal(await page.getAttribute('#display-switch', 'aria-pressed'), 'false');
  await page.click('#display-switch');
  await page.waitForFunction(() => document.documentElement.classList.contains('large'));
  assert.equal(await page.getAttribute('#display-switch', 'aria-pressed'), 'true');
  const after = await fontSize(page, 'main p');
  assert.ok(after >= 18 && after > before, `main text ${before}px → ${after}px`);
  assert.equal((await context.cookies()).find((c) => c.name === 'display')?.value, 'large');

  // Remembered: the server paints it large at once (no flash of small text).
  await page.reload();
  await page.waitForSelector('body[data-hydrated]');
  const html = await (await page.request.get(BASE + '/')).text();
  assert.match(html, /<html lang="zh-CN" class="large"/);
  assert.match(html, /id="display-switch"[^>]*aria-pressed="true"/);
  assert.equal(await page.getAttribute('#display-switch', 'aria-pressed'), 'true');
  assert.equal(await fontSize(page, 'main p'), after);
  assert.deepEqual(await smallTargets(page, 60), [], 'every main control at least 60 px tall');
  await expectAccessible(page, "a visitor's home, larger display");
  await shot(page, 'large-home');

  // The form's page bundle: the same switch, wired by hand.
  await open(page, '/apply');
  await page.waitForSelector('#host-query');
  assert.equal(await bundle(page), 'visitor');
  assert.ok(await page.evaluate(() => document.documentElement.classList.contains('large')));
  const label = await fontSize(page, 'main label');
  assert.ok(label >= 18, `a label: ${label}px`);
  assert.deepEqual(await smallTargets(page, 60), [], 'every main control at least 60 px tall');
  await expectAccessible(page, 'the application form, larger display');
  await shot(page, 'large-apply');
  await page.click('#display-switch');
  await page.waitForFunction(() => !document.documentElement.classList.contains('large'));
  assert.equal(await page.getAttribute('#display-switch', 'aria-pressed'), 'false');
  assert.equal((await context.cookies()).find((c) => c.name === 'display')?.value, 'standard');
  assert.ok((await fontSize(page, 'main label')) < label);
  await page.click('#display-switch');
  await page.waitForFunction(() => document.documentElement.classList.contains('large'));
  // The language switch renames it too, and it stays on.
  await page.click('#lang-switch');
  await page.waitForFunction(() => document.querySelector('#display-switch').textContent.trim() === 'Larger display');
  assert.equal(await page.getAttribute('#display-switch', 'aria-pressed'), 'true');
  await page.click('#lang-switch');
  await page.waitForFunction(() => document.querySelector('#display-switch').textContent.trim() === '长辈版');
  await context.close();

  // The guard's scanner (its own page bundle), switched on there.
  const guard = await staffPage(browser, 'G0001');
  await open(guard, '/scan');
  await guard.waitForSelector('#scan-gate');
  assert.equal(await bundle(guard), 'scanner');
  await guard.click('#display-switch');
  await guard.waitForFunction(() => document.documentElement.classList.contains('large'));
  await guard.reload();
  await guard.waitForSelector('body[data-hydrated]');
  await guard.waitForSelector('#scan-gate');
  assert.ok(await guard.evaluate(() => document.documentElement.classList.contains('large')));
  assert.deepEqual(await smallTargets(guard, 60), [], 'every main control at least 60 px tall');
  await expectAccessible(guard, 'the scanner, larger display');
  await shot(guard, 'large-scanner');
  await guard.context().close();
});
