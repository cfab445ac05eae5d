// Temporary personnel at a phone's size (seed 003): a department's admin
// requests a temporary staff number, the leader approves, the person signs
// in with the mobile on record, adds a face photo, the security office
// accepts it, the person applies to return to campus, the leader approves,
// a guard scans the pass; then a transfer approved by both leaders.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { launch, phone, open, shot, signInPhone, decide, idNumber, newNumber, expectAccessible, SHOTS, staffPage, qrOf, guardVerdict } from './helpers.mjs';

const DB = process.env.DB_PATH ?? '../data/campus-pass.db';
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

function sql(query) {
  return execFileSync('sqlite3', [DB, query]).toString().trim();
}

/// The leader approves the request about `name` on the temporary-personnel page.
async function approve(staffNo, name, shotName) {
  const leader = await staffPage(browser, staffNo);
  await open(leader, '/temp-personnel');
  const item = `#temp-requests li[data-name="${name}"][data-status=pending]`;
  await leader.waitForSelector(`${item} .temp-approve`);
  if (shotName) {
    await shot(leader, shotName);
    await expectAccessible(leader, shotName);
  }
  await leader.click(`${item} .temp-approve`);
  await leader.waitForSelector(`${item} .temp-approve`, { state: 'detached', timeout: 15000 });
  await leader.context().close();
}

test('a temporary staff number, a face photo, a return-to-campus application and the gate; then a transfer both leaders approve', async () => {
  const number = newNumber('135');
  const name = `林${number.slice(-4)}`;
  const leave = new Date(Date.now() + 120 * 86400000).toISOString().slice(0, 10);

  // 1. The department's temporary-personnel admin requests a number.
  const admin = await staffPage(browser, 'K0001');
  assert.equal(await admin.getAttribute('#tile-temp-personnel', 'href'), '/temp-personnel');
  await open(admin, '/temp-personnel');
  await admin.waitForSelector('#temp-request-form');
  await admin.check('input[name=temp-category][value=external_teacher]');
  await admin.fill('#temp-name', name);
  await admin.fill('#temp-phone', number);
  await admin.fill('#temp-doc', idNumber(Number(number.slice(-3))));
  await admin.fill('#temp-leave', leave);
  await admin.click('#temp-submit');
  // Without the commitment tick: refused, with the reason.
  await admin.waitForSelector('#temp-request-form .error[role=alert]');
  assert.match(await admin.textContent('#temp-request-form .error'), /承诺/);
  await admin.check('#temp-commitment');
  await shot(admin, 'temp-request-form');
  await expectAccessible(admin, 'temp-request-form');
  await admin.click('#temp-submit');
  await admin.waitForSelector('#temp-submitted');
  await admin.waitForSelector(`#temp-requests li[data-name="${name}"]`);

  // 2. The department leader approves: the number is issued and texted.
  await approve('A1001', name, 'temp-leader-approves');
  const tempNo = sql(`SELECT temp_no FROM temp_people WHERE phone = '${number}'`);
  assert.match(tempNo, /^LS\d{4}\d{5,}$/);
  assert.match(sql(`SELECT body FROM sms_outbox WHERE phone = '${number}' AND purpose = 'temp_number'`), new RegExp(tempNo));

  // 3. The person signs in with the mobile on record and adds a face photo.
  const { page: me } = await phone(browser);
  await signInPhone(me, number, '/temp');
  await me.waitForSelector('#temp-me');
  assert.equal(await me.textContent('#my-temp-no'), tempNo);
  assert.equal(await me.getAttribute('#step-face', 'data-state'), 'ToDo');
  await shot(me, 'temp-person-steps');
  await expectAccessible(me, 'temp-person-steps');
  const face = `${SHOTS}temp-face-source.png`;
  await me.locator('#temp-me').screenshot({ path: face });
  await me.check('#temp-face-consent');
  await me.setInputFiles('#temp-face-file', face);
  await me.waitForSelector('#temp-face-preview');
  await me.click('#temp-face-send');
  await me.waitForSelector('#step-face[data-state=InProgress]');
  await shot(me, 'temp-person-photo-pending');

  // 4. The security office accepts the photo.
  const office = await staffPage(browser, 'S0001');
  await open(office, '/temp-personnel/faces');
  await office.waitForSelector(`#faces li[data-no="${tempNo}"]`);
  await shot(office, 'temp-face-review');
  await expectAccessible(office, 'temp-face-review');
  await office.click(`#faces li[data-no="${tempNo}"] .face-accept`);
  await office.waitForSelector(`#faces li[data-no="${tempNo}"]`, { state: 'detached' });
  await office.context().close();

  // 5. The person applies to return to campus; the leader approves.
  await open(me, '/temp');
  await me.waitForSelector('#step-face[data-state=Done]');
  await me.waitForSelector('#temp-return-form');
  await me.fill('#temp-return-reason', '返校上课');
  await shot(me, 'temp-return-form');
  await me.click('#temp-return-submit');
  await me.waitForURL(/\/applications\/[0-9a-f-]+$/);
  const id = me.url().split('/').pop();
  const leader = await staffPage(browser, 'A1001');
  await decide(leader, id, 'Approve');
  await leader.context().close();
  await open(me, '/temp');
  await me.waitForSelector('#step-return[data-state=Done]');
  await shot(me, 'temp-person-done');

  // 6. The guard scans the pass: category, department and number shown.
  await open(me, `/applications/${id}`);
  await me.waitForSelector('#passes a');
  const url = await qrOf(me, await me.getAttribute('#passes a', 'href'), 'temp-pass-qr');
  await shot(me, 'temp-pass');
  const v = await guardVerdict(browser, url, 'temp-verdict');
  assert.equal(v.reason, 'ok');
  assert.match(v.text, new RegExp(`外聘教师 · 计算机学院 · ${tempNo}`));

  // 7. A transfer to 历史学院 while valid: both leaders approve.
  await open(admin, '/temp-personnel');
  await admin.check('#temp-type-maintenance');
  await admin.fill('#temp-no', tempNo);
  await admin.selectOption('#temp-change', 'transfer');
  await admin.selectOption('#temp-to-department', { label: '历史学院' });
  await admin.check('#temp-commitment');
  await shot(admin, 'temp-transfer-form');
  await admin.click('#temp-submit');
  await admin.waitForSelector('#temp-submitted');
  await admin.context().close();
  await approve('A1001', name);
  assert.equal(sql(`SELECT d.code FROM temp_people t JOIN departments d ON d.id = t.department_id WHERE t.phone = '${number}'`), 'CS',
    'the leaving leader alone is not enough');
  await approve('A2001', name, 'temp-receiving-leader');
  assert.equal(sql(`SELECT d.code FROM temp_people t JOIN departments d ON d.id = t.department_id WHERE t.phone = '${number}'`), 'HIST');
  const after = await guardVerdict(browser, url, 'temp-verdict-transferred');
  assert.equal(after.reason, 'ok');
  assert.match(after.text, new RegExp(`历史学院 · ${tempNo}`));
  await me.context().close();
});
