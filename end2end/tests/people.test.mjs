// The people who are not visitors, at a phone's size: a staff member's work
// pass with the unit head naming the next handler (seed 004 附件4), a
// department filing a contractor and later closing their access (seed 000
// §二), a resident applying through the campus's printed application QR
// code (seed 004 附件1/3); each ends with the guard's verdict.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { launch, phone, open, shot, signInPhone, decide, idNumber, newNumber, expectAccessible, bundle, SHOTS, staffPage, qrOf, guardVerdict } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/// The pass link on an application's page, as its holder opens it.
async function passLink(page, id) {
  await open(page, `/applications/${id}`);
  await page.waitForSelector('#passes a');
  return page.getAttribute('#passes a', 'href');
}

test('a staff member applies for a work pass; the unit head names the next handler, who approves; the guard is told to check the work card', async () => {
  const me = await staffPage(browser, 'T1001');
  // The home page offers it; a phone opening it loads the small bundle.
  assert.equal(await me.getAttribute('#tile-staff-pass', 'href'), '/staff-pass');
  await open(me, '/staff-pass');
  await me.waitForSelector('#staff-form');
  assert.equal(await me.textContent('#staff-no'), 'T1001', 'the staff number is filled in');
  assert.equal(await bundle(me), 'people', 'a phone page loads the phone pages\' bundle');
  await me.fill('#apply-reason', '实验室值班');
  await shot(me, 'staff-pass-form');
  await expectAccessible(me, 'staff-pass-form');
  await me.click('#submit');
  await me.waitForURL(/\/applications\/[0-9a-f-]+$/);
  const id = me.url().split('/').pop();

  // The unit head approves and chooses 学工部-like next step: 历史学院, 李娜.
  const head = await staffPage(browser, 'A1001');
  await open(head, `/approvals/${id}`);
  await head.click('#actions button[data-act=Approve]');
  await head.waitForSelector('#next-step');
  await head.selectOption('#next-step', { label: '历史学院同意' });
  await head.waitForSelector('#next-handler option:has-text("李娜")', { state: 'attached' });
  await head.selectOption('#next-handler', { label: '李娜' });
  await shot(head, 'staff-pass-next-step');
  await expectAccessible(head, 'staff-pass-next-step');
  await head.click('#confirm-decision');
  await head.waitForFunction(() => /历史学院 · 李娜/.test(document.querySelector('.steps')?.textContent ?? ''), null, { timeout: 15000 });
  await head.context().close();

  // Only the named handler has it in their inbox; they approve.
  const handler = await staffPage(browser, 'A2001');
  await open(handler, '/approvals');
  await handler.waitForSelector(`a[href="/approvals/${id}"]`);
  await decide(handler, id, 'Approve');
  await handler.context().close();

  const url = await qrOf(me, await passLink(me, id), 'staff-pass-qr');
  await shot(me, 'staff-pass-page');
  await me.context().close();
  const v = await guardVerdict(browser, url, 'staff-pass-verdict');
  assert.equal(v.reason, 'ok');
  assert.match(v.text, /工作证/);
});

test('a department files a contractor, both steps approve, the contractor gets the pass, and the department closes access at once', async () => {
  const filer = await staffPage(browser, 'T1001');
  await filer.click('#tile-contractor');
  await filer.waitForSelector('#filer');
  await filer.waitForSelector('body[data-hydrated]');
  const number = newNumber('137');
  await filer.selectOption('#reason', { index: 1 });
  await filer.fill('.entrant-name >> nth=0', '赵师傅');
  await filer.fill('.entrant-phone >> nth=0', number);
  await filer.fill('.entrant-doc >> nth=0', idNumber(707));
  await shot(filer, 'contractor-form');
  await expectAccessible(filer, 'contractor-form');
  await filer.check('#doc-consent');
  await filer.click('#submit-application');
  await filer.waitForURL(/\/applications\/[0-9a-f-]+$/);
  const id = filer.url().split('/').pop();
  await decide(await staffPage(browser, 'A1001'), id, 'Approve');
  await decide(await staffPage(browser, 'A5001'), id, 'Approve');

  // The contractor's own SMS carries the pass link.
  const body = execFileSync('sqlite3', [process.env.DB_PATH ?? '../data/campus-pass.db',
    `SELECT body FROM sms_outbox WHERE phone = '${number}' AND purpose = 'approved_entrant'`]).toString();
  const link = body.match(/https?:\/\/\S+\/p#[A-Za-z0-9_-]+/)[0];
  const { page: worker, context } = await phone(browser);
  const url = await qrOf(worker, link, 'contractor-qr');
  await shot(worker, 'contractor-pass');
  assert.equal((await guardVerdict(browser, url, 'contractor-verdict-ok')).reason, 'ok');

  // The employing department closes access: refused at once.
  const head = await staffPage(browser, 'A1001');
  await decide(head, id, 'Cancel', '合同终止');
  assert.equal((await guardVerdict(browser, url, 'contractor-verdict-cancelled')).reason, 'cancelled');
  // The filer may renew it as a new application, prefilled.
  await open(filer, `/applications/${id}`);
  await filer.click('#renew');
  await filer.waitForSelector('.entrant-name');
  await filer.waitForFunction(() => document.querySelector('.entrant-name')?.value === '赵师傅');
  await context.close();
  await filer.context().close();
});

test('a department invites a contractor by SMS; the person completes their own details on their phone, and the department\'s approver reviews it', async () => {
  const filer = await staffPage(browser, 'T1001');
  await open(filer, '/contractors/new');
  await filer.click('#invite-contractor');
  await filer.waitForURL((u) => u.pathname === '/invite');
  await filer.waitForSelector('#inv-reason option >> nth=1', { state: 'attached' });
  await filer.waitForSelector('body[data-hydrated]');
  const number = newNumber('137');
  await filer.selectOption('#inv-reason', { index: 1 });
  await filer.fill('#inv-name', '钱师傅');
  await filer.fill('#inv-phone', number);
  const day = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.now() + 86400000));
  const last = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.now() + 90 * 86400000));
  await filer.fill('#inv-start', day);
  await filer.fill('#inv-end', last);
  await shot(filer, 'contractor-invite');
  await expectAccessible(filer, 'contractor-invite');
  await filer.click('#send-invitation');
  await filer.waitForSelector('#invite-sent');
  const sms = execFileSync('sqlite3', [process.env.DB_PATH ?? '../data/campus-pass.db',
    `SELECT body FROM sms_outbox WHERE phone = '${number}' AND purpose = 'invitation'`]).toString();
  assert.match(sms, /长期出入证/);
  const link = sms.match(/\/apply#invite=[\w-]+/)[0];

  // The person signs in with the invited mobile and opens the link: the
  // contractor form, the department's choices fixed, one person.
  const { page, context } = await phone(browser);
  await signInPhone(page, number);
  await open(page, link);
  await page.waitForSelector('.entrant-doc');
  assert.equal(await page.inputValue('.entrant-name >> nth=0'), '钱师傅');
  assert.ok(await page.isDisabled('#start'));
  assert.equal(await page.inputValue('#end'), last);
  assert.equal(await page.locator('#add-entrant').count(), 0);
  await page.fill('.entrant-doc >> nth=0', idNumber(708));
  await shot(page, 'contractor-complete');
  await expectAccessible(page, 'contractor-complete');
  await page.check('#doc-consent');
  await page.click('#submit-application');
  await page.waitForURL(/\/applications\/[0-9a-f-]+$/);
  const id = page.url().split('/').pop();
  // The department's approver reviews it; the filer finds it in their list.
  await decide(await staffPage(browser, 'A1001'), id, 'Approve');
  await open(filer, '/applications');
  await filer.waitForSelector(`a[href="/applications/${id}"]`);
  await context.close();
  await filer.context().close();
});

test('a resident opens the printed application QR, signs in with the mobile on record, gets a day pass; the guard admits once, then refuses it as used', async () => {
  // The poster the office prints: its QR is read back like a phone camera would.
  const office = await staffPage(browser, 'R0001');
  await open(office, '/admin/households');
  await office.click('a:has-text("打印申请码 · 主校区")');
  await office.waitForSelector('#poster-qr svg');
  await shot(office, 'resident-poster');
  await expectAccessible(office, 'resident-poster');
  const file = `${SHOTS}resident-poster-qr.png`;
  await office.locator('#poster-qr').screenshot({ path: file });
  const target = execFileSync('zbarimg', ['--raw', '-q', file], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  assert.match(target, /\/resident$/);
  await office.context().close();

  const { page, context } = await phone(browser);
  await page.goto(target);
  await page.waitForSelector('body[data-hydrated]');
  await page.click('#resident-sign-in');
  await page.waitForURL((u) => u.pathname === '/sign-in');
  // The demo household's householder (see the demo accounts).
  await signInPhone(page, '13900139000', '/resident');
  await page.waitForSelector('#resident-form');
  await page.fill('#householder', '吴芳');
  await page.fill('#apply-reason', '上班');
  await shot(page, 'resident-form');
  await expectAccessible(page, 'resident-form');
  await page.click('#submit');
  await page.waitForURL(/\/applications\/[0-9a-f-]+$/);
  await page.waitForSelector('#passes a');
  await shot(page, 'resident-approved');
  await expectAccessible(page, 'resident-approved');
  const url = await qrOf(page, await page.getAttribute('#passes a', 'href'), 'resident-qr');
  await shot(page, 'resident-pass');
  await context.close();
  const first = await guardVerdict(browser, url, 'resident-verdict-ok');
  assert.equal(first.reason, 'ok');
  assert.match(first.text, /居住证明/);
  assert.equal((await guardVerdict(browser, url, 'resident-verdict-used')).reason, 'already_used');
});
