import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type { DriverStatus } from '../../../contract/enums';
import type { ServerMessage } from '../../../contract/ws';
import type { Driver, OperatorSettings, ServiceArea } from '../../../contract/responses';
import { useResource } from '../lib/hooks';
import type { ConnectionState } from '../lib/realtime';
import { toast } from '../lib/toast';
import { useRealtime } from '../lib/use-realtime';
import { getServiceArea, getSettings, listDrivers } from './admin-api';
import { session } from './session';
import { strings } from './strings';

/** What the admin screens share: the dispatch socket, drivers and their live positions, settings. */

export interface LivePosition {
  lat: number;
  lng: number;
  /** Device time of the fix (ISO). */
  ts: string;
}

export interface AdminData {
  connection: ConnectionState;
  drivers: (Driver & { email?: string; is_active?: boolean })[] | undefined;
  driversError: unknown;
  reloadDrivers: () => void;
  live: Record<string, LivePosition>;
  /** Bumped (debounced) whenever a socket message says jobs changed: screens reload on it. */
  jobsVersion: number;
  bumpJobs: () => void;
  serviceArea: ServiceArea | null | undefined;
  reloadServiceArea: () => void;
  settings: OperatorSettings | null | undefined;
  setSettings: (s: OperatorSettings) => void;
}

const Ctx = createContext<AdminData | null>(null);
export const useAdmin = (): AdminData => {
  const v = useContext(Ctx);
  if (!v) throw new Error('useAdmin outside AdminDataProvider');
  return v;
};

const SUBSCRIPTIONS = ['admin:dispatch'] as const;
const RELOAD_DEBOUNCE_MS = 250;

export function AdminDataProvider({ children }: { children: ReactNode }) {
  const drivers = useResource((signal) => listDrivers(signal), 'drivers');
  const area = useResource((signal) => getServiceArea(signal), 'area');
  const settings = useResource((signal) => getSettings(signal), 'settings');
  const [live, setLive] = useState<Record<string, LivePosition>>({});
  const [jobsVersion, setJobsVersion] = useState(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);
  const bumpJobs = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      timer.current = null;
      setJobsVersion((v) => v + 1);
    }, RELOAD_DEBOUNCE_MS);
  }, []);

  const onMessage = useCallback(
    (msg: ServerMessage) => {
      const type = msg.type as string;
      if (msg.type === 'new_job_request') {
        toast.show({ kind: 'info', message: strings.board.newRequest(msg.payload.address) });
        bumpJobs();
      } else if (
        msg.type === 'job_status' ||
        msg.type === 'job_assigned' ||
        msg.type === 'job_cancelled' ||
        ['job_updated', 'waitlist_changed', 'invoice_changed', 'auto_dispatch'].includes(type)
      ) {
        bumpJobs();
        if (msg.type === 'job_status') drivers.reload();
      } else if (msg.type === 'driver_location') {
        const p = msg.payload;
        setLive((cur) =>
          cur[p.driver_id] && Date.parse(cur[p.driver_id]!.ts) >= Date.parse(p.ts)
            ? cur
            : { ...cur, [p.driver_id]: { lat: p.lat, lng: p.lng, ts: p.ts } },
        );
      } else if (msg.type === 'driver_status_change') {
        const p = msg.payload;
        drivers.setData((list) =>
          (list ?? []).map((d) => (d.id === p.driver_id ? { ...d, status: p.status as DriverStatus } : d)),
        );
      } else if (type === 'settings_changed') {
        settings.reload();
      }
    },
    [bumpJobs, drivers.reload, drivers.setData, settings.reload],
  );
  const { state } = useRealtime({ session, subscriptions: SUBSCRIPTIONS }, onMessage);

  const value: AdminData = {
    connection: state,
    drivers: drivers.data,
    driversError: drivers.error,
    reloadDrivers: drivers.reload,
    live,
    jobsVersion,
    bumpJobs,
    serviceArea: area.data,
    reloadServiceArea: area.reload,
    settings: settings.data,
    setSettings: (s) => settings.setData(s),
  };
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}
