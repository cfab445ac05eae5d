// The browser side of the benchmark harness, in Debian's Chromium at a
// phone's size against the benchmark server: first-load JS + WASM of every
// phone page (PAGES: "path:who …", who names the session's cookie file;
// /approvals/first is the first application in the approver's inbox),
// offline verification in the scanner's WASM, and
// camera-to-verdict with Chromium's fake camera playing a pass QR. Prints
// one JSON object. Timings come from the pages' own User Timing measures
// (`campus-pass:offline-verify`, `campus-pass:camera-to-verdict`).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const require = createRequire(import.meta.url);
const { chromium } = require('../../end2end/node_modules/playwright-core');

const BASE = process.env.BASE_URL;
const DIR = process.env.BENCH_DIR;
const VIDEO = process.env.QR_VIDEO;
const SAMPLES = Number(process.env.SAMPLES ?? 40);
const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic'];
const cookie = (name) => ({ name: 'cp_session', value: readFileSync(`${DIR}/${name}`, 'utf8').trim(), url: BASE });

async function phone(browser, cookieFile) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN' });
  if (cookieFile) await context.addCookies([cookie(cookieFile)]);
  return { context, page: await context.newPage() };
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { n: s.length, median: at(0.5), p95: at(0.95), max: s[s.length - 1] };
};

/// Every script and wasm file a first visit loads, with its sizes.
async function firstLoad(browser, path, cookieFile) {
  const { context, page } = await phone(browser, cookieFile);
  const files = [];
  page.on('response', async (r) => {
    const url = new URL(r.url());
    if (!/\.(js|wasm)$/.test(url.pathname)) return;
    try {
      const body = await r.body();
      files.push({ path: url.pathname, raw: body.length, brotli: brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length, gzip: gzipSync(body, { level: 9 }).length });
    } catch (_) { /* a response without a body */ }
  });
  const t0 = Date.now();
  await page.goto(BASE + path);
  await page.waitForSelector('body[data-hydrated]', { timeout: 60000 });
  const hydratedMs = Date.now() - t0;
  await page.waitForTimeout(500);
  await context.close();
  const sum = (k) => files.reduce((s, f) => s + f[k], 0);
  return { path, files, raw: sum('raw'), brotli: sum('brotli'), gzip: sum('gzip'), hydrated_ms: hydratedMs };
}

async function offlineVerify(browser) {
  const { context, page } = await phone(browser, 'guard.cookie');
  page.on('console', (m) => { if (m.type() === 'error') console.error('console:', m.text()); });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(BASE + '/scan');
  await page.waitForSelector('body[data-hydrated]', { timeout: 60000 });
  await page.waitForFunction(() => /\(\d+\)/.test(document.querySelector('#net-status')?.textContent ?? ''), null, { timeout: 60000 });
  const rosterSize = Number((await page.textContent('#net-status')).match(/\((\d+)\)/)[1]);
  await context.setOffline(true);
  const qr = readFileSync(`${DIR}/qr.txt`, 'utf8').trim().split('\n');
  let allowed = 0;
  for (let i = 0; i < SAMPLES; i++) {
    await page.fill('#manual-value', qr[(i * 37) % qr.length]);
    const before = await page.evaluate(() => performance.getEntriesByName('campus-pass:offline-verify').length);
    try {
      await page.click('#manual-check', { timeout: 30000 });
    } catch (e) {
      console.error(`offline check ${i}: ${e.message.split('\n')[0]}; status: ${await page.textContent('#net-status')}`);
      await page.screenshot({ path: `${DIR}/offline-verify-stuck.png` });
      throw e;
    }
    await page.waitForFunction((n) => performance.getEntriesByName('campus-pass:offline-verify').length > n, before);
    if ((await page.getAttribute('#verdict', 'data-reason')) === 'ok') allowed += 1;
  }
  const ms = await page.evaluate(() => performance.getEntriesByName('campus-pass:offline-verify').map((e) => e.duration));
  await context.close();
  return { roster_passes: rosterSize, allowed, ...stats(ms) };
}

async function cameraToVerdict() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [...flags, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${VIDEO}`],
  });
  try {
    const { context, page } = await phone(browser, 'guard.cookie');
    await context.grantPermissions(['camera'], { origin: BASE });
    await page.goto(BASE + '/scan');
    await page.waitForSelector('body[data-hydrated]', { timeout: 60000 });
    const n = Math.min(SAMPLES, 20);
    let allowed = 0;
    for (let i = 0; i < n; i++) {
      const before = await page.evaluate(() => performance.getEntriesByName('campus-pass:camera-to-verdict').length);
      await page.click('#camera-start');
      await page.waitForFunction((k) => performance.getEntriesByName('campus-pass:camera-to-verdict').length > k, before, { timeout: 30000 });
      if ((await page.getAttribute('#verdict', 'data-reason')) === 'ok') allowed += 1;
      await page.click('#camera-stop');
      await page.waitForTimeout(200);
    }
    const ms = await page.evaluate(() => performance.getEntriesByName('campus-pass:camera-to-verdict').map((e) => e.duration));
    return { allowed, ...stats(ms) };
  } finally {
    await browser.close();
  }
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: flags });
try {
  // Each measure on its own: one that fails is reported, the others still run.
  const measure = async (f) => {
    try {
      return await f();
    } catch (e) {
      console.error(e);
      return { error: e.message.split('\n')[0] };
    }
  };
  const pages = [];
  for (const entry of (process.env.PAGES ?? '/apply:visitor /scan:guard').split(/\s+/).filter(Boolean)) {
    const [page, who] = entry.split(':');
    const cookieFile = who ? `${who}.cookie` : null;
    const result = await measure(async () => {
      let path = page;
      if (page === '/approvals/first') {
        const r = await fetch(`${BASE}/api/fn/approval_inbox`, {
          method: 'POST', headers: { 'content-type': 'application/json', cookie: `cp_session=${readFileSync(`${DIR}/${cookieFile}`, 'utf8').trim()}` }, body: '{}',
        });
        const inbox = await r.json();
        if (!Array.isArray(inbox) || !inbox.length) throw new Error(`the approver's inbox is empty (${r.status})`);
        path = `/approvals/${inbox[0].id}`;
      }
      return firstLoad(browser, path, cookieFile);
    });
    pages.push({ page, ...result });
  }
  const out = {
    pages,
    apply: pages.find((p) => p.page === '/apply'),
    scan: pages.find((p) => p.page === '/scan'),
    offline_verify: await measure(() => offlineVerify(browser)),
    camera_to_verdict: VIDEO ? await measure(cameraToVerdict) : null,
  };
  console.log(JSON.stringify(out));
} finally {
  await browser.close();
}
