// The resident office keeps households on a phone: adds one with its
// householder, is refused a mobile that is another resident's, imports a
// CSV (a bad file names its row; a good one is checked, then imported),
// and prints the campus's application QR code, which opens the resident form.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { launch, phone, open, signInStaff, shot, SHOTS, DEMO_PASSWORD, BASE, newNumber, idNumber } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// Doors and ID numbers of this run (the demo database outlives a run).
const RUN = Date.now() % 100000;
const DOOR = `${RUN}`;

test('the resident office adds a household with its householder, and a mobile belongs to one resident', async () => {
  const office = await phone(browser);
  const { page } = office;
  await signInStaff(page, 'R0001', DEMO_PASSWORD);
  await page.waitForURL((u) => u.pathname === '/');
  await page.click('#tile-households');
  await page.waitForURL((u) => u.pathname === '/admin/households');
  await page.waitForSelector('body[data-hydrated]');
  await page.waitForSelector('#household-list li.household');
  // Masked on the page; the resident office sees no other office page.
  const list = await page.textContent('#household-list');
  assert.match(list, /139\*\*\*\*9000/);
  assert.doesNotMatch(list, /13900139000/);
  assert.equal(await page.locator('nav.tabs a').count(), 1);
  await shot(page, 'households-phone');

  await page.fill('#hh-community', '桃李园');
  await page.fill('#hh-building', '7栋');
  await page.fill('#hh-door', DOOR);
  await page.click('#hh-save');
  // A new household goes straight on to its householder.
  await page.waitForSelector('#member-form');
  assert.match(await page.textContent('#member-household'), new RegExp(`桃李园 7栋 ${DOOR}`));
  assert.ok(await page.isChecked('#m-householder'));
  const mobile = newNumber('137');
  await page.fill('#m-name', '钱学林');
  await page.fill('#m-phone', mobile);
  await page.fill('#m-doc', idNumber(RUN % 900 + 50));
  await shot(page, 'households-member-form');
  await page.click('#m-save');
  await page.waitForSelector('#member-form', { state: 'detached' });
  await page.fill('#household-search', DOOR);
  await page.waitForFunction((m) => document.querySelector('#household-list')?.textContent.includes(m), `${mobile.slice(0, 3)}****${mobile.slice(7)}`);
  assert.match(await page.textContent('#household-list'), /钱学林/);

  // 吴芳's mobile for a second member: refused, saying where it is registered.
  await page.click('#household-list li.household button:has-text("添加成员")');
  await page.waitForSelector('#member-form');
  await page.fill('#m-name', '冒用者');
  await page.fill('#m-phone', '13900139000');
  await page.fill('#m-doc', idNumber(RUN % 900 + 51));
  await page.click('#m-save');
  const err = await page.waitForSelector('#member-form .error');
  assert.match(await err.textContent(), /已登记给另一位居民（教工宿舍 5栋 302）/);
  await shot(page, 'households-mobile-taken');
  await office.context.close();
});

test('households are imported from a CSV: a bad row is named, a good file is checked, then imported', async () => {
  const { page, context } = await phone(browser);
  await signInStaff(page, 'S0001', DEMO_PASSWORD);
  await page.waitForURL((u) => u.pathname === '/');
  await open(page, '/admin/households');
  await page.waitForSelector('#household-list');
  const header = '校区,小区,楼栋,门牌,姓名,手机,证件类型,证件号码,户主,纸质通行证\n';
  const a = newNumber('136');
  const b = newNumber('136');
  const bad = `${SHOTS}households-bad.csv`;
  writeFileSync(bad, `${header}主校区,梧桐苑,2栋,${DOOR},孔一,${a},身份证,${idNumber(RUN % 900 + 60)},是,否\n主校区,梧桐苑,2栋,${DOOR},孔二,${b},身份证,110101199003078671,否,否\n`);
  await page.setInputFiles('#household-csv', bad);
  await page.click('#household-import-check');
  const badResult = await page.waitForSelector('#household-import-result.error-block');
  assert.match(await badResult.textContent(), /行 3/);
  assert.match(await badResult.textContent(), /身份证号码不正确/);

  const good = `${SHOTS}households-good.csv`;
  writeFileSync(good, '\ufeff' + `${header}主校区,梧桐苑,2栋,${DOOR},孔一,${a},身份证,${idNumber(RUN % 900 + 60)},是,否\n主校区,梧桐苑,2栋,${DOOR},孔二,${b},护照,E${RUN}88,否,否\n`);
  await page.setInputFiles('#household-csv', good);
  await page.click('#household-import-check');
  await page.waitForSelector('#household-import-result .notice');
  const dry = await page.textContent('#household-import-result');
  assert.match(dry, /将进行以下变更/);
  assert.match(dry, new RegExp(`新增住户.*梧桐苑 2栋 ${DOOR}`));
  await shot(page, 'households-import-dry-run');
  await page.click('#household-import-run');
  await page.waitForSelector('#household-import-result .ok');
  assert.match(await page.textContent('#household-import-result'), /已进行以下变更/);
  await page.fill('#household-search', '孔二');
  await page.waitForFunction(() => document.querySelector('#household-list')?.textContent.includes('孔二'));
  await context.close();
});

test('the application QR code poster prints on A4 and opens the resident form', async () => {
  const { page, context } = await phone(browser);
  await signInStaff(page, 'R0001', DEMO_PASSWORD);
  await page.waitForURL((u) => u.pathname === '/');
  await open(page, '/admin/households');
  await page.click('a:has-text("打印申请码 · 主校区")');
  await page.waitForURL((u) => u.pathname === '/admin/households/poster');
  await page.waitForSelector('#poster-qr svg');
  assert.match(await page.textContent('#poster'), /校区居民通行证申请码/);
  assert.equal((await page.textContent('#poster-url')).trim(), `${BASE}/resident`);
  await shot(page, 'poster-phone');
  // The code reads back as the form's address.
  const png = `${SHOTS}poster-qr.png`;
  await page.locator('#poster-qr svg').screenshot({ path: png });
  const decoded = execFileSync('zbarimg', ['--quiet', '--raw', png]).toString().trim();
  assert.equal(decoded, `${BASE}/resident`);
  // On paper: no top bar, no buttons.
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.isVisible('.topbar'), false);
  assert.equal(await page.isVisible('#poster-print'), false);
  await page.setViewportSize({ width: 794, height: 1123 });
  await shot(page, 'poster-print-a4');
  await context.close();
});

test('the households page and the poster at desktop width', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  await signInStaff(page, 'S0001', DEMO_PASSWORD);
  await page.waitForURL((u) => u.pathname === '/');
  await open(page, '/admin/households');
  await page.waitForSelector('#household-list li.household');
  assert.ok(await page.locator('nav.tabs a').count() > 5, 'a security admin sees every office page');
  await shot(page, 'households-desktop');
  const campus = await page.$eval('#filter-campus option:nth-child(2)', (o) => o.value);
  await open(page, `/admin/households/poster?campus=${campus}`);
  await page.waitForSelector('#poster-qr svg');
  await shot(page, 'poster-desktop');
  await context.close();
});
