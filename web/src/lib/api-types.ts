import type { DriverStatus, JobStatus, Role } from '../../../contract/enums';

/**
 * Response shapes of the HTTP API as the web apps read them (SPEC §7). The request
 * schemas live in contract/api.ts; these belong there too once the Worker exports
 * response schemas — until then they are declared here, only as wide as the UI needs.
 */

export interface SessionUser {
  id: string;
  email: string;
  role: Role;
  full_name: string;
}

export interface TokenResponse {
  user: SessionUser;
  access_token: string;
  refresh_token: string;
  /** Seconds the access token stays valid. */
  expires_in: number;
}

export interface Job {
  id: string;
  status: JobStatus;
  customer_id: string;
  driver_id: string | null;
  location_id: string | null;
  job_address: string;
  lat: number;
  lng: number;
  driveway_tier_id: number;
  quoted_price_cents: number | null;
  final_price_cents: number | null;
  special_instructions?: string | null;
  requested_at: string;
  scheduled_for: string | null;
  assigned_at: string | null;
  arrived_at: string | null;
  started_at: string | null;
  completed_at: string | null;
  cancelled_at: string | null;
  completion_photo_url: string | null;
  version?: number;
}

export interface ServiceLocation {
  id: string;
  label: string | null;
  address_line1: string;
  address_line2: string | null;
  city: string;
  state_province: string;
  postal_code: string;
  lat: number;
  lng: number;
  is_default: boolean;
}

export interface PricingTier {
  id: number;
  tier_label: string;
  price_cents: number;
  sort_order: number;
}

export interface Driver {
  id: string;
  user_id: string;
  full_name: string;
  status: DriverStatus;
  lat: number | null;
  lng: number | null;
  location_updated_at: string | null;
}

/** `GET /customers/me/jobs/:id/driver-location` (the polling fallback). */
export interface DriverFix {
  lat: number;
  lng: number;
  accuracy: number | null;
  heading?: number | null;
  speed?: number | null;
  recorded_at: string;
  received_at: string;
}

export interface WaitlistEntry {
  id: string;
  lat: number;
  lng: number;
  [key: string]: unknown;
}
