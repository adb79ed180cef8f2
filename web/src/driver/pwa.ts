import { useEffect, useState } from 'react';
import { ApiError } from '../lib/api';
import { api } from './session';

/**
 * The installable side of the driver app: the service worker (offline start, push),
 * Web Push subscription for assignment alerts while the app is in the background, and
 * the browser's install prompt.
 */

/** The driver app's own scope: the service worker neither controls nor caches the other apps. */
const SW_SCOPE = '/driver/';

export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  navigator.serviceWorker
    .register('/sw.js', { scope: SW_SCOPE })
    .catch((err: unknown) => console.warn('service worker not registered', err));
  // A worker registered for the whole site by an earlier version would keep controlling
  // the customer app and the admin portal: retire it.
  void navigator.serviceWorker.getRegistrations().then((all) => {
    for (const r of all) if (new URL(r.scope).pathname === '/') void r.unregister();
  });
}

export type PushState = 'unsupported' | 'prompt' | 'enabled' | 'denied' | 'unavailable';

export function pushSupported(): boolean {
  return 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

function base64UrlToBytes(s: string): Uint8Array<ArrayBuffer> {
  const pad = '='.repeat((4 - (s.length % 4)) % 4);
  const raw = atob((s + pad).replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

/** The current state without asking the user anything. */
export async function pushState(): Promise<PushState> {
  if (!pushSupported()) return 'unsupported';
  if (Notification.permission === 'denied') return 'denied';
  const reg = await navigator.serviceWorker.getRegistration();
  const sub = await reg?.pushManager.getSubscription();
  return sub && Notification.permission === 'granted' ? 'enabled' : 'prompt';
}

/**
 * Asks for notification permission (call from a tap), subscribes with the server's VAPID
 * key and registers the subscription. 'unavailable' when the server has no push set up.
 */
export async function enablePush(): Promise<PushState> {
  if (!pushSupported()) return 'unsupported';
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return permission === 'denied' ? 'denied' : 'prompt';
  let key: string | null = null;
  try {
    key = (await api.get<{ public_key: string | null }>('/push/vapid-public-key', { auth: false })).public_key;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return 'unavailable';
    throw err;
  }
  if (!key) return 'unavailable';
  const reg = await navigator.serviceWorker.ready;
  const sub =
    (await reg.pushManager.getSubscription()) ??
    (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: base64UrlToBytes(key) }));
  await api.post('/push/subscriptions', sub.toJSON());
  return 'enabled';
}

/** Forgets this phone's subscription on the server (sign-out). Best effort. */
export async function disablePush(): Promise<void> {
  if (!pushSupported()) return;
  const reg = await navigator.serviceWorker.getRegistration();
  const sub = await reg?.pushManager.getSubscription();
  if (!sub) return;
  await api.delete('/push/subscriptions', { endpoint: sub.endpoint }).catch(() => undefined);
  await sub.unsubscribe().catch(() => undefined);
}

interface BeforeInstallPromptEvent extends Event {
  prompt(): Promise<void>;
  userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>;
}

/** The browser's install prompt, when it offers one: call the returned function from a tap. */
export function useInstallPrompt(): (() => Promise<void>) | null {
  const [event, setEvent] = useState<BeforeInstallPromptEvent | null>(null);
  useEffect(() => {
    const onPrompt = (e: Event) => {
      e.preventDefault();
      setEvent(e as BeforeInstallPromptEvent);
    };
    const onInstalled = () => setEvent(null);
    window.addEventListener('beforeinstallprompt', onPrompt);
    window.addEventListener('appinstalled', onInstalled);
    return () => {
      window.removeEventListener('beforeinstallprompt', onPrompt);
      window.removeEventListener('appinstalled', onInstalled);
    };
  }, []);
  if (!event) return null;
  return async () => {
    await event.prompt();
    await event.userChoice;
    setEvent(null);
  };
}
