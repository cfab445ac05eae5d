import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { launch, phone, open, shot, signInPhone, signInStaff, newNumber, idNumber, applySimple, DEMO_PASSWORD, expectAccessible } from './helpers.mjs';

const DB = process.env.DB_PATH ?? '../data/campus-pass.db';
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a host registers a visitor who cannot use a phone: the same form on their behalf, marked as filed by them', async () => {
  const { context, page } = await phone(browser);
  await signInStaff(page, 'T1001', DEMO_PASSWORD);
  await page.waitForURL((u) => u.pathname === '/');
  await page.click('#tile-on-behalf');
  await page.waitForURL((u) => u.pathname === '/apply/on-behalf');
  await page.waitForSelector('body[data-hydrated]');
  const number = newNumber('137');
  await page.fill('#visitor-mobile', number);
  await page.fill('#host-query', 'T1001');
  await page.click('#host-search');
  await page.click('button.choice');
  await page.selectOption('#reason', { index: 1 });
  await page.fill('.entrant-name >> nth=0', '王奶奶');
  await page.fill('.entrant-doc >> nth=0', idNumber(971));
  await page.check('#doc-consent');
  await expectAccessible(page, 'the form on a visitor\'s behalf');
  await shot(page, 'apply-on-behalf');
  await page.click('#submit-application');
  await page.waitForURL(/\/applications\/[0-9a-f-]+$/);
  await page.waitForSelector('#filed-by');
  assert.match(await page.textContent('#filed-by'), /张伟 \(T1001\)/);
  // Filed by the host: the host's step is done, the department's is next.
  const id = page.url().split('/').pop();
  const row = execFileSync('sqlite3', [DB, `SELECT status, applicant_phone FROM applications WHERE id = '${id}'`]).toString().trim();
  assert.equal(row, `in_review:1|${number}`);
  await shot(page, 'apply-on-behalf-filed');
  await context.close();
});

test('a visitor reads the privacy notice, sees the data kept on them and deletes an ended application', async () => {
  const { context, page } = await phone(browser);
  const number = newNumber('136');
  await signInPhone(page, number, '/apply');
  const id = await applySimple(page, { name: '孙七', number, seq: 972 });
  await open(page, '/privacy');
  assert.match(await page.textContent('#privacy-keep'), /180 天后自动匿名化/);
  await expectAccessible(page, 'the privacy notice');
  await page.click('#my-data-link');
  await page.waitForURL((u) => u.pathname === '/my-data');
  await page.waitForSelector(`li.my-application[data-id="${id}"]`);
  const item = await page.textContent(`li.my-application[data-id="${id}"]`);
  assert.match(item, /孙七/);
  assert.match(item, /1101\*+/, 'the document masked');
  assert.match(item, /同意提供证件号码/, 'when consent was given');
  assert.equal(await page.locator(`li.my-application[data-id="${id}"] button.erase`).count(), 0, 'still under way: not deletable');
  // Withdrawn, it has ended: deleted after a second tap.
  await open(page, `/applications/${id}`);
  await page.click('#actions button[data-act=Withdraw]');
  await page.waitForFunction(() => !document.querySelector('#actions button[data-act=Withdraw]'), null, { timeout: 15000 });
  await open(page, '/my-data');
  await page.click(`li.my-application[data-id="${id}"] button.erase`);
  await expectAccessible(page, 'my data, confirming a deletion');
  await shot(page, 'my-data-confirm');
  await page.click(`li.my-application[data-id="${id}"] button.erase-confirm`);
  await page.waitForSelector(`li.my-application[data-id="${id}"]`, { state: 'detached' });
  const left = execFileSync('sqlite3', [DB, `SELECT COUNT(*) FROM entrants WHERE application_id = '${id}' AND name = '孙七'`]).toString().trim();
  assert.equal(left, '0', 'anonymised at once');
  await shot(page, 'my-data-after');
  await context.close();
});
