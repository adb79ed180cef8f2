import { useEffect, useRef, useState } from 'react';
import type { ServerMessage } from '../../../contract/ws';
import { RealtimeClient, type ConnectionState } from './realtime';
import type { SessionStore } from './session';

export interface UseRealtimeOptions {
  session: SessionStore;
  topic?: string;
  subscriptions?: readonly string[];
  /** False keeps the socket closed (e.g. until the job id is known). */
  enabled?: boolean;
}

/**
 * One `RealtimeClient` for the lifetime of a component (re-created when the topic or the
 * subscriptions change). `onMessage` may change every render; the latest one is called.
 */
export function useRealtime(opts: UseRealtimeOptions, onMessage: (msg: ServerMessage) => void) {
  const { session, topic, subscriptions = [], enabled = true } = opts;
  const [state, setState] = useState<ConnectionState>('closed');
  const [client, setClient] = useState<RealtimeClient | null>(null);
  const handler = useRef(onMessage);
  handler.current = onMessage;
  const subsKey = subscriptions.join(' ');

  useEffect(() => {
    if (!enabled) return;
    const c = new RealtimeClient({ session, topic, subscriptions: subsKey ? subsKey.split(' ') : [] });
    const offState = c.onState(setState);
    const offMsg = c.onMessage((m) => handler.current(m));
    c.start();
    setState(c.state);
    setClient(c);
    return () => {
      offState();
      offMsg();
      c.stop();
      setClient(null);
    };
  }, [session, topic, subsKey, enabled]);

  return { state, client };
}
