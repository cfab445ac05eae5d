// The security office's daily work on its PC and phone: vehicle rules and
// parking fees set on the rules page, an unpaid fee settled against a
// receipt, after which the list shows it paid.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, phone, open, shot, signInStaff, signInPhone, applySimple, newNumber, DEMO_PASSWORD, expectAccessible } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function admin() {
  const { page } = await phone(browser);
  await signInStaff(page, 'S0001', DEMO_PASSWORD);
  await page.waitForURL((u) => u.pathname === '/');
  return page;
}

test("the office sets a private visit's vehicle gates and fee, and settles an unpaid parking fee with its receipt", async () => {
  const page = await admin();
  await open(page, '/admin/rules');
  await page.waitForSelector('#vehicle-rule-list');
  // Official reasons: any vehicle gate, free; the demo's private ones use the north gate.
  const rules = await page.textContent('#vehicle-rule-list');
  assert.match(rules, /所有车行门，免费/);
  assert.match(rules, /北门车行道/);
  // The first private reason (official ones have no edit button).
  const reason = await page.$eval('#vehicle-rule-list tr:has(button.link) td', (td) => td.firstChild.textContent.trim());
  await page.click('#vehicle-rule-list button.link >> nth=0');
  await page.waitForSelector('#vehicle-rule-form');
  // A rate that is not money is refused by name; nothing is saved.
  await page.fill('#hourly-rate', '5元');
  await page.click('#vehicle-rule-form button[type=submit]');
  await page.waitForSelector('#vehicle-rules .error');
  assert.match(await page.textContent('#vehicle-rules .error'), /每小时收费/);
  // The east campus's garage exit as well, ¥6 an hour, ¥40 a day.
  await page.check('#vehicle-rule-form label:has-text("东校区车库出口") input');
  await page.fill('#hourly-rate', '6');
  await page.fill('#daily-cap', '40');
  await expectAccessible(page, 'vehicle rules being edited');
  await shot(page, 'office-vehicle-rules-edit');
  await page.click('#vehicle-rule-form button[type=submit]');
  await page.waitForSelector('#vehicle-rule-form', { state: 'detached' });
  const row = await page.locator(`#vehicle-rule-list tr:has-text("${reason}")`).first();
  await row.locator('text=6.00').waitFor();
  await shot(page, 'office-vehicle-rules');
  assert.match(await row.textContent(), /东校区车库出口/);
  assert.match(await row.textContent(), /40\.00/);

  await open(page, '/admin/fees');
  await page.waitForSelector('#fee-list');
  const unpaid = await page.textContent('#fee-list');
  assert.match(unpaid, /京N12345/);
  assert.match(unpaid, /20\.00/);
  assert.doesNotMatch(unpaid, /沪A88888/, 'settled fees are not in the unpaid list');
  await expectAccessible(page, 'unpaid parking fees');
  await shot(page, 'office-fees-unpaid');
  await page.click('#fee-list tr:has-text("京N12345") button.link');
  await page.waitForSelector('#settle-form');
  // A receipt number that is not one is refused.
  await page.fill('#receipt-no', '收据');
  await page.click('#settle-form button[type=submit]');
  await page.waitForSelector('.error');
  assert.match(await page.textContent('.error'), /收据号/);
  await page.fill('#receipt-no', '2026-000118');
  await page.click('#settle-form button[type=submit]');
  await page.waitForSelector('#fees-settled');
  assert.match(await page.textContent('#fees-settled'), /20\.00/);
  await page.waitForSelector('#fees-empty');
  await page.selectOption('#fees-status', 'settled');
  await page.waitForFunction(() => /京N12345/.test(document.querySelector('#fee-list')?.textContent ?? ''));
  const settled = await page.textContent('#fee-list tr:has-text("京N12345")');
  assert.match(settled, /2026-000118/);
  assert.match(settled, /周敏/);
  await expectAccessible(page, 'settled parking fees');
  await shot(page, 'office-fees-settled');
  await page.context().close();
});

test('the office reads its statistics as charts beside the numbers, on a phone and on a PC', async () => {
  // Something to count: a visitor applies.
  const number = newNumber();
  const { page: visitor } = await phone(browser);
  await signInPhone(visitor, number);
  await applySimple(visitor, { name: '钱七', number, seq: 811 });
  await visitor.context().close();
  const page = await admin();
  await open(page, '/admin/statistics');
  await page.waitForSelector('#stats-by-status svg.chart');
  await page.waitForSelector('#stats-by-gate');
  await page.waitForSelector('#stats-inside svg.chart');
  // The chart is the server's SVG: a bar per row of the table beside it.
  const rows = await page.$$eval('#stats-by-status tbody tr', (trs) => trs.map((tr) => [tr.cells[0].textContent, Number(tr.cells[1].textContent)]));
  assert.ok(rows.some(([label, n]) => label === '审批中' && n >= 1), JSON.stringify(rows));
  assert.equal(await page.$$eval('#stats-by-status svg rect', (r) => r.length), rows.length);
  assert.equal(await page.getAttribute('#stats-by-status svg', 'aria-label'), '申请：按状态');
  assert.equal(await page.$$eval('#stats-by-hour svg rect', (r) => r.length), 24);
  // No chart fits wider than the phone.
  const overflow = await page.$$eval('svg.chart', (svgs) => svgs.filter((s) => s.getBoundingClientRect().right > window.innerWidth).length);
  assert.equal(overflow, 0);
  await expectAccessible(page, 'statistics');
  await shot(page, 'office-statistics-phone');
  // A period that ends before it starts is refused with a sentence.
  await page.fill('#stats-from', '2026-12-31');
  await page.dispatchEvent('#stats-from', 'change');
  await page.fill('#stats-to', '2026-01-01');
  await page.dispatchEvent('#stats-to', 'change');
  await page.waitForSelector('p.error[role=alert]');
  assert.match(await page.textContent('p.error[role=alert]'), /结束日期不能早于开始日期/);
  await page.fill('#stats-from', '');
  await page.dispatchEvent('#stats-from', 'change');
  await page.fill('#stats-to', '');
  await page.dispatchEvent('#stats-to', 'change');
  await page.waitForSelector('#stats-by-status svg.chart');
  // One campus's statistics, on the office's PC.
  await page.selectOption('#stats-campus', { label: '主校区' });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.waitForSelector('#stats-by-hour svg.chart');
  await shot(page, 'office-statistics-pc');
  await page.context().close();
});

test("the office clears a car recorded inside whose exit the camera missed, giving a reason", async () => {
  const page = await admin();
  await open(page, '/admin/on-campus');
  await page.waitForSelector('#inside-vehicles');
  assert.match(await page.textContent('#inside-vehicles'), /苏E66666/);
  // Without a reason it is refused and the car stays.
  await page.click('#inside-vehicles tr:has-text("苏E66666") button');
  await page.waitForSelector('p.error[role=alert]');
  assert.match(await page.textContent('#inside-vehicles'), /苏E66666/);
  await page.fill('#clear-reason', '出口摄像头漏拍，已电话确认车辆已离校');
  await page.click('#inside-vehicles tr:has-text("苏E66666") button');
  await page.waitForFunction(() => !/苏E66666/.test(document.querySelector('main')?.textContent ?? ''));
  await expectAccessible(page, 'on campus after a car was cleared');
  await shot(page, 'office-inside-cleared');
  await page.context().close();
});
