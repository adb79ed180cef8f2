import type { StormSummary } from '../../../contract/storm-ops';
import type { Contract, Job, RouteStop, Storm, StormRoutes } from '../../../contract/responses';

export type { Contract, RouteStop, Storm };
import { api } from './session';

/** The admin portal's storm-operation calls: contracts, phone-in customers, storms. */

export type ContractTermsInput = Partial<
  Omit<Contract, 'id' | 'customer_name' | 'address' | 'location_label' | 'accepted_at' | 'installments'>
> & { accepted_by_phone?: boolean };

export type { StormSummary };

export const listContracts = (signal?: AbortSignal) =>
  api.get<{ contracts: Contract[] }>('/admin/contracts', { signal }).then((r) => r.contracts);
export const createContract = (body: ContractTermsInput) =>
  api.post<{ contract: Contract }>('/admin/contracts', body).then((r) => r.contract);
export const updateContract = (id: string, body: ContractTermsInput) =>
  api.patch<{ contract: Contract }>(`/admin/contracts/${id}`, body).then((r) => r.contract);
export const createPhoneInCustomer = (body: {
  full_name: string;
  phone: string;
  email?: string;
  location: { address_line1: string; city: string; state_province: string; postal_code: string; label?: string };
}) => api.post<{ customer: { id: string; full_name: string }; location: { id: string } }>('/admin/customers', body);

export const listStorms = (signal?: AbortSignal) =>
  api.get<{ storms: Storm[] }>('/admin/storms', { signal }).then((r) => r.storms);
export const declareStorm = (body: {
  name: string;
  started_at: string;
  depth_in: number;
  snowfall_end_at?: string;
  client_event_id: string;
}) => api.post<{ storm: Storm; created_jobs: Job[] }>('/admin/storms', body);
export const raiseStorm = (id: string, body: { depth_in?: number; snowfall_end_at?: string }) =>
  api.post<{ storm: Storm; created_jobs: Job[] }>(`/admin/storms/${id}/depth`, body);
export const closeStorm = (id: string) =>
  api.post<{ storm: Storm; summary: StormSummary }>(`/admin/storms/${id}/close`);
export const stormSummary = (id: string, signal?: AbortSignal) =>
  api.get<{ storm: Storm; summary: StormSummary }>(`/admin/storms/${id}/summary`, { signal });

export const stormRoutes = (id: string, signal?: AbortSignal) =>
  api.get<StormRoutes>(`/admin/storms/${id}/routes`, { signal });
export const planStorm = (id: string) => api.post<StormRoutes>(`/admin/storms/${id}/plan`, {});
export const moveStop = (jobId: string, driverId: string) =>
  api.post<StormRoutes>(`/admin/route-stops/${jobId}/move`, { driver_id: driverId, locked: true });
