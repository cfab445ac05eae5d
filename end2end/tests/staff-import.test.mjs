import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { launch, phone, open, signInStaff, shot, SHOTS, DEMO_PASSWORD, expectAccessible } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const NO = 'E' + Date.now().toString(36).toUpperCase().slice(-8);

test('an admin imports staff from a CSV, and a new staff member replaces the initial password', async () => {
  const admin = await phone(browser);
  await signInStaff(admin.page, 'S0001', DEMO_PASSWORD);
  await admin.page.waitForURL((u) => u.pathname === '/');
  await admin.page.waitForSelector('#tile-admin-staff');
  await open(admin.page, '/admin/staff');
  await admin.page.waitForSelector('#staff-list');
  await expectAccessible(admin.page, 'staff and their import');

  // A file with a mistake: nothing is imported, the row is named.
  const bad = `${SHOTS}bad.csv`;
  writeFileSync(bad, `工号,姓名,部门,手机\n${NO},测试员,CS,12345\n`);
  await admin.page.setInputFiles('#staff-csv', bad);
  await admin.page.click('#import-check');
  const badResult = await admin.page.waitForSelector('#import-result.error-block');
  assert.match(await badResult.textContent(), /行 2/);
  assert.match(await badResult.textContent(), /手机号/);
  await expectAccessible(admin.page, 'staff import, a file with a mistake');

  const good = `${SHOTS}good.csv`;
  writeFileSync(good, `\ufeff工号,姓名,部门,手机\n${NO},测试员,CS,13912345678\n`);
  await admin.page.setInputFiles('#staff-csv', good);
  await admin.page.click('#import-check');
  await admin.page.waitForSelector('#import-result.ok');
  await admin.page.click('#import-run');
  await admin.page.waitForSelector('#import-result code');
  await expectAccessible(admin.page, 'staff import, done');
  await shot(admin.page, 'admin-import-done');
  const initial = (await admin.page.textContent('#import-result code')).trim();
  assert.equal(initial.length, 12);

  const staff = await phone(browser);
  await signInStaff(staff.page, NO, initial);
  await staff.page.waitForURL((u) => u.pathname === '/account/password');
  await staff.page.waitForSelector('body[data-hydrated]');
  await staff.page.waitForSelector('.notice');
  await staff.page.fill('#current', initial);
  await staff.page.fill('#new', 'short');
  await staff.page.waitForSelector('.field-error');
  await expectAccessible(staff.page, 'changing the initial password');
  await staff.page.fill('#new', 'my-new-pass-2026');
  await staff.page.fill('#again', 'my-new-pass-2026');
  await shot(staff.page, 'staff-change-password');
  await staff.page.click('button[type=submit]');
  await staff.page.waitForURL((u) => u.pathname === '/');
  await staff.page.waitForSelector('#who');
  assert.equal((await staff.page.textContent('#who')).trim(), '测试员');
  assert.doesNotMatch(await staff.page.textContent('main'), /首次登录请先修改初始密码/);
});
