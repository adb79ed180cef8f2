/// <reference lib="webworker" />
import { clientsClaim } from 'workbox-core';
import { ExpirationPlugin } from 'workbox-expiration';
import { createHandlerBoundToURL, precacheAndRoute, type PrecacheEntry } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { CacheFirst } from 'workbox-strategies';

/**
 * The driver app's service worker (registered only by the driver app, web/src/driver/pwa.ts).
 *
 * - Precaches the driver's closure of the build (vite.config.ts computes it), so `/driver`
 *   starts with no signal at all: the last known job is in IndexedDB, changes go to the outbox.
 * - Navigations under /driver get the network first (fresh deploys) and fall back to the
 *   precached app shell when offline.
 * - Other hashed assets (customer map chunk…) are cached after first use.
 * - Web Push: assignment alerts while the app is in the background.
 */

declare let self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (PrecacheEntry | string)[] };

self.skipWaiting();
clientsClaim();

precacheAndRoute(self.__WB_MANIFEST);

const shell = createHandlerBoundToURL('/index.html');
const NETWORK_TIMEOUT_MS = 3_000;

registerRoute(
  new NavigationRoute(
    async (options) => {
      try {
        const response = await Promise.race([
          fetch(options.request),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error('slow network')), NETWORK_TIMEOUT_MS)),
        ]);
        if (response.ok) return response;
      } catch {
        // offline or too slow: the app shell from the precache
      }
      return shell(options);
    },
    { allowlist: [/^\/driver(\/|$)/] },
  ),
);

registerRoute(
  ({ url, request }) =>
    url.origin === self.location.origin && url.pathname.startsWith('/assets/') && request.method === 'GET',
  new CacheFirst({
    cacheName: 'plow-assets',
    plugins: [new ExpirationPlugin({ maxEntries: 60, maxAgeSeconds: 30 * 24 * 3600 })],
  }),
);

interface PushPayload {
  title?: string;
  body?: string;
  url?: string;
  tag?: string;
  job_id?: string;
}

self.addEventListener('push', (event) => {
  let data: PushPayload = {};
  try {
    data = (event.data?.json() ?? {}) as PushPayload;
  } catch {
    data = { body: event.data?.text() };
  }
  const title = data.title ?? 'PlowDispatch';
  event.waitUntil(
    self.registration.showNotification(title, {
      body: data.body ?? 'You have a new job.',
      tag: data.tag ?? (data.job_id ? `job-${data.job_id}` : 'plowdispatch'),
      icon: '/icons/icon-192.png',
      badge: '/icons/icon-192.png',
      data: { url: data.url ?? '/driver/' },
      requireInteraction: true,
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const target = new URL(
    (event.notification.data as { url?: string } | undefined)?.url ?? '/driver/',
    self.location.origin,
  ).href;
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const existing = windows.find((w) => new URL(w.url).pathname.startsWith('/driver'));
      if (existing) {
        await existing.focus();
        if ('navigate' in existing) await existing.navigate(target).catch(() => undefined);
        return;
      }
      await self.clients.openWindow(target);
    })(),
  );
});

self.addEventListener('message', (event) => {
  if ((event.data as { type?: string } | null)?.type === 'SKIP_WAITING') void self.skipWaiting();
});
