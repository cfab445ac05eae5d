// Campus identity: staff sign in through the campus CAS (统一身份认证) and
// enterprise WeChat, and the office syncs the staff list from LDAP. The
// test command starts a real CAS server (django-mama-cas), slapd, and
// WeCom's endpoints on loopback, and gives the server under test their
// addresses; without them (CAS_URL, LDAP_URL, WECOM_URL unset) those
// journeys are skipped.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, phone, open, shot, expectAccessible, BASE } from './helpers.mjs';

const CAS = process.env.CAS_URL;
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function atCas(page, username) {
  await page.waitForURL((u) => CAS && u.href.startsWith(CAS + '/login'));
  await page.fill('#id_username', username);
  await page.fill('#id_password', 'Cas-test-2026');
  await page.click('button[type=submit]');
}

test('an approver signs in with the campus account and lands on their inbox', { skip: !CAS && 'CAS_URL is not set' }, async () => {
  const { page, context } = await phone(browser);
  await open(page, '/sign-in/staff?next=%2Fapprovals');
  await page.waitForSelector('#sign-in-cas');
  await expectAccessible(page, 'staff sign-in with the campus sign-on');
  await shot(page, 'cas-sign-in-page');
  await page.click('#sign-in-cas');
  await atCas(page, 'wangfang');
  await page.waitForURL((u) => u.pathname === '/approvals');
  await page.waitForSelector('body[data-hydrated]');
  assert.match(await page.textContent('header'), /王芳/);
  await shot(page, 'cas-landed-on-approvals');
  await context.close();
});

test('someone the staff list lacks is sent back with the reason', { skip: !CAS && 'CAS_URL is not set' }, async () => {
  const { page, context } = await phone(browser);
  await open(page, '/sign-in/staff');
  await page.click('#sign-in-cas');
  await atCas(page, 'visiting');
  await page.waitForURL((u) => u.pathname === '/sign-in/staff');
  await page.waitForSelector('body[data-hydrated]');
  const error = await page.waitForSelector('.error');
  assert.match(await error.textContent(), /不在本系统的教职工名单中/);
  await shot(page, 'cas-unknown-staff');
  // Nobody is signed in.
  await open(page, '/approvals');
  assert.doesNotMatch(await page.textContent('header'), /退出|Sign out/);
  await context.close();
});

test('the security office previews and runs a directory sync', { skip: !process.env.LDAP_URL && 'LDAP_URL is not set' }, async () => {
  const { page, context } = await phone(browser);
  await page.setViewportSize({ width: 1280, height: 900 });
  await open(page, '/sign-in/staff');
  await page.fill('#staff_no', 'S0001');
  await page.fill('#password', 'Campus-demo-2026');
  await page.click('button[type=submit]');
  await page.waitForURL((u) => u.pathname === '/');
  await open(page, '/admin/staff');
  await page.waitForSelector('#directory-sync');
  await page.click('#sync-preview');
  const preview = await page.waitForSelector('#sync-result .notice');
  assert.match(await preview.textContent(), /预览/);
  assert.match(await page.textContent('#sync-result'), /P0001 赵磊/);
  await shot(page, 'directory-sync-preview');
  await page.click('#sync-now');
  await page.waitForSelector('#sync-result .ok');
  await expectAccessible(page, 'directory sync, done');
  await shot(page, 'directory-sync-done');
  await context.close();
});

const IN_WECOM = 'Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36 wxwork/4.1.22 MicroMessenger/7.0.1';

test('inside enterprise WeChat an approver is signed in without a tap', { skip: !process.env.WECOM_URL && 'WECOM_URL is not set' }, async () => {
  const { page, context } = await phone(browser, { userAgent: IN_WECOM });
  await page.goto(BASE + '/sign-in/staff?next=%2Fapprovals');
  await page.waitForURL((u) => u.pathname === '/approvals');
  await page.waitForSelector('body[data-hydrated]');
  assert.match(await page.textContent('header'), /王芳/);
  await shot(page, 'wecom-silent-sign-in');
  await context.close();
});

test('on a PC the approver signs in with the WeCom QR code', { skip: !process.env.WECOM_URL && 'WECOM_URL is not set' }, async () => {
  const { page, context } = await phone(browser, { userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36' });
  await page.setViewportSize({ width: 1280, height: 900 });
  await open(page, '/sign-in/staff?next=%2Fapprovals');
  await page.waitForSelector('#sign-in-wecom');
  await shot(page, 'wecom-sign-in-page-pc');
  await page.click('#sign-in-wecom');
  await page.waitForURL((u) => u.pathname === '/approvals');
  await page.waitForSelector('body[data-hydrated]');
  assert.match(await page.textContent('header'), /王芳/);
  await context.close();
});
