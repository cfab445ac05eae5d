import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { BASE, launch, phone, open, shot, bundle, signInPhone, newNumber, idNumber, applySimple, decide, lastCode, expectAccessible, staffPage, layoutShift } from './helpers.mjs';

const DB = process.env.DB_PATH ?? '../data/campus-pass.db';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a visitor applies with a car and two passengers; host then department approve; the visitor sees it approved', async () => {
  const number = newNumber();
  const { page } = await phone(browser);
  await open(page, '/apply');
  // The visitor's phone loads the small visitor bundle, not every page.
  assert.equal(await bundle(page), 'visitor');
  await expectAccessible(page, 'the application form, signed out');
  // Not signed in yet: the form says how to start, then comes back here.
  // Sign-in is outside the visitor bundle: the link loads it from the
  // server with its own small bundle, and Back still returns to the form.
  await page.click('#apply-sign-in');
  await page.waitForURL(/\/sign-in/);
  await page.waitForSelector('#phone');
  await page.waitForSelector('body[data-hydrated]');
  assert.equal(await bundle(page), 'people');
  await page.goBack();
  await page.waitForURL((u) => u.pathname === '/apply');
  await page.waitForSelector('#apply-sign-in');
  // The form arrives rendered by the server; hydration must not fetch it
  // again (that would rebuild it under a quick visitor's fingers).
  let setupFetches = 0;
  page.on('request', (r) => { if (r.url().includes('/api/fn/application_form_setup')) setupFetches += 1; });
  await signInPhone(page, number, '/apply');
  await page.waitForSelector('#host-query');
  await page.waitForLoadState('networkidle');
  assert.equal(setupFetches, 0, 'the form was fetched again after hydration');
  await expectAccessible(page, 'the application form');
  // The host, told apart from a namesake in another department.
  await page.fill('#host-query', '张伟');
  await page.click('#host-search');
  await page.waitForSelector('button.choice >> nth=1');
  assert.equal(await page.locator('button.choice').count(), 2);
  await expectAccessible(page, 'the application form, two hosts found');
  await page.click('button.choice:has-text("计算机学院")');
  await page.selectOption('#reason', { index: 1 });
  // The driver, checked as typed with the server's own ID rules.
  await page.fill('.entrant-name >> nth=0', '李雷');
  await page.fill('.entrant-phone >> nth=0', number);
  await page.fill('.entrant-doc >> nth=0', '110101199003078671');
  await page.waitForSelector('.field-error:has-text("身份证号码不正确")');
  await expectAccessible(page, 'the application form, a wrong ID number');
  await shot(page, 'apply-bad-id');
  await page.fill('.entrant-doc >> nth=0', idNumber(101));
  await page.waitForSelector('.field-error', { state: 'detached' });
  // Two passengers: one with a mobile, a child without.
  await page.click('#add-entrant');
  await page.fill('.entrant-name >> nth=1', '韩梅梅');
  await page.fill('.entrant-phone >> nth=1', newNumber('137'));
  await page.fill('.entrant-doc >> nth=1', idNumber(102));
  await page.click('#add-entrant');
  await page.fill('.entrant-name >> nth=2', '李小雷');
  await page.fill('.entrant-doc >> nth=2', idNumber(103));
  await page.check('#has-car');
  await page.fill('#plate', '京A1234I');
  await page.waitForSelector('.field-error:has-text("车牌号不正确")');
  await page.fill('#plate', '京AD12345');
  for (let i = 0; i < 3; i++) await page.check(`.entrant-in-car >> nth=${i}`);
  // Each entrant's optional photo, opened.
  await page.click('details.photo summary >> nth=0');
  await expectAccessible(page, 'the application form, filled in with a car');
  await shot(page, 'apply-filled');
  // The ID numbers need their own consent: refused without it, nothing sent.
  await page.click('#submit-application');
  await page.waitForSelector('p.error:has-text("请勾选同意提供证件号码")');
  await page.check('#doc-consent');
  await page.click('#submit-application');
  await page.waitForURL(/\/applications\/[0-9a-f-]+$/);
  const id = page.url().split('/').pop();
  assert.match(await page.textContent('#status'), /审批中/);
  await expectAccessible(page, "the visitor's application");

  const host = await staffPage(browser, 'T1001');
  await open(host, '/approvals');
  await host.waitForSelector(`#inbox li[data-id="${id}"]`);
  // The inbox comes with the page: the department's list below it is
  // never pushed down under the approver's thumb as it loads (streamed in
  // after the first paint, 200 rows moved it by a third of the screen).
  const served = await (await host.request.get(BASE + '/approvals')).text();
  const inboxAt = served.indexOf('id="inbox"');
  assert.ok(inboxAt > 0 && inboxAt < served.indexOf('本部门全部申请'), `the inbox is in the page as served, above the department list (${inboxAt}, ${served.indexOf('本部门全部申请')}, ${served.length})`);
  const shift = await layoutShift(host);
  assert.ok(shift < 0.01, `the inbox moved the page by ${shift.toFixed(3)} as it loaded`);
  await expectAccessible(host, "the host's inbox");
  await shot(host, 'host-inbox');
  await open(host, `/approvals/${id}`);
  await expectAccessible(host, "the host's view of an application");
  await decide(host, id, 'Approve');
  const dept = await staffPage(browser, 'A1001');
  await open(dept, '/approvals');
  await dept.waitForSelector(`#inbox li[data-id="${id}"]`);
  await decide(dept, id, 'Approve');

  await open(page, `/applications/${id}`);
  assert.match(await page.textContent('#status'), /已通过/);
  assert.match(await page.textContent('#plate-value'), /京AD12345/);
  assert.equal(await page.locator('#timeline li').count(), 3);
  // ID numbers are masked on the page.
  assert.ok(!(await page.textContent('main')).includes(idNumber(101)));
  await expectAccessible(page, 'an approved application');
  await open(page, '/applications');
  await page.waitForSelector(`.app-list li[data-id="${id}"]`);
  await expectAccessible(page, "the visitor's applications");
  await open(page, `/applications/${id}`);
  await shot(page, 'visitor-approved');
});

test('an approver returns an application with an edit and the visitor confirms it', async () => {
  const number = newNumber();
  const { page } = await phone(browser);
  await signInPhone(page, number);
  const id = await applySimple(page, { name: '王五', number, seq: 201 });
  const host = await staffPage(browser, 'T1001');
  await open(host, `/approvals/${id}`);
  await host.click('#actions button[data-act=EditAndReturn]');
  await host.fill('#edit-plate', '粤B1234学');
  await host.fill('#decision-note-input', '请驾车从北门进入');
  await expectAccessible(host, 'an approver editing an application');
  await host.click('#confirm-decision');
  await host.waitForSelector('#status:has-text("待您确认修改")');
  await open(page, `/applications/${id}`);
  assert.match(await page.textContent('#status'), /待您确认修改/);
  assert.match(await page.textContent('#plate-value'), /粤B1234学/);
  assert.match(await page.textContent('#decision-note'), /北门/);
  await expectAccessible(page, 'an application to confirm');
  await shot(page, 'visitor-confirm-edit');
  await page.click('#actions button[data-act=Confirm]');
  await page.waitForSelector('#status:has-text("审批中")');
});

test('a rejection is acknowledged by the visitor', async () => {
  const number = newNumber();
  const { page } = await phone(browser);
  await signInPhone(page, number);
  const id = await applySimple(page, { name: '赵六', number, seq: 301 });
  const host = await staffPage(browser, 'T1001');
  await decide(host, id, 'Reject', '本周不在学校');
  await open(page, `/applications/${id}`);
  assert.match(await page.textContent('#status'), /未通过/);
  assert.match(await page.textContent('#decision-note'), /本周不在学校/);
  await expectAccessible(page, 'a rejected application');
  await shot(page, 'visitor-rejected');
  await page.click('#actions button[data-act=AcknowledgeRejection]');
  await page.waitForSelector('#status:has-text("已知悉")');
});

test('a host approves two applications at once', async () => {
  const ids = [];
  for (const [i, name] of ['孙七', '周八'].entries()) {
    const number = newNumber();
    const { page } = await phone(browser);
    await signInPhone(page, number);
    ids.push(await applySimple(page, { name, number, seq: 401 + i }));
  }
  const host = await staffPage(browser, 'T1001');
  await open(host, '/approvals');
  for (const id of ids) await host.check(`#inbox li[data-id="${id}"] input.pick`);
  await host.click('#batch-approve');
  await host.waitForSelector('#batch-result');
  assert.match(await host.textContent('#batch-result'), /已同意 2 份/);
  await expectAccessible(host, 'the inbox after a batch approval');
  await shot(host, 'batch-approved');
  for (const id of ids) await host.waitForSelector(`#inbox li[data-id="${id}"]`, { state: 'detached' });
});

test('a duplicate application is refused with a sentence naming the field', async () => {
  const number = newNumber();
  const { page } = await phone(browser);
  await signInPhone(page, number);
  await applySimple(page, { name: '吴九', number, seq: 501 });
  await open(page, '/apply');
  await page.fill('#host-query', 'T1001');
  await page.click('#host-search');
  await page.click('button.choice');
  await page.selectOption('#reason', { index: 1 });
  await page.fill('.entrant-name >> nth=0', '吴九');
  await page.fill('.entrant-doc >> nth=0', idNumber(501));
  await page.check('#doc-consent');
  await page.click('#submit-application');
  const err = await page.waitForSelector('.error[role=alert]');
  assert.match(await err.textContent(), /证件号 1101\*+\d{3}[\dX] 已在另一份未结束的申请中/);
  await expectAccessible(page, 'the application form, refused as a duplicate');
  await shot(page, 'apply-duplicate');
});

test("an invited visitor opens the SMS link, signs in, and finds the form filled in with the host", async () => {
  const number = newNumber('135');
  const host = await staffPage(browser, 'T1001');
  await open(host, '/invite');
  await host.waitForSelector('#inv-reason option >> nth=1', { state: 'attached' });
  await expectAccessible(host, 'the invitation form');
  await host.selectOption('#inv-reason', { index: 1 });
  await host.fill('#inv-name', '周杰');
  await host.fill('#inv-phone', number);
  // The day after tomorrow, in campus time: clear of any next-day deadline.
  const day = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.now() + 2 * 86400000));
  await host.fill('#inv-start', day);
  await host.fill('#inv-end', day);
  await host.click('#send-invitation');
  await host.waitForSelector('#invite-sent');
  await expectAccessible(host, 'the invitation form, sent');
  const sms = execFileSync('sqlite3', [DB, `SELECT body FROM sms_outbox WHERE phone = '${number}' AND purpose = 'invitation'`]).toString();
  const link = sms.match(/\/apply#invite=[\w-]+/)[0];

  // The visitor taps the link: not signed in yet, the form says how to
  // start; signing in comes back to the form, which remembers the link.
  const { page } = await phone(browser);
  await open(page, link);
  assert.equal(await bundle(page), 'visitor');
  await page.click('#apply-sign-in');
  await page.waitForSelector('#phone');
  await page.waitForSelector('body[data-hydrated]');
  await page.fill('#phone', number);
  await page.click('#send-code');
  await page.waitForSelector('.ok[role=status]');
  await page.fill('#code', lastCode(number));
  await page.click('button[type=submit]');
  await page.waitForURL((u) => u.pathname === '/apply');
  const chosen = await page.waitForSelector('#host-chosen');
  assert.match(await chosen.textContent(), /张伟/);
  assert.equal(await page.inputValue('.entrant-name >> nth=0'), '周杰');
  await expectAccessible(page, 'the application form of an invitation');
  await shot(page, 'apply-invited');
  await page.fill('.entrant-phone >> nth=0', number);
  await page.fill('.entrant-doc >> nth=0', idNumber(108));
  await page.check('#doc-consent');
  await page.click('#submit-application');
  await page.waitForURL(/\/applications\/[0-9a-f-]+$/);
  // The invitation stands for the host's approval: the department is next.
  const id = page.url().split('/').pop();
  const status = execFileSync('sqlite3', [DB, `SELECT status FROM applications WHERE id = '${id}'`]).toString().trim();
  assert.equal(status, 'in_review:1', 'waits at the department, past the host');
  await host.context().close();
});
