import { useEffect, useRef, useState } from 'react';
import type { LocationPing } from '../../../contract/ws';
import { newClientEventId } from '../lib/hooks';
import type { ConnectionState, RealtimeClient } from '../lib/realtime';

/**
 * Streams the phone's position over the driver's socket while `active` (SPEC §2: every
 * 5–10 s on a job). Fixes come from `watchPosition`; at most one is sent per
 * MIN_INTERVAL_MS (the newest wins), and a driver standing still is re-read every
 * REFRESH_MS so the customer's "updated … ago" keeps moving. Each ping carries the
 * device time of its fix and a client_event_id, so the server can order and de-duplicate.
 */

export const MIN_INTERVAL_MS = 5_000;
const REFRESH_MS = 10_000;

export interface Fix {
  lat: number;
  lng: number;
  accuracy: number | null;
  heading: number | null;
  speed: number | null;
  /** Device time of the fix, epoch ms. */
  timestamp: number;
}

export type GpsStatus = 'idle' | 'waiting' | 'sharing' | 'denied' | 'unavailable';

export interface GpsState {
  status: GpsStatus;
  fix: Fix | null;
  lastSentAt: number | null;
  /** The newest fix could not be sent yet (socket down). */
  unsent: boolean;
}

const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

/** A fix as the wire's `location_ping` payload (ranges of contract/ws.ts LocationPing). */
export function toPing(fix: Fix): LocationPing {
  const ping: LocationPing = {
    lat: fix.lat,
    lng: fix.lng,
    recorded_at: new Date(fix.timestamp).toISOString(),
    client_event_id: newClientEventId('gps'),
  };
  if (finite(fix.accuracy)) ping.accuracy = Math.min(100_000, Math.max(0, fix.accuracy));
  if (finite(fix.heading) && fix.heading >= 0 && fix.heading <= 360) ping.heading = fix.heading;
  if (finite(fix.speed) && fix.speed >= 0) ping.speed = Math.min(200, fix.speed);
  return ping;
}

function fromPosition(p: GeolocationPosition): Fix {
  const c = p.coords;
  return {
    lat: c.latitude,
    lng: c.longitude,
    accuracy: c.accuracy,
    heading: c.heading,
    speed: c.speed,
    timestamp: p.timestamp || Date.now(),
  };
}

/**
 * `onUnsent` receives each fix that could not go out live (no socket, no network): the
 * driver app puts it in the offline outbox, which replays it in order later.
 */
export function useGpsStream(
  client: RealtimeClient | null,
  connection: ConnectionState,
  active: boolean,
  onUnsent?: (ping: LocationPing) => void,
): GpsState {
  const [state, setState] = useState<GpsState>({ status: 'idle', fix: null, lastSentAt: null, unsent: false });
  const clientRef = useRef(client);
  clientRef.current = client;
  const unsentRef = useRef(onUnsent);
  unsentRef.current = onUnsent;
  const latest = useRef<Fix | null>(null);
  const sentTimestamp = useRef<number | null>(null);
  const lastSentAt = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const flush = useRef(() => {
    const fix = latest.current;
    if (!fix || fix.timestamp === sentTimestamp.current) return;
    const ping = toPing(fix);
    const sent = clientRef.current?.send({ type: 'location_ping', payload: ping }) ?? false;
    if (sent) {
      sentTimestamp.current = fix.timestamp;
      lastSentAt.current = Date.now();
      setState((s) => ({ ...s, lastSentAt: lastSentAt.current, unsent: false }));
    } else {
      if (unsentRef.current) {
        // Kept for the replay: this fix is "sent" as far as the live stream is concerned.
        unsentRef.current(ping);
        sentTimestamp.current = fix.timestamp;
        lastSentAt.current = Date.now();
      }
      setState((s) => (s.unsent ? s : { ...s, unsent: true }));
    }
  }).current;

  useEffect(() => {
    if (!active) {
      setState((s) => ({ ...s, status: 'idle' }));
      return;
    }
    if (!('geolocation' in navigator)) {
      setState((s) => ({ ...s, status: 'unavailable' }));
      return;
    }
    setState((s) => ({ ...s, status: s.fix ? 'sharing' : 'waiting' }));
    const onFix = (p: GeolocationPosition) => {
      const fix = fromPosition(p);
      if (latest.current && fix.timestamp <= latest.current.timestamp) return;
      latest.current = fix;
      setState((s) => ({ ...s, status: 'sharing', fix }));
      const wait = lastSentAt.current + MIN_INTERVAL_MS - Date.now();
      if (wait <= 0) flush();
      else if (!timer.current) {
        timer.current = setTimeout(() => {
          timer.current = null;
          flush();
        }, wait);
      }
    };
    const onError = (e: GeolocationPositionError) => {
      if (e.code === e.PERMISSION_DENIED) setState((s) => ({ ...s, status: 'denied' }));
      // TIMEOUT / POSITION_UNAVAILABLE: keep watching; the next fix clears it.
    };
    const opts: PositionOptions = { enableHighAccuracy: true, maximumAge: 5_000, timeout: 30_000 };
    const watch = navigator.geolocation.watchPosition(onFix, onError, opts);
    const refresh = setInterval(() => {
      const last = latest.current?.timestamp ?? 0;
      if (Date.now() - last >= REFRESH_MS)
        navigator.geolocation.getCurrentPosition(onFix, onError, { ...opts, maximumAge: 0 });
    }, REFRESH_MS);
    return () => {
      navigator.geolocation.clearWatch(watch);
      clearInterval(refresh);
      if (timer.current) clearTimeout(timer.current);
      timer.current = null;
    };
  }, [active, flush]);

  // Back online: send the newest fix at once.
  useEffect(() => {
    if (active && connection === 'open') {
      setState((s) => (s.unsent ? { ...s, unsent: false } : s));
      flush();
    }
  }, [active, connection, flush]);

  return state;
}
