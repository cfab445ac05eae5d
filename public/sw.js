// Campus Pass service worker: keeps the guard's scanner page and a holder's
// pass page loadable with the network off, after a restart too. The pass
// page (`/p`, its link in the fragment) is one frame for every pass; the
// page keeps each pass it showed in the phone's local storage. Pages are
// network-first (the server's answer whenever it gives one within a few
// seconds), hashed /pkg assets cache-first. Nothing else is touched: server
// functions and the API always go to the network.
'use strict';

// v3: pass pages are no longer stored one per link (v2 kept each pass's HTML).
const CACHE = 'campus-pass-v3';
const OFFLINE_PAGES = [/^\/scan$/, /^\/s$/, /^\/p$/, /^\/scan\/manual$/];
const STATIC = [/^\/pkg\//, /^\/icons\//, /^\/manifest\.webmanifest$/];

const keepPage = (path) => OFFLINE_PAGES.some((re) => re.test(path));
// A WeChat scan lands on /s; it is the scanner page under another name.
const pageKey = (path) => (path === '/s' ? '/scan' : path);

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms);
    promise.then((v) => { clearTimeout(timer); resolve(v); }, (e) => { clearTimeout(timer); reject(e); });
  });
}

const assetsOf = (html) => [...new Set(html.match(/\/pkg\/[^"'\s)<>]+/g) || [])];

// Stores a page and the assets it loads, so it also hydrates offline.
// Assets that no stored page names any more (older builds) are dropped; a
// pass page stored before a new build keeps the assets it hydrates with.
async function storePage(path, response) {
  const cache = await caches.open(CACHE);
  const html = await response.clone().text();
  await cache.put(pageKey(path), response);
  for (const a of assetsOf(html)) {
    if (!(await cache.match(a))) {
      try {
        const r = await fetch(a);
        if (r.ok) await cache.put(a, r);
      } catch (_) { /* fetched again next time */ }
    }
  }
  const keep = new Set();
  const requests = await cache.keys();
  for (const req of requests) {
    if (!new URL(req.url).pathname.startsWith('/pkg/')) {
      const page = await cache.match(req);
      if (page) for (const a of assetsOf(await page.text())) keep.add(a);
    }
  }
  for (const req of requests) {
    const p = new URL(req.url).pathname;
    if (p.startsWith('/pkg/') && !keep.has(p)) await cache.delete(req);
  }
}

// The manual admission form goes with the scanner: a guard who never
// opened it online still has it when the system is down. Fetched once, in
// the background (the scanner's own answer never waits for it); opening
// the form online refreshes it like any page.
async function storeManualForm() {
  if (await caches.match('/scan/manual')) return;
  try {
    const r = await withTimeout(fetch('/scan/manual', { credentials: 'same-origin' }), 10000);
    if (r.ok && !r.redirected) await storePage('/scan/manual', r);
  } catch (_) { /* stored on a later visit */ }
}

async function page(request) {
  const path = new URL(request.url).pathname;
  try {
    const response = await withTimeout(fetch(request), 4000);
    if (response.ok && !response.redirected) {
      await storePage(path, response.clone());
    }
    return response;
  } catch (err) {
    const cached = await caches.match(pageKey(path));
    if (cached) return cached;
    throw err;
  }
}

async function asset(request) {
  const cached = await caches.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) {
    const cache = await caches.open(CACHE);
    await cache.put(request, response.clone());
  }
  return response;
}

// The page that registered us was loaded before we ran: store it (and the
// manual form, for the scanner) while installing, so that by the time we
// control the page everything it needs offline is stored. Activation stays
// short: navigations made while a worker activates wait for it to finish.
self.addEventListener('install', (event) => {
  self.skipWaiting();
  event.waitUntil((async () => {
    for (const client of await self.clients.matchAll({ type: 'window', includeUncontrolled: true })) {
      const path = new URL(client.url).pathname;
      if (keepPage(path)) {
        try {
          const r = await withTimeout(fetch(path, { credentials: 'same-origin' }), 10000);
          if (r.ok && !r.redirected) await storePage(path, r);
        } catch (_) { /* offline already: stored on the next visit */ }
        if (pageKey(path) === '/scan') await storeManualForm();
      }
    }
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name);
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate' && keepPage(url.pathname)) {
    event.respondWith(page(request));
    if (pageKey(url.pathname) === '/scan') event.waitUntil(storeManualForm());
  } else if (STATIC.some((re) => re.test(url.pathname))) {
    event.respondWith(asset(request));
  }
});
