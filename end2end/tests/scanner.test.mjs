import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { launch, phone, open, shot, bundle, signInPhone, signInStaff, newNumber, applySimple, decide, DEMO_PASSWORD, SHOTS, BASE, expectAccessible, staffPage } from './helpers.mjs';
import { execFileSync } from 'node:child_process';

const DB = process.env.DB_PATH ?? '../data/campus-pass.db';
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/// Calls a server function from a signed-in page (JSON in, JSON out).
async function call(page, name, body, form = false) {
  return page.evaluate(async ([name, body, form]) => {
    const r = await fetch(`/api/fn/${name}`, form
      ? { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body) }
      : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: r.status, body: await r.json() };
  }, [name, body, form]);
}

/// A pass valid today: the office allows same-day visits, a visitor applies
/// for today, host and department approve; returns the pass page link.
async function passForToday(name = '郑十', seq = 601) {
  const admin = await staffPage(browser, 'S0001');
  const policies = await call(admin, 'list_policies', {}, true);
  const visitor = policies.body.find((p) => p.kind === 'Visitor');
  visitor.dates.same_day = true;
  visitor.dates.next_day_deadline = null;
  assert.equal((await call(admin, 'save_policy', { policy: visitor })).status, 200);
  const number = newNumber();
  const { page } = await phone(browser);
  await signInPhone(page, number);
  const id = await applySimple(page, { name, number, seq });
  await decide(await staffPage(browser, 'T1001'), id, 'Approve');
  await decide(await staffPage(browser, 'A1001'), id, 'Approve');
  const body = execFileSync('sqlite3', [DB, `SELECT body FROM sms_outbox WHERE phone = '${number}' AND purpose = 'approved_entrant'`]).toString();
  return body.match(/\/p#([A-Za-z0-9_-]+)/)[1];
}

/// Opens the pass page and reads its QR from a screenshot with Debian's
/// zbarimg, a decoder that is not ours; returns the picture and the text.
async function passQr(page, link, name) {
  await open(page, `/p#${link}`);
  const file = `${SHOTS}${name}.png`;
  await page.locator('#pass-qr').screenshot({ path: file });
  const text = execFileSync('zbarimg', ['--raw', '-q', file], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  return { file, text };
}

/// The pass page's QR, drawn as a 640×480 YUV4MPEG2 video for Chromium's fake camera.
async function qrVideo(link) {
  const { page } = await phone(browser);
  // The link is a key: it leaves the phone only in the body of one request.
  const requests = [];
  page.on('request', (r) => requests.push(r));
  await open(page, `/p#${link}`);
  assert.equal(await bundle(page), 'visitor');
  await page.waitForSelector('#pass-status');
  assert.match(await page.textContent('#pass-status'), /有效/);
  await page.waitForLoadState('networkidle');
  assert.deepEqual(requests.filter((r) => r.url().includes(link)).map((r) => r.url()), [], 'no address carries the link');
  const asked = requests.filter((r) => r.url().endsWith('/api/fn/pass_by_link'));
  assert.equal(asked.length, 1, 'the pass is asked for once');
  assert.ok(asked[0].postData().includes(link));
  await expectAccessible(page, 'a pass');
  await shot(page, 'pass-page');
  const luma = await page.evaluate(async () => {
    const svg = document.querySelector('#pass-qr svg').outerHTML;
    const img = new Image();
    img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svg);
    await img.decode();
    const c = document.createElement('canvas');
    c.width = 640; c.height = 480;
    const ctx = c.getContext('2d');
    ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, 640, 480);
    ctx.drawImage(img, 120, 40, 400, 400);
    const d = ctx.getImageData(0, 0, 640, 480).data;
    const y = new Array(640 * 480);
    for (let i = 0; i < y.length; i++) y[i] = Math.round(0.299 * d[4 * i] + 0.587 * d[4 * i + 1] + 0.114 * d[4 * i + 2]);
    return y;
  });
  const frame = Buffer.concat([Buffer.from('FRAME\n'), Buffer.from(luma), Buffer.alloc(320 * 240 * 2, 128)]);
  const file = `${SHOTS}pass-qr.y4m`;
  writeFileSync(file, Buffer.concat([Buffer.from('YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n'), ...Array(10).fill(frame)]));
  return file;
}

test('a guard scans a pass with the phone camera and sees a green verdict', async () => {
  const link = await passForToday();
  const video = await qrVideo(link);
  const cam = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`],
  });
  try {
    const { context, page } = await phone(cam);
    await context.grantPermissions(['camera'], { origin: BASE });
    await signInStaff(page, 'G0001', DEMO_PASSWORD);
    await page.waitForURL((u) => u.pathname === '/');
    await open(page, '/scan');
    await page.waitForSelector('#scan-gate');
    // The guard's phone loads the scanner's own bundle, not every page.
    assert.equal(await bundle(page), 'scanner');
    await expectAccessible(page, 'the scanner');
    await page.click('#camera-start');
    const verdict = await page.waitForSelector('#verdict', { timeout: 30000 });
    assert.equal(await verdict.getAttribute('data-reason'), 'ok');
    assert.match(await verdict.textContent(), /通过/);
    assert.match(await verdict.textContent(), /郑十/);
    await expectAccessible(page, 'the scanner, a green verdict');
    await shot(page, 'scanner-green');
    await page.click('#camera-stop');
    // The photo fallback decodes the same code from a picture.
    const scans = () => Number(execFileSync('sqlite3', [DB, 'SELECT COUNT(*) FROM scan_events']).toString().trim());
    await new Promise((r) => setTimeout(r, 500));
    const before = scans();
    await page.setInputFiles('#photo-input', `${SHOTS}pass-page.png`);
    for (let i = 0; i < 100 && scans() === before; i++) await new Promise((r) => setTimeout(r, 200));
    assert.equal(scans(), before + 1, 'the photo was decoded and checked once');
    assert.equal(await page.getAttribute('#verdict', 'data-reason'), 'ok');
    await shot(page, 'scanner-photo');
  } finally {
    await cam.close();
  }
});

test('offline: the scanner decides from its roster, queues the scan, reloads without a network and syncs once when it is back', async () => {
  const link = await passForToday('吴九', 602);
  const holder = await phone(browser);
  const { file: qr, text: decoded } = await passQr(holder.page, link, 'offline-qr');
  assert.match(decoded, new RegExp(`^${BASE.replace(/[.]/g, '\\.')}/s#t=[\\w-]+\\.[\\w-]+\\.[\\w-]+$`));
  // Once opened, the pass page also opens with the network off.
  await holder.page.waitForFunction(() => navigator.serviceWorker?.controller, null, { timeout: 20000 });
  await holder.context.setOffline(true);
  await holder.page.reload();
  await holder.page.waitForSelector('#pass-qr svg', { timeout: 20000 });
  assert.match(await holder.page.textContent('#pass-holder'), /吴九/);
  await holder.context.close();

  const { context, page } = await phone(browser);
  await signInStaff(page, 'G0001', DEMO_PASSWORD);
  await page.waitForURL((u) => u.pathname === '/');
  await open(page, '/scan');
  // Online first: the roster arrives and the service worker takes the page.
  await page.waitForFunction(() => /\(\d+\)/.test(document.querySelector('#net-status')?.textContent ?? ''), null, { timeout: 20000 });
  await page.waitForFunction(() => navigator.serviceWorker?.controller, null, { timeout: 20000 });
  // This browser has no camera (like a webview that refuses it): the page
  // says so and points to the photo button.
  await page.click('#camera-start');
  await page.waitForSelector('#camera-failed');
  assert.match(await page.textContent('#camera-failed'), /拍照识别/);
  await expectAccessible(page, 'the scanner, no camera');
  const scans = () => Number(execFileSync('sqlite3', [DB, "SELECT COUNT(*) FROM scan_events WHERE gate_id = (SELECT id FROM gates WHERE name = '南门')"]).toString().trim());
  const before = scans();

  await context.setOffline(true);
  await page.setInputFiles('#photo-input', qr);
  const verdict = await page.waitForSelector('#verdict[data-offline=true]', { timeout: 20000 });
  assert.equal(await verdict.getAttribute('data-reason'), 'ok');
  assert.match(await verdict.textContent(), /吴\*/, 'the roster names the holder masked');
  assert.match(await verdict.textContent(), /离线核验/);
  assert.equal(await page.getAttribute('#net-status', 'data-queued'), '1');
  assert.equal(scans(), before, 'nothing reached the server');
  await expectAccessible(page, 'the scanner, an offline verdict');
  await shot(page, 'scanner-offline');

  // A restart with the network still off: the page loads from the service
  // worker, hydrates, and still knows its queue.
  await page.reload();
  await page.waitForSelector('body[data-hydrated]', { timeout: 20000 });
  await page.waitForFunction(() => document.querySelector('#net-status')?.dataset.queued === '1', null, { timeout: 20000 });
  await shot(page, 'scanner-offline-reloaded');

  // The shift changes before the network is back: 钱坤 signs in on this
  // phone. The queued scan was 孙磊's: it is not sent under 钱坤's name, it
  // waits for 孙磊.
  await context.clearCookies();
  await context.setOffline(false);
  await signInStaff(page, 'G0002', DEMO_PASSWORD);
  await page.waitForURL((u) => u.pathname === '/');
  await open(page, '/scan');
  await page.waitForFunction(() => /\(\d+\)/.test(document.querySelector('#net-status')?.textContent ?? '') && !document.querySelector('#net-status.offline'), null, { timeout: 20000 });
  await new Promise((r) => setTimeout(r, 3000));
  assert.equal(scans(), before, "another guard's queued scan is not sent");
  assert.equal(await page.getAttribute('#net-status', 'data-queued'), '1');

  await context.clearCookies();
  await signInStaff(page, 'G0001', DEMO_PASSWORD);
  await page.waitForURL((u) => u.pathname === '/');
  await open(page, '/scan');
  await page.waitForFunction(() => document.querySelector('#net-status')?.dataset.queued === '0', null, { timeout: 30000 });
  assert.equal(scans(), before + 1, 'the queued scan reached the server once');
  const row = execFileSync('sqlite3', [DB, "SELECT offline, allowed, reason, guard LIKE '%孙磊%' FROM scan_events ORDER BY recorded_at DESC LIMIT 1"]).toString().trim();
  assert.equal(row, '1|1|ok|1', 'recorded under the guard who admitted the person');
  // Back and forth once more: nothing is sent twice.
  await context.setOffline(true);
  await context.setOffline(false);
  await new Promise((r) => setTimeout(r, 2000));
  assert.equal(scans(), before + 1);
  await context.close();
});

test("a guard scanning a pass with WeChat's own scanner lands on /s and sees the verdict", async () => {
  const link = await passForToday('王六', 603);
  const holder = await phone(browser);
  const { text: url } = await passQr(holder.page, link, 'wechat-qr');
  await holder.context.close();
  const guard = await staffPage(browser, 'G0001');
  // The link a phone's scanner opens: the token only in the fragment.
  await guard.goto(url);
  await guard.waitForSelector('body[data-hydrated]', { timeout: 20000 });
  assert.equal(await bundle(guard), 'scanner');
  const verdict = await guard.waitForSelector('#verdict', { timeout: 20000 });
  assert.equal(await verdict.getAttribute('data-reason'), 'ok');
  assert.match(await verdict.textContent(), /王六/);
  await expectAccessible(guard, "the scanner, reached by WeChat's scanner");
  await shot(guard, 'scanner-wechat-link');
  await guard.context().close();
});

test('the security office sees the scan log and who is on campus now', async () => {
  const admin = await staffPage(browser, 'S0001');
  await open(admin, '/admin/on-campus');
  await admin.waitForSelector('#inside-people');
  // The two earlier journeys let 郑十 and 吴九 in at the south gate.
  const people = await admin.textContent('#inside-people');
  assert.match(people, /郑\*/);
  assert.match(people, /吴\*/);
  assert.doesNotMatch(people, /郑十|吴九/, 'names are masked');
  await expectAccessible(admin, 'on campus now');
  await shot(admin, 'office-on-campus');
  await open(admin, '/admin/scans');
  await admin.waitForSelector('#scan-list tbody tr');
  assert.match(await admin.textContent('#scan-list'), /离线/, 'the synced offline scan is marked');
  await admin.selectOption('#scan-verdict', 'refused');
  await admin.waitForFunction(() => ![...document.querySelectorAll('#scan-list tbody td[data-reason]')].some((td) => td.dataset.reason === 'ok'));
  // The office exports what it filtered, as Excel: read back by openpyxl.
  const [download] = await Promise.all([admin.waitForEvent('download'), admin.click('#export-scans-xlsx')]);
  const xlsx = `${SHOTS}scan-log-refused.xlsx`;
  await download.saveAs(xlsx);
  const sheet = JSON.parse(execFileSync(process.env.CAMPUS_PASS_TEST_PYTHON ?? '../.tools/venv-xlsx/bin/python', ['-c',
    'import json, sys, openpyxl; ws = openpyxl.load_workbook(sys.argv[1]).active; print(json.dumps([[c.value for c in r] for r in ws.iter_rows()], default=str))',
    xlsx]).toString());
  assert.equal(sheet[0][4], '结果');
  assert.ok(sheet.length > 1, 'refused scans were exported');
  assert.ok(sheet.slice(1).every((row) => row[4] === '禁止'), 'only what the page shows: refused scans');
  await admin.selectOption('#scan-verdict', '');
  await admin.waitForSelector('#scan-list td[data-reason=ok]');
  await expectAccessible(admin, 'the scan log');
  await shot(admin, 'office-scan-log');
  await admin.context().close();
});

test('a drill roll call: the office sees who is inside with their mobiles, ticks people off and reads who was missing', async () => {
  const admin = await staffPage(browser, 'S0001');
  await open(admin, '/admin/roll-call');
  await admin.waitForSelector('#roll-list');
  // The earlier journeys let 郑十 and 吴九 in: full names and mobiles, for the office only.
  const list = await admin.textContent('#roll-list');
  assert.match(list, /郑十/);
  assert.match(list, /吴九/);
  assert.match(list, /1\d{10}/, 'mobiles in full, to call them');
  const inside = Number(await admin.textContent('#roll-count'));
  await expectAccessible(admin, 'the roll call');
  await shot(admin, 'office-roll-call');
  await admin.selectOption('#drill-campus', { label: '主校区' });
  await admin.fill('#drill-name', '消防疏散演练');
  await admin.click('#drill-form button[type=submit]');
  await admin.waitForSelector('#drill .drill-people li');
  assert.match(await admin.textContent('#drill-progress'), new RegExp(`0 / ${inside}`));
  // The first person reaches the assembly point.
  await admin.click('#drill .drill-people li >> nth=0 >> button');
  await admin.waitForFunction((n) => new RegExp(`1 / ${n}`).test(document.querySelector('#drill-progress')?.textContent ?? ''), inside);
  await expectAccessible(admin, 'a drill running');
  await shot(admin, 'office-drill-running');
  await admin.click('#drill-end');
  await admin.waitForSelector('#drill-end', { state: 'detached' });
  // The report: who is still missing, and the drill in the list.
  assert.equal(await admin.$$eval('#drill .drill-people li:not(.done)', (li) => li.length), inside - 1);
  assert.match(await admin.textContent('#drill-list'), /消防疏散演练/);
  await shot(admin, 'office-drill-report');
  await admin.context().close();
});

test("the system is down: a guard admits someone on the office's telephoned instruction, offline; it syncs, and the office reviews it", async () => {
  const { context, page } = await phone(browser);
  await signInStaff(page, 'G0001', DEMO_PASSWORD);
  await page.waitForURL((u) => u.pathname === '/');
  await open(page, '/scan');
  // The service worker stores the scanner and, with it, the manual form.
  // Controlling the page means it is installed, and it installs by storing
  // the pages and their assets: all of it is in the cache by then.
  await page.waitForFunction(() => navigator.serviceWorker?.controller?.state === 'activated', null, { timeout: 20000 });
  assert.ok(await page.evaluate(async () => {
    const html = await (await caches.match('/scan/manual'))?.text();
    const assets = html?.match(/\/pkg\/[^"'\s)<>]+/g) ?? [];
    return assets.length > 0 && (await Promise.all(assets.map((a) => caches.match(a)))).every(Boolean);
  }), 'the manual form and its assets are stored before the network goes');
  const manual = () => Number(execFileSync('sqlite3', [DB, 'SELECT COUNT(*) FROM manual_admissions']).toString().trim());
  const before = manual();

  await context.setOffline(true);
  await page.click('#manual-admission');
  await page.waitForURL((u) => u.pathname === '/scan/manual');
  await page.waitForSelector('body[data-hydrated]', { timeout: 20000 });
  assert.equal(await bundle(page), 'people');
  // Who authorised it is required: said by name, nothing queued.
  await page.fill('#manual-name', '王奶奶');
  await page.fill('#manual-document', '110101194001011234');
  await page.fill('#manual-reason', '系统故障，探望亲属');
  await page.click('#manual-record');
  await page.waitForSelector('.field-error:has-text("此项必填")');
  await page.fill('#manual-authorised-by', '保卫处 周敏 8888');
  await expectAccessible(page, 'the manual admission form');
  await page.click('#manual-record');
  await page.waitForSelector('#manual-recorded[data-synced=false]');
  assert.match(await page.textContent('#manual-recorded'), /联网后自动同步/);
  await shot(page, 'scanner-manual-offline');
  assert.equal(manual(), before, 'nothing reached the server');

  // Back on the scanner: it counts the admission among what waits, and
  // sends it once the network is back.
  await page.click('#back-to-scanner');
  await page.waitForSelector('body[data-hydrated]', { timeout: 20000 });
  await page.waitForFunction(() => Number(document.querySelector('#net-status')?.dataset.queued) >= 1, null, { timeout: 20000 });
  await context.setOffline(false);
  await page.waitForFunction(() => document.querySelector('#net-status')?.dataset.queued === '0', null, { timeout: 30000 });
  assert.equal(manual(), before + 1, 'stored once');
  await context.close();

  // The office reviews it on its PC.
  const admin = await staffPage(browser, 'S0001');
  await admin.setViewportSize({ width: 1280, height: 900 });
  await open(admin, '/admin/manual-admissions');
  const row = await admin.waitForSelector('tr.manual-row');
  assert.match(await row.textContent(), /王奶奶.*1101\*+1234.*保卫处 周敏 8888/s);
  await expectAccessible(admin, 'the manual admissions to review');
  await shot(admin, 'office-manual-admissions');
  await admin.fill('tr.manual-row >> nth=0 >> .review-note', '已电话核实');
  await admin.click('tr.manual-row >> nth=0 >> button.review');
  await admin.waitForSelector('#manual-none');
  await admin.selectOption('#manual-status', 'reviewed');
  await admin.waitForSelector('tr.manual-row:has-text("已电话核实")');
  await admin.context().close();
});
