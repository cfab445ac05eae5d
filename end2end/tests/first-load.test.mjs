import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { brotliCompressSync, constants } from 'node:zlib';
import { launch, phone, BASE } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// The performance budget of a phone's first visit on 4G: all JS + WASM
// of the visitor's form and the guard's scanner, brotli, at most 200 KB
// each (the benchmark harness reports it; this keeps a change from
// quietly growing it). A size, not a timing.
// Every page people open on a phone: the visitor's form and pass, the
// scanner, sign-in, the resident and staff forms, their applications and
// an application's page, the approvers' inbox. The manual admission form,
// the privacy notice and a visitor's own data (each in a page bundle of
// its own, 140.9–196.9 KB) are measured by the benchmark harness: with any
// of them added here, the manual-admission journey after this file failed
// its offline navigation (net::ERR_FAILED) — three times now, each time
// this list grew past eight pages; not understood yet.
for (const path of ['/apply', '/scan', '/sign-in', '/resident', '/staff-pass', '/applications', '/applications/x', '/approvals']) {
  test(`the first load of ${path} stays within 200 KB of JS and WASM (brotli)`, async () => {
    const { context, page } = await phone(browser);
    const files = [];
    page.on('response', async (r) => {
      if (!/\.(js|wasm)$/.test(new URL(r.url()).pathname)) return;
      const body = await r.body().catch(() => null);
      if (body) files.push({ url: r.url(), brotli: brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length });
    });
    await page.goto(BASE + path);
    await page.waitForSelector('body[data-hydrated]', { timeout: 20000 });
    await page.waitForLoadState('networkidle');
    await context.close();
    const total = files.reduce((s, f) => s + f.brotli, 0);
    assert.ok(files.some((f) => f.url.endsWith('.wasm')), 'a wasm bundle was loaded');
    assert.ok(total <= 200 * 1024, `${path}: ${total} bytes brotli in ${files.map((f) => f.url).join(', ')}`);
    console.log(`${path}: ${(total / 1024).toFixed(1)} KB brotli in ${files.length} files`);
  });
}
