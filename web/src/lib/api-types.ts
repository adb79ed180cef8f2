import type {
  ContractKind,
  ContractSlaKind,
  ContractStatus,
  DriverStatus,
  JobStatus,
  Role,
} from '../../../contract/enums';
import type { InchBand } from '../../../contract/storm-rules';

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

/** `GET /drivers/me`: the profile the onboarding screen edits (`PATCH /drivers/me`). */
export interface DriverProfile extends Driver {
  email?: string;
  phone?: string | null;
  vehicle_type: string | null;
  vehicle_make: string | null;
  vehicle_model: string | null;
  vehicle_year: number | null;
  license_plate: string | null;
  service_radius_km: number | null;
  paypal_link: string | null;
  venmo_link: string | null;
  qr_image_url: string | null;
}

export interface StatusEvent {
  previous_status: JobStatus | null;
  new_status: JobStatus;
  changed_by_user_id: string | null;
  notes: string | null;
  created_at: string;
  recorded_at?: string | null;
}

export interface PriceChange {
  id: string;
  job_id: string;
  changed_by_user_id: string;
  old_price_cents: number;
  new_price_cents: number;
  changed_at: string;
}

export type { InvoiceStatus } from '../../../contract/enums';
import type { InvoiceStatus } from '../../../contract/enums';

export interface Invoice {
  id: string;
  job_id: string;
  customer_id: string;
  status: InvoiceStatus;
  subtotal_cents: number;
  tax_cents: number;
  total_cents: number;
  issued_at: string | null;
  paid_at?: string | null;
  due_at?: string | null;
  created_at: string;
  number?: string;
  paid_cents?: number;
  refund_cents?: number;
  balance_due_cents?: number;
  job_address?: string;
  customer_name?: string;
}

export interface Payment {
  id: string;
  job_id: string;
  invoice_id: string | null;
  method: string;
  amount_cents: number;
  recorded_at: string;
}

export interface WaitlistItem {
  id: string;
  customer_id: string;
  location_id: string | null;
  job_address: string;
  lat: number;
  lng: number;
  driveway_tier_id: number | null;
  notes: string | null;
  status: 'waiting' | 'promoted' | 'expired' | 'cancelled';
  promoted_job_id: string | null;
  created_at: string;
  contact_email?: string | null;
  contact_phone?: string | null;
}

export interface BoardCard {
  id: string;
  status: JobStatus;
  version: number;
  customer_id: string;
  customer_name: string;
  driver_id: string | null;
  driver_name: string | null;
  job_address: string;
  lat: number;
  lng: number;
  price_cents: number;
  special_instructions: string | null;
  requested_at: string;
  scheduled_for: string | null;
  assigned_at: string | null;
  completed_at: string | null;
  cancelled_at: string | null;
  allowed_next: JobStatus[];
  invoice_status?: InvoiceStatus | null;
  balance_due_cents?: number | null;
}

export interface BoardColumn {
  status: JobStatus;
  count: number;
  total_price_cents: number;
  cards: BoardCard[];
  truncated: boolean;
}

export interface ServiceArea {
  id?: string;
  home_base_address: string;
  lat: number;
  lng: number;
  radius_miles: number;
  is_active?: boolean;
}

export interface AdminTier {
  id?: number;
  tier_label: string;
  price_cents: number;
  sort_order: number;
  is_active: boolean;
}

export interface OperatorSettings {
  business_name: string | null;
  timezone: string;
  accepting_jobs: boolean;
  auto_dispatch: boolean;
  tax_rate_bps: number;
  onboarded_at?: string | null;
}

export interface Dashboard {
  today: string;
  jobs_by_status: Record<JobStatus, number>;
  drivers_by_status: Record<DriverStatus, number>;
  active_drivers: number;
  waitlist_size: number;
  today_revenue_cents: number;
  today_payments: number;
  today_jobs: { requested: number; completed: number; cancelled: number };
}

export interface JobsReport {
  from: string;
  to: string;
  days: { day: string; requested: number; completed: number; cancelled: number; completed_value_cents: number }[];
  totals: { requested: number; completed: number; cancelled: number; completed_value_cents: number };
}

export interface RevenueReport {
  from: string;
  to: string;
  days: {
    day: string;
    collected_cents: number;
    refunds_cents: number;
    net_cents: number;
    payments: number;
    invoiced_cents: number;
  }[];
  totals: {
    collected_cents: number;
    refunds_cents: number;
    net_cents: number;
    payments: number;
    invoiced_cents: number;
  };
  by_method: Record<string, number>;
}

export interface CustomerSummary {
  id: string;
  user_id?: string;
  full_name: string;
  email: string;
  phone?: string | null;
  created_at?: string;
  jobs_count?: number;
  [key: string]: unknown;
}

export interface CustomerProfile {
  id: string;
  full_name: string;
  email: string;
  phone: string | null;
  email_verified_at?: string | null;
  phone_verified_at?: string | null;
  preferred_contact?: string;
  [key: string]: unknown;
}

export interface NotificationRow {
  id: string;
  kind: string;
  channel: string;
  status: string;
  recipient: string;
  subject: string | null;
  body: string;
  provider: string | null;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}

export interface AuditEntry {
  id: string;
  created_at: string;
  action: string;
  entity_type: string;
  entity_id: string | null;
  actor_email: string | null;
  actor_name: string | null;
  ip: string | null;
}

/** A service contract (`GET /admin/contracts`, `GET /customers/me/contracts`). */
export interface Contract {
  id: string;
  customer_id: string;
  location_id: string;
  customer_name?: string;
  address: string;
  location_label: string | null;
  kind: ContractKind;
  status: ContractStatus;
  service_type: 'residential' | 'commercial';
  trigger_depth_in: number;
  per_push_price_cents: number | null;
  per_inch_bands: InchBand[] | null;
  seasonal_price_cents: number | null;
  installment_count: number | null;
  sla_kind: ContractSlaKind;
  sla_open_by: string | null;
  sla_within_hours: number | null;
  season_start: string;
  season_end: string;
  driver_notes: string | null;
  accepted_at: string | null;
  installments: { seq: number; due_on: string; amount_cents: number }[];
}
