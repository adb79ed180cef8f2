import type { z } from 'zod';
import {
  AcceptInviteBody,
  AssignBody,
  ChangePasswordBody,
  AuditLogQuery,
  CancelBody,
  CreateJobBody,
  DriverStatusBody,
  EmailBody,
  AddressSuggestQuery,
  EstimateBody,
  InviteBody,
  JobListQuery,
  JobStatusBody,
  LocationBody,
  LoginBody,
  PaymentBody,
  PhoneCodeBody,
  PriceChangeBody,
  RefreshBody,
  RegisterBody,
  RejectBody,
  ResetPasswordBody,
  TokenBody,
  TotpConfirmBody,
  TotpEnrolBody,
  VerifyPhoneBody,
} from '../../contract/api';
import {
  AdminCustomersQuery,
  AdminJobStatusBody,
  BulkJobsBody,
  BoardQuery,
  ExportQuery,
  CursorQuery,
  CustomerJobsQuery,
  CustomerPatch,
  DisputeBody,
  DisputeResolveBody,
  DriverListQuery,
  DriverPatch,
  InvoiceListQuery,
  CustomerJobPatchBody,
  JobPatchBody,
  JobPhotoBody,
  LocationPatch,
  ReassignBody,
  RefundBody,
  ReportQuery,
  ServiceAreaBody,
  SettingsPatch,
  TiersBody,
  VoidBody,
  WaitlistAssignBody,
  WaitlistQuery,
} from '../../contract/api-domain';
import {
  NotificationListQuery,
  PresignBody,
  PushSubscriptionBody,
  PushUnsubscribeBody,
  ResendEvent,
  SignFileBody,
} from '../../contract/background';
import {
  AdminCustomerBody,
  ContractBody,
  ContractListQuery,
  ContractPatch,
  StormBody,
  StormDepthBody,
} from '../../contract/storm-ops';
import { MoveStopBody, PlanStormBody } from '../../contract/routes';
import { ClientMessage, ServerMessage, Topic } from '../../contract/ws';
import { PAYMENT_UNDO_MINUTES } from '../../contract/money';

/** The refusals an operation can document; each has a shared response in the document. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 411 | 413 | 415 | 416 | 422 | 426 | 429 | 503;

/** A query parameter the handler reads without `readQuery` (signed URLs, the socket's token). */
export interface ExtraQueryParam {
  name: string;
  description: string;
  required?: boolean;
  schema?: z.ZodType;
}

/**
 * What the OpenAPI document says about one route beyond its ACCESS entry. `body` and
 * `query` are the very schemas the handler passes to `readJson` / `readQuery` — the Worker
 * test reads each handler's source and fails when they differ.
 */
export interface RouteDoc {
  summary: string;
  /** Markdown, when the summary is not enough. */
  description?: string;
  /** The JSON body, validated with `readJson(c, body)`. */
  body?: z.ZodType;
  /** `readJson(c, body, { optional: true })`: an empty body reads as `{}`. */
  bodyOptional?: true;
  /** The handler reads the body as text (to check a signature) and parses `body` itself: no 415. */
  readRaw?: true;
  /** A body that is not JSON (file bytes, provider form posts), by media type. */
  rawBody?: { types: readonly string[]; description: string };
  /** The query, validated with `readQuery(c, query)`; each property becomes a parameter. */
  query?: z.ZodType;
  extraQuery?: readonly ExtraQueryParam[];
  /** Public, but a bearer token changes what happens (logout, TOTP enrolment). */
  optionalAuth?: true;
  /** Success answers, status → description; default `{ 200: 'OK' }`. */
  ok?: Readonly<Record<number, string>>;
  /** Media type of a success body that is not JSON. */
  produces?: string;
  /** Refusals particular to this route; the shape-derived ones (400, 401…) are added for it. */
  errors?: Readonly<Partial<Record<ErrorStatus, string>>>;
  /** The WebSocket protocol spoken after the upgrade. */
  websocket?: { client: z.ZodType; server: z.ZodType };
}

const TOKEN_RESPONSE =
  'Token response: `{user: {id, email, role, full_name}, access_token, refresh_token, expires_in}`.';
const ACCEPTED = 'Accepted; the same answer whether or not the email has an account.';
const JOB = '`{"job": Job}`.';
const STATE_CONFLICT = 'invalid_transition (with `details.allowed`) or version_conflict.';
const TOO_LATE_AUTH = 'code_invalid, code_expired, token_invalid: the code or link is wrong, used or expired.';

/**
 * Every route of worker/access.ts, documented. Keys are the ACCESS keys; the unit test
 * fails when a key is missing here or has no ACCESS entry.
 */
export const ROUTE_DOCS: Record<string, RouteDoc> = {
  'GET /healthz': { summary: 'Liveness: the process is up (no dependencies checked).' },
  'GET /readyz': {
    summary: 'Readiness: the database answers and its migrations are the ones this build expects.',
    errors: { 503: 'The database is unreachable (with Retry-After) or migrations are pending.' },
  },
  'GET /ws': {
    summary: 'WebSocket: live job rooms, driver assignments and the dispatch channel.',
    description: [
      'Upgrade to a WebSocket (`Upgrade: websocket`). Browsers cannot set headers on the upgrade, so the access token goes in `?token=`. With `topic`, the socket joins that topic (`job:{id}`, `driver:{id}` or `admin:dispatch`, checked against the caller); without it, drivers and admins land on the dispatch channel and customers in the room of their most recent job.',
      'Messages are JSON `{"type", "payload"}` both ways: the client sends `ClientMessage`, the server sends `ServerMessage` (see `x-websocket`). On `subscribe` to `job:{id}` the server answers at once with `job_status` and, when known, the last `driver_location`. Refusals arrive as `{"type": "error", "payload": {code, message}}` and the socket stays open, unless the token is invalid or revoked: then it closes with code 4001.',
    ].join('\n\n'),
    extraQuery: [{ name: 'topic', description: 'The topic to join on connect.', schema: Topic }],
    ok: { 101: 'Switching Protocols: the socket is open.' },
    errors: {
      400: 'bad_topic: not a topic this server knows.',
      404: 'The job of the topic (or, for a customer without a topic, any job) was not found.',
      426: 'upgrade_required: not a WebSocket upgrade.',
    },
    websocket: { client: ClientMessage, server: ServerMessage },
  },

  // ---- auth ----
  'POST /api/v1/auth/register': {
    summary: 'Register a customer account.',
    description:
      'Never says whether the email or phone already has an account. A new email gets its account and an email to confirm it; an email that has one is left as it was and its holder is emailed that someone tried. With `Prefer: respond-async` both answer 202 `{status: "accepted", message}` (and `Preference-Applied: respond-async`); without it a new account answers 201 with the token response and a known email the same 202. Limited per IP like the other auth actions (429).',
    body: RegisterBody,
    ok: {
      201: `${TOKEN_RESPONSE} A new account, without \`Prefer: respond-async\`.`,
      202: '`{status: "accepted", message}`: check your email.',
    },
    errors: {
      400: 'validation_failed, or password_breached (found in a breach corpus).',
      429: 'rate_limited.',
    },
  },
  'POST /api/v1/auth/login': {
    summary: 'Sign in with email and password (admins also with a TOTP or recovery code).',
    body: LoginBody,
    ok: { 200: TOKEN_RESPONSE },
    errors: {
      401: 'invalid_credentials (also for a suspended or inactive account, whatever the password); for an admin totp_required, totp_invalid (wrong or already used code) or totp_enrolment_required.',
    },
  },
  'POST /api/v1/auth/refresh': {
    summary: 'Trade a refresh token for a new token pair (both rotated; reusing a rotated token revokes the family).',
    body: RefreshBody,
    ok: { 200: TOKEN_RESPONSE },
    errors: {
      401: 'refresh_token_invalid, refresh_token_expired, refresh_token_revoked, or refresh_token_reused (the whole family is revoked).',
    },
  },
  'POST /api/v1/auth/logout': {
    summary: 'End this session: the refresh token family and, with a bearer token, that token and its sockets.',
    description: 'Public so that a client whose access token already expired can still sign out.',
    body: RefreshBody,
    optionalAuth: true,
    ok: { 204: 'Signed out.' },
  },
  'POST /api/v1/auth/logout-all': {
    summary: 'Sign out everywhere: every device, token and open socket.',
    ok: { 204: 'Signed out everywhere.' },
  },
  'GET /api/v1/auth/me': { summary: 'The signed-in account, with what is verified.' },
  'POST /api/v1/auth/change-password': {
    summary: 'Change the password while signed in; every other sign-in of the account ends.',
    description:
      'The current password proves it is the account holder; the new one must pass the sign-up policy (length, known-breached list). Every refresh token, access token and open socket of the account is revoked, and this device gets a fresh sign-in in the answer.',
    body: ChangePasswordBody,
    ok: { 200: 'The token response of /auth/login: the new sign-in for this device.' },
    errors: {
      400: 'validation_failed, wrong_password, same_password, password_breached',
      429: 'Too many wrong passwords.',
    },
  },
  'POST /api/v1/auth/request-password-reset': {
    summary: 'Email a password-reset link.',
    body: EmailBody,
    ok: { 202: ACCEPTED },
  },
  'POST /api/v1/auth/reset-password': {
    summary: 'Set a new password from an emailed link; every session of the account ends.',
    body: ResetPasswordBody,
    ok: { 204: 'Password changed.' },
    errors: { 400: `validation_failed, password_breached, ${TOO_LATE_AUTH}` },
  },
  'POST /api/v1/auth/request-magic-link': {
    summary: 'Email a sign-in link (customers only).',
    body: EmailBody,
    ok: { 202: ACCEPTED },
  },
  'POST /api/v1/auth/magic-link': {
    summary: 'Trade a magic link (single use, 15 minutes) for a session; it also verifies the email.',
    body: TokenBody,
    ok: { 200: TOKEN_RESPONSE },
    errors: { 400: `validation_failed, ${TOO_LATE_AUTH}` },
  },
  'POST /api/v1/auth/request-email-verification': {
    summary: 'Email a verification link.',
    body: EmailBody,
    ok: { 202: ACCEPTED },
  },
  'POST /api/v1/auth/verify-email': {
    summary: 'Verify the email with the token from the link (the token is the credential).',
    body: TokenBody,
    ok: { 200: '`{"user": {...}}` with `email_verified_at` set.' },
    errors: { 400: `validation_failed, ${TOO_LATE_AUTH}` },
  },
  'POST /api/v1/auth/request-phone-code': {
    summary: "Text a 6-digit code to the account's phone, or to a new number given here.",
    body: PhoneCodeBody,
    description: 'A number another account has is treated like any other: the code goes to the phone.',
    ok: { 202: '`{status: "sent", expires_in}`.' },
  },
  'POST /api/v1/auth/verify-phone': {
    summary: 'Check the texted code; five tries in all, however many arrive at once.',
    description: 'The code proves who holds the phone now: another account that had verified the same number loses it.',
    body: VerifyPhoneBody,
    ok: { 200: '`{"user": {...}}` with `phone_verified_at` set.' },
    errors: { 400: 'validation_failed, code_invalid, code_expired or code_attempts_exceeded.' },
  },
  'POST /api/v1/auth/accept-invite': {
    summary: "Set an invited account's password and activate it.",
    description:
      'A driver is signed in at once (token response). An admin gets `totp_enrolment_token` for `POST /api/v1/auth/totp/enrol` and `/totp/confirm` instead, then signs in with password and code.',
    body: AcceptInviteBody,
    ok: { 200: `${TOKEN_RESPONSE} For an admin: \`{user, totp_enrolment_token, totp_enrolment_expires_in}\`.` },
    errors: { 400: `validation_failed, password_breached, ${TOO_LATE_AUTH}` },
  },
  'POST /api/v1/auth/totp/enrol': {
    summary: 'Start TOTP enrolment: returns the secret and an otpauth:// URI.',
    description:
      'A signed-in admin (bearer token; replacing a working factor needs `current_code`) or a new admin holding the `enrol_token` from their invitation.',
    body: TotpEnrolBody,
    bodyOptional: true,
    optionalAuth: true,
    errors: {
      400: 'validation_failed or totp_invalid (current_code).',
      401: 'enrolment_token_required or account_disabled.',
      403: 'totp_admins_only, or ip_not_allowed.',
    },
  },
  'POST /api/v1/auth/totp/confirm': {
    summary: 'Turn the pending secret on with a code from it; returns 10 recovery codes, once.',
    body: TotpConfirmBody,
    optionalAuth: true,
    errors: {
      400: 'validation_failed or totp_invalid.',
      401: 'enrolment_token_required or account_disabled.',
      409: 'totp_enrolment_missing or totp_already_enabled.',
    },
  },

  // ---- admin accounts and audit ----
  'POST /api/v1/admin/invites': {
    summary: 'Invite a driver or an admin (emailed link); re-inviting a pending email sends a fresh link.',
    body: InviteBody,
    ok: { 201: '`{"invite": {user_id, email, role, full_name, expires_at}}`.' },
    errors: { 409: 'email_taken or role_mismatch.' },
  },
  'POST /api/v1/admin/users/:id/suspend': {
    summary: 'Suspend an account and end its sessions at once (tokens refused, sockets closed with 4001).',
    errors: { 409: 'cannot_suspend_self.' },
  },
  'POST /api/v1/admin/users/:id/activate': { summary: 'Lift a suspension.' },
  'GET /api/v1/admin/audit-log': {
    summary: 'The audit log of admin actions, newest first, cursor-paged.',
    query: AuditLogQuery,
  },

  // ---- pricing ----
  'GET /api/v1/pricing/tiers': { summary: 'Active driveway tiers with prices, in order.' },
  'POST /api/v1/pricing/estimate': {
    summary: 'Quote a tier at a saved location or a point: price, whether it is in the service area, distance.',
    body: EstimateBody,
    ok: {
      200: '`{quoted_price_cents, in_service_area, distance_miles}`; outside the area too (in_service_area false), see decision 0056.',
    },
    errors: { 404: 'The location is not yours.', 422: 'unknown_tier or service_area_not_configured.' },
  },

  // ---- customers ----
  'GET /api/v1/addresses/suggest': {
    summary: 'Addresses matching what was typed, near the service area, to fill a form (decision 0086).',
    query: AddressSuggestQuery,
    ok: {
      200: '`{provider, suggestions: [{description, address_line1, city, state_province, postal_code}]}`; `provider` null and no suggestions where no geocoder offers them.',
    },
  },
  'GET /api/v1/customers/me/locations': { summary: 'Saved service locations.' },
  'POST /api/v1/customers/me/locations': {
    summary: 'Save a location; with lat/lng (a map pin) no geocoding happens. The first is the default.',
    body: LocationBody,
    ok: { 201: '`{"location": {id, …, lat, lng}}`.' },
    errors: { 422: 'geocoding_failed: the address was not found.' },
  },
  'GET /api/v1/customers/me/jobs/:id/route-eta': {
    summary: "This job's place on its driver's storm route and the estimated arrival.",
    description:
      "Updates arrive over the job's socket as `route_eta`; only this job's customer hears them, never another customer's place.",
    ok: { 200: '`{job_id, position, stops_before, eta, ts}`.', 204: 'The job is on no route.' },
  },
  'GET /api/v1/customers/me/jobs/:id/contact': {
    summary:
      "Who is coming and who to call or text: the driver's first name and vehicle, the operator's office number (never the driver's own).",
    ok: {
      200: '`{contact: {business_name, phone, live, driver: {first_name, vehicle_type, vehicle_make, vehicle_model, vehicle_year, license_plate} | null}}`; `phone` and `driver` are null unless a driver holds the job (`phone` also when the operator set no number).',
    },
  },
  'GET /api/v1/customers/me/jobs/:id/driver-location': {
    summary: "Polling fallback: the driver's current position on this job.",
    ok: { 200: '`{lat, lng, accuracy, heading, speed, recorded_at, received_at}`.', 204: 'No position yet.' },
  },

  // ---- jobs ----
  'POST /api/v1/jobs': {
    summary: 'Request a plow (a customer), or enter a request for a customer (an admin, with `customer_id`).',
    description:
      'When the operator is not taking new jobs the request joins the waitlist (202). A replay of the same `client_event_id` answers 200 with the job it created.',
    body: CreateJobBody,
    ok: {
      201: JOB,
      200: `${JOB} A replay of the same client_event_id.`,
      202: '`{"waitlist_entry": {...}}`: the operator is paused; the request waits.',
    },
    errors: {
      403: 'email_not_verified (customers verify their email before the first job).',
      404: 'The location is not yours.',
      422: 'outside_service_area, unknown_tier or service_area_not_configured; crew_booked during a storm when the crew cannot be there within the promise of the requested time (`details.earliest_at`: ask for that time or later).',
    },
  },
  'GET /api/v1/jobs': { summary: 'The dispatch list, newest first, cursor-paged, with filters.', query: JobListQuery },
  'GET /api/v1/jobs/:id': { summary: 'One job (its customer, its driver, or an admin).', ok: { 200: JOB } },
  'DELETE /api/v1/jobs/:id': {
    summary: 'Cancel: a customer before the driver is on site, an admin any time before completion.',
    body: CancelBody,
    bodyOptional: true,
    ok: { 200: JOB },
    errors: { 409: `Too late to cancel: ${STATE_CONFLICT}` },
  },
  'GET /api/v1/jobs/:id/status-history': {
    summary: 'Status events, oldest first.',
    ok: { 200: '`{"events": [{previous_status, new_status, changed_by_user_id, notes, created_at}]}`.' },
  },
  'POST /api/v1/jobs/:id/assign': {
    summary: 'Assign a pending job to a driver; of two dispatchers assigning at once, one wins.',
    body: AssignBody,
    ok: { 200: JOB },
    errors: {
      409: `Lost the race or wrong state: already_assigned, ${STATE_CONFLICT}`,
      422: 'unknown_driver or driver_suspended.',
    },
  },

  // ---- drivers ----
  'GET /api/v1/drivers': {
    summary: 'Drivers with their last batched position, by status and proximity.',
    query: DriverListQuery,
  },
  'GET /api/v1/drivers/me': { summary: "The driver's own profile.", errors: { 403: 'no_driver_profile.' } },
  'PATCH /api/v1/drivers/me/status': {
    summary: 'Availability: offline, available or break (en_route and on_job follow the job).',
    body: DriverStatusBody,
    ok: { 200: '`{"driver": {id, status}}`.' },
    errors: {
      409: 'driver_has_active_job: a job is under way or accepted and not finished; `details: {job_id, job_status}`.',
    },
  },
  'GET /api/v1/drivers/me/history': {
    summary: "The driver's own finished jobs, newest first: time on site (their taps) and the amount billed.",
    query: CursorQuery,
    ok: {
      200: '`{jobs: [{id, status, job_address, service_type, finished_at, arrived_at, completed_at, minutes_on_site, amount_cents}], next_cursor}`.',
    },
  },
  'GET /api/v1/drivers/me/history/days': {
    summary: "The driver's visits, minutes on site and amounts by the operator's local day (default the last 30).",
    query: ReportQuery,
    ok: {
      200: '`{timezone, from, to, days: [{day, jobs, minutes_on_site, amount_cents}], totals}`, newest day first.',
    },
  },
  'GET /api/v1/drivers/me/jobs': {
    summary: "The driver's queue: unfinished jobs, next first, and waitlisted requests they may take.",
  },
  'POST /api/v1/drivers/me/jobs/:id/accept': {
    summary: 'Acknowledge an assignment (the job stays assigned); accepting twice is a no-op.',
    ok: { 200: JOB },
    errors: { 409: STATE_CONFLICT },
  },
  'POST /api/v1/drivers/me/jobs/:id/reject': {
    summary: 'Decline an assignment: the job goes back to pending.',
    body: RejectBody,
    bodyOptional: true,
    ok: { 200: JOB },
    errors: { 409: STATE_CONFLICT },
  },
  'PATCH /api/v1/drivers/me/jobs/:id/status': {
    summary: 'Drive the job: en_route → arrived → in_progress → completed, with device time and GPS.',
    description: 'A replay of the same `client_event_id` (offline queue) is applied once.',
    body: JobStatusBody,
    ok: { 200: JOB },
    errors: {
      409: `${STATE_CONFLICT} Or after_photo_required: finishing needs an "after" photo (POST /jobs/:id/photos) unless the admin waived it.`,
    },
  },

  // ---- operator setup, dispatch, waitlist, billing, reports ----
  'GET /api/v1/admin/service-area': { summary: 'The home base and radius (null before onboarding).' },
  'PUT /api/v1/admin/service-area': {
    summary: 'Set the home base by address (geocoded) or pin, and the radius (1–50 mi).',
    body: ServiceAreaBody,
    errors: { 422: 'geocoding_failed.' },
  },
  'GET /api/v1/admin/pricing/tiers': {
    summary: 'All tiers (active and switched off) and the 2026 New England defaults.',
  },
  'PUT /api/v1/admin/pricing/tiers': {
    summary: 'Save the whole tier table; tiers left out are switched off, never deleted.',
    body: TiersBody,
    errors: { 422: 'unknown_tier.' },
  },
  'GET /api/v1/admin/settings': { summary: 'Business switches and settings.' },
  'PATCH /api/v1/admin/settings': {
    summary: 'Change business switches (accepting_jobs, auto_dispatch, tax rate, quiet hours…).',
    body: SettingsPatch,
  },
  'GET /api/v1/admin/dashboard': { summary: 'Dashboard counts for today.' },
  'GET /api/v1/admin/reports/jobs': {
    summary: 'Jobs requested, completed and cancelled per local day (default: the last 30 days).',
    query: ReportQuery,
  },
  'GET /api/v1/admin/reports/revenue': {
    summary: 'Money collected, refunded and invoiced per local day, and by payment method.',
    query: ReportQuery,
  },
  'GET /api/v1/admin/exports': {
    summary:
      'CSV of invoices, payments or jobs for a range of local days (default the last 30), streamed; text cells that a spreadsheet would run as a formula are neutralised.',
    query: ExportQuery,
    produces: 'text/csv',
  },
  'GET /api/v1/admin/board': {
    summary: 'The dispatch board: a column per status with counts, sums and cards.',
    query: BoardQuery,
  },
  'GET /api/v1/admin/customers': { summary: 'Customers, searchable, cursor-paged.', query: AdminCustomersQuery },

  'GET /api/v1/customers/me': { summary: "The customer's profile.", errors: { 403: 'no_customer_profile.' } },
  'DELETE /api/v1/customers/me': {
    summary: 'Delete my account: invoices and payments are kept, everything else personal is wiped.',
    description:
      'Name, email, phone, SMS consent, saved places, waitlist contacts and push subscriptions are removed; every sign-in ends and the account can no longer sign in.',
    ok: { 204: 'Deleted.' },
    errors: { 409: 'job_under_way (a job is not finished), contract_in_force (a contract this season).' },
  },
  'PATCH /api/v1/customers/me': {
    summary: 'Edit name, phone (unverified again when changed), contact preference, billing address.',
    body: CustomerPatch,
    errors: { 422: 'phone_required (SMS contact needs a phone).' },
  },
  'PATCH /api/v1/customers/me/locations/:id': {
    summary: 'Edit a location; a new address is geocoded unless a pin comes with it.',
    body: LocationPatch,
    errors: { 422: 'geocoding_failed.' },
  },
  'DELETE /api/v1/customers/me/locations/:id': {
    summary: 'Delete a location (soft); the next one becomes the default.',
    ok: { 204: 'Deleted.' },
  },
  'GET /api/v1/customers/me/jobs': { summary: 'Job history, newest first, cursor-paged.', query: CustomerJobsQuery },
  'GET /api/v1/customers/me/jobs/:id': { summary: 'One job with its timeline, price changes and invoice.' },
  'PATCH /api/v1/customers/me/jobs/:id': {
    summary:
      "Change one's own job before a driver sets out: time, instructions, tier or location (one of one's own). A new tier or location re-quotes the price (the `price_change` logged with its reason); the driver and the job's room hear `job_updated`.",
    body: CustomerJobPatchBody,
    ok: { 200: '`{job, price_change}`: `price_change` is the re-quote, or null.' },
    errors: {
      404: "not_found: not one's own job, or not one's own location.",
      409: 'job_under_way (a driver has set out), job_closed, contract_priced or version_conflict.',
      422: 'unknown_tier, outside_service_area or crew_booked.',
    },
  },
  'GET /api/v1/customers/me/waitlist': {
    summary: 'Requests made while the operator was paused, oldest first.',
    query: CursorQuery,
  },
  'DELETE /api/v1/customers/me/waitlist/:id': {
    summary: 'Withdraw a request still waiting.',
    errors: { 409: 'waitlist_not_waiting.' },
  },
  'GET /api/v1/customers/me/invoices': { summary: "The customer's invoices, newest first.", query: CursorQuery },

  'PATCH /api/v1/jobs/:id': {
    summary:
      "Admin edits: instructions, schedule, final price (logged), tier and location (one of the customer's; re-quoted from the tier prices, logged with its reason, service area checked); audited; `expected_version` turns a stale edit into 409.",
    body: JobPatchBody,
    errors: {
      404: 'not_found: the job, or a location that is not its customer’s.',
      409: 'job_closed, contract_priced, price_locked or version_conflict.',
      422: 'unknown_tier or outside_service_area.',
    },
  },
  'PATCH /api/v1/jobs/:id/status': {
    summary:
      'Admin status move through the state machine (advance for a driver, un-assign to pending, mark disputed), with a reason kept in the history and the audit log.',
    body: AdminJobStatusBody,
    ok: { 200: JOB },
    errors: { 409: STATE_CONFLICT },
  },
  'POST /api/v1/jobs/:id/dispute': {
    summary: "Mark a completed job disputed with the customer's complaint (job history, dispute record, audit log).",
    body: DisputeBody,
    ok: { 201: '`{job, dispute}`: the job is disputed.' },
    errors: { 409: STATE_CONFLICT },
  },
  'POST /api/v1/jobs/:id/dispute/resolve': {
    summary:
      "Settle the job's open dispute: upheld, credited (refunded or taken off the invoice) or re_service (a new no-charge job); the job returns to completed.",
    body: DisputeResolveBody,
    ok: { 200: '`{job, dispute, follow_up_job}`' },
    errors: { 409: STATE_CONFLICT, 422: 'credit_too_large or refund_too_large.' },
  },
  'GET /api/v1/jobs/:id/disputes': { summary: "The job's disputes and how each was settled, oldest first." },
  'GET /api/v1/jobs/:id/evidence': {
    summary:
      'Evidence pack (JSON): address, contract terms, each status with device and server time, time on site, the GPS track near the property, photos with their stamps, disputes, and the SHA-256 of the pack (stable across downloads).',
  },
  'GET /api/v1/jobs/:id/evidence.pdf': {
    summary:
      'The evidence pack as a PDF: the same content, the GPS track drawn as a plot, the photos listed with their stamps, and the JSON pack’s SHA-256 printed on every page (its customer or an admin).',
    produces: 'application/pdf',
    ok: { 200: 'The PDF; header `x-evidence-sha256` repeats the hash.' },
  },
  'POST /api/v1/jobs/:id/photos': {
    summary:
      'Record a before/after photo of the job (first upload it: presign with purpose `job_photo`, then PUT), with the phone’s capture time and GPS fix. The job’s driver or an admin.',
    description: 'Sending the same `url` again returns the first record with 200.',
    body: JobPhotoBody,
    ok: { 201: '`{photo}`', 200: '`{photo}` (already recorded)' },
    errors: {
      400: 'validation_failed: the URL is not one issued for this job, or the file is not uploaded yet.',
      409: 'invalid_state: photos are taken once the driver has arrived.',
    },
  },
  'GET /api/v1/jobs/:id/photos': {
    summary:
      'The job’s before/after photos with device time, server time and GPS fix, and `after_photo` `{required, source}`: whether finishing needs an "after" photo and whether the job or the operator setting says so.',
  },
  'GET /api/v1/jobs/:id/time-on-site': {
    summary:
      "Arrival, departure and time on site detected from the GPS log by a geofence around the property (radius by tier), beside the driver's status taps.",
  },
  'POST /api/v1/jobs/:id/reassign': {
    summary: 'Move a job that has a driver (assigned or under way) to another driver in one transaction.',
    body: ReassignBody,
    ok: { 200: JOB },
    errors: { 409: STATE_CONFLICT, 422: 'unknown_driver or driver_suspended.' },
  },
  'POST /api/v1/jobs/:id/price': {
    summary: "Set the job's price (its driver on site, or an admin); each change is logged.",
    body: PriceChangeBody,
    ok: {
      201: '`{job, price_change}`: the price changed.',
      200: '`{job, price_change: null}`: the price was already that.',
    },
    errors: { 409: 'price_locked or version_conflict.' },
  },
  'GET /api/v1/jobs/:id/price-changes': { summary: 'Who changed the price, when, from what to what — oldest first.' },

  'GET /api/v1/waitlist': {
    summary: 'Waiting requests (admins: any status, with contact details; drivers: waiting only).',
    query: WaitlistQuery,
  },
  'POST /api/v1/waitlist/:id/take': {
    summary: 'A driver takes a waiting request: it becomes a job assigned to them.',
    ok: { 201: JOB },
    errors: { 409: 'waitlist_not_waiting.' },
  },
  'POST /api/v1/waitlist/:id/assign': {
    summary: 'An admin gives a waiting request to a driver.',
    body: WaitlistAssignBody,
    ok: { 201: JOB },
    errors: { 409: 'waitlist_not_waiting.', 422: 'unknown_driver or driver_suspended.' },
  },
  'POST /api/v1/waitlist/:id/promote': {
    summary: 'An admin moves a waiting request onto the board as a pending job.',
    ok: { 201: '`{job, waitlist_entry}`.' },
    errors: { 409: 'waitlist_not_waiting.' },
  },
  'DELETE /api/v1/waitlist/:id': {
    summary: 'An admin drops a waiting request.',
    errors: { 409: 'waitlist_not_waiting.' },
  },

  'PATCH /api/v1/drivers/me': {
    summary: 'Onboarding and profile: vehicle, service radius, PayPal/Venmo links, payment QR image.',
    body: DriverPatch,
  },
  'GET /api/v1/drivers/me/jobs/:id': { summary: 'One of the driver’s jobs.', ok: { 200: JOB } },
  'GET /api/v1/drivers/me/jobs/:id/contact': {
    summary:
      "Who to call or text about a job in the driver's hands: the customer's own number when the operator allows it (drivers_call_customers), else the office's; neither once the job is finished.",
    ok: { 200: '`{"contact": DriverJobContact}`.' },
  },
  'POST /api/v1/drivers/me/jobs/:id/payment': {
    summary:
      'Record a payment collected in person (at most the balance due; without amount_cents, the balance due); the invoice is paid once covered.',
    body: PaymentBody,
    ok: { 201: '`{payment, invoice}`.', 200: '`{payment, invoice}`: a replay of the same client_event_id.' },
    errors: {
      409: 'job_not_completed, no_invoice, already_paid or invoice_closed.',
      422: 'amount_exceeds_balance: more than the balance due (details.balance_due_cents).',
    },
  },
  'DELETE /api/v1/drivers/me/payments/:id': {
    summary: `Take back a payment this driver recorded by mistake, within ${PAYMENT_UNDO_MINUTES} minutes: a reversal row for minus its amount; the invoice asks for money again and the held receipt is not sent.`,
    ok: { 200: '`{payment, invoice}`: `payment` is the reversal (also when it was already taken back).' },
    errors: {
      404: 'No such payment of this driver on this job.',
      409: 'undo_too_late (ask the office to refund it) or invoice_closed.',
    },
  },
  'GET /api/v1/drivers/:id': { summary: "One driver's profile and the jobs in their hands." },

  'GET /api/v1/invoices': {
    summary:
      'Invoices with paid_cents and balance_due_cents, by status, customer and age (older_than_days). Open invoices only (status=draft,sent): oldest first; otherwise newest first.',
    query: InvoiceListQuery,
  },
  'GET /api/v1/invoices/:id': { summary: 'One invoice with its payments (its customer or an admin).' },
  'POST /api/v1/invoices/:id/void': {
    summary: 'Void an invoice.',
    body: VoidBody,
    bodyOptional: true,
    errors: { 409: 'invalid_invoice_state.' },
  },
  'POST /api/v1/invoices/:id/refund': {
    summary:
      'Record a refund (money goes back in person): partially_refunded while part of the payments stays, refunded once all went back.',
    body: RefundBody,
    errors: { 409: 'invalid_invoice_state.', 422: 'refund_too_large.' },
  },
  'POST /api/v1/invoices/:id/payments': {
    summary:
      'Record a payment taken at the office (at most the balance due; without amount_cents, the balance due); audited.',
    body: PaymentBody,
    ok: { 201: '`{payment, invoice}`.', 200: '`{payment, invoice}`: a replay of the same client_event_id.' },
    errors: {
      409: 'job_not_completed, already_paid, invoice_closed or installment_invoice.',
      422: 'amount_exceeds_balance: more than the balance due (details.balance_due_cents).',
    },
  },
  'POST /api/v1/invoices/:id/resend': {
    summary: 'Email the customer the invoice again as it stands now (a fresh 7-day link); a draft becomes sent.',
    ok: { 200: '`{invoice, emailed}`.' },
    errors: {
      409: 'invalid_invoice_state (void) or installment_invoice.',
      422: 'no_email_recipient: the customer takes no email.',
    },
  },

  // ---- files ----
  'POST /api/v1/uploads/presign': {
    summary: 'A 5-minute signed upload URL for a completion photo or a payment QR image.',
    body: PresignBody,
    errors: {
      403: 'Only the job’s driver or an admin uploads a completion photo; only drivers a QR image.',
      409: 'invalid_state: the driver has not arrived yet.',
      413: 'size over 10 MB.',
      415: 'content_type is not JPEG, PNG or WebP.',
    },
  },
  'POST /api/v1/files/sign': {
    summary: 'A signed GET URL (10 minutes) for a file the caller may see.',
    body: SignFileBody,
    ok: { 200: '`{url, expires_in}`.' },
  },
  'PUT /files/upload/*': {
    summary: 'Upload the bytes to a signed upload URL (from POST /api/v1/uploads/presign).',
    description:
      'The signature in the query is the grant; `key` may contain slashes. Refusals come before a byte is read. A URL stores one file: once it has, it is refused with 409, and no upload replaces or removes a stored file.',
    rawBody: {
      types: ['image/jpeg', 'image/png', 'image/webp'],
      description: 'The image, of the content type the URL was signed for, with Content-Length.',
    },
    extraQuery: [
      {
        name: 'sig',
        required: true,
        description:
          'The signature; the other query parameters of the issued URL (u, p, ct, max, exp) are part of what it signs.',
      },
    ],
    ok: { 201: '`{key, public_url, size, content_type}`.' },
    errors: {
      400: 'empty_body or upload_failed.',
      403: 'invalid_signature or url_expired.',
      409: 'upload_url_used: this URL has already stored its file.',
      411: 'length_required: no Content-Length.',
      413: 'payload_too_large: over the signed limit.',
      415: 'unsupported_media_type: not the signed type, or the bytes are not that image type.',
    },
  },
  'GET /files/*': {
    summary: 'Download a private file through a signed URL (from POST /api/v1/files/sign).',
    description: '`key` may contain slashes.',
    extraQuery: [
      { name: 'exp', required: true, description: 'Expiry, Unix seconds.' },
      { name: 'sig', required: true, description: 'The signature.' },
    ],
    produces: 'application/octet-stream',
    ok: { 200: 'The file, with its stored content type.' },
    errors: { 403: 'invalid_signature or url_expired.', 404: 'No such file.' },
  },
  'GET /tiles/:name': {
    summary: 'A basemap archive (Protomaps PMTiles) from R2, whole or one byte range.',
    description:
      '`name` is like `basemap.pmtiles` (put there by `npm run tiles:load`). Send `Range: bytes=first-last` (or `bytes=first-`, `bytes=-count`) for one range; `If-None-Match` answers 304. Public: map data, read by every map screen.',
    produces: 'application/octet-stream',
    ok: { 200: 'The whole archive.', 206: 'The range asked for, with Content-Range.' },
    errors: {
      400: 'invalid_archive_name.',
      404: 'No such archive.',
      416: 'range_not_satisfiable: not one range inside the archive (Content-Range: bytes */size).',
    },
  },
  'GET /api/v1/invoices/:id/pdf': {
    summary: 'The invoice PDF (its customer or an admin).',
    produces: 'application/pdf',
    ok: { 200: 'The PDF.' },
    errors: { 404: 'not_found, or no_pdf for a seasonal installment invoice.' },
  },

  // ---- notifications ----
  'GET /api/v1/push/vapid-public-key': {
    summary: 'The VAPID public key for `applicationServerKey` (null when push is off).',
  },
  'POST /api/v1/push/subscriptions': {
    summary: "Save the browser's PushSubscription (replaces an earlier one for the same endpoint).",
    body: PushSubscriptionBody,
    ok: { 201: '`{"subscription": {...}}`.' },
  },
  'DELETE /api/v1/push/subscriptions': {
    summary: "Forget one of the caller's push subscriptions (idempotent).",
    body: PushUnsubscribeBody,
    ok: { 204: 'Forgotten.' },
  },
  'POST /api/v1/webhooks/twilio/inbound': {
    summary: 'Twilio: an incoming SMS (STOP / START keywords), signed with X-Twilio-Signature.',
    rawBody: {
      types: ['application/x-www-form-urlencoded'],
      description: "Twilio's form post (From, Body, MessageSid…).",
    },
    produces: 'text/xml',
    ok: { 200: 'Empty TwiML.' },
    errors: { 403: 'invalid_signature.', 413: 'payload_too_large.' },
  },
  'POST /api/v1/webhooks/twilio/status': {
    summary: 'Twilio: a delivery status callback, signed with X-Twilio-Signature.',
    rawBody: {
      types: ['application/x-www-form-urlencoded'],
      description: "Twilio's form post (MessageSid, MessageStatus, ErrorCode…).",
    },
    ok: { 204: 'Recorded.' },
    errors: { 403: 'invalid_signature.', 413: 'payload_too_large.' },
  },
  'POST /api/v1/webhooks/resend': {
    summary: 'Resend: an email delivery event, signed by Svix (svix-id, svix-timestamp, svix-signature).',
    description:
      'The body is checked against its signature before it is parsed, so it is read raw, not with the JSON body reader.',
    body: ResendEvent,
    readRaw: true,
    errors: { 400: 'malformed_event.', 403: 'invalid_signature.', 413: 'payload_too_large.' },
  },
  'GET /api/v1/admin/notifications': {
    summary: 'The outbox: every notification with its status, provider and errors, newest first.',
    query: NotificationListQuery,
  },
  'POST /api/v1/admin/notifications/:id/retry': {
    summary: 'Send a failed or dead notification again.',
    ok: { 202: '`{"notification": {...}}`, queued again.' },
    errors: { 404: 'No failed or dead notification with this id.' },
  },

  // ---- operations ----
  'GET /api/v1/admin/health': {
    summary:
      'The operator’s health view: database latency, migrations, notification queue and dead letters, cron runs, silent drivers, GPS-log lag (`AdminHealth` in contract/health.ts). 200 even when the database is down (status "down").',
  },

  // ---- this document ----
  'GET /api/v1/openapi.json': { summary: 'This OpenAPI 3.1 document.' },

  // ---- storm operations ----
  'POST /api/v1/admin/customers': {
    summary: 'Enter a customer who phoned in: name, phone, optional email, and their property (pin or geocoded).',
    body: AdminCustomerBody,
    ok: { 201: '`{customer, location}`.' },
    errors: { 409: 'email_taken or phone_taken.', 422: 'geocoding_failed.' },
  },
  'GET /api/v1/admin/customers/:id/locations': {
    summary: "A customer's saved places (`{locations: [Location]}`), to write a contract for one of them.",
  },
  'GET /api/v1/admin/contracts': {
    summary: 'Service contracts with their property, customer and installment schedule.',
    query: ContractListQuery,
  },
  'POST /api/v1/admin/contracts': {
    summary: "Write a service contract for one of a customer's saved locations.",
    description:
      "Kinds: `seasonal` (flat price in `installment_count` monthly installments from the season start), `per_push` (a price per visit), `per_inch` (a price per visit by depth band; bands contiguous, the last open-ended). `accepted_by_phone` records the customer's spoken acceptance; otherwise they accept in the app. Only accepted, active contracts are plowed by storms and billed.",
    body: ContractBody,
    ok: { 201: '`{"contract": Contract}`.' },
    errors: {
      409: 'contract_overlaps: the property has a contract for part of that season.',
      422: 'unknown_location, outside_service_area.',
    },
  },
  'PATCH /api/v1/admin/contracts/:id': {
    summary: 'Edit a contract; the terms are checked as a whole. Changed terms need the customer to accept again.',
    body: ContractPatch,
    errors: { 409: 'contract_overlaps or installments_invoiced (the schedule is fixed once billed).' },
  },
  'GET /api/v1/customers/me/contracts': { summary: "The customer's service contracts, with their schedules." },
  'POST /api/v1/customers/me/contracts/:id/accept': {
    summary:
      'Accept a contract (storms plow and installments bill only accepted contracts); accepting again changes nothing.',
  },
  'GET /api/v1/admin/storms': { summary: 'Recent storms, newest first, with their job counts.' },
  'POST /api/v1/admin/storms': {
    summary: 'Declare a storm: one pending job per eligible contract property, with its deadline and contract price.',
    description:
      'Eligible: contract active and accepted, trigger depth at most the storm depth, storm date inside the season. Each property gets at most one job per storm, however many declarations and raises race. A repeated `client_event_id` answers 200 with the storm it declared.',
    body: StormBody,
    ok: { 201: '`{storm, created_jobs: [Job]}`.', 200: 'The same `client_event_id` already declared this storm.' },
    errors: { 409: 'storm_active: close the open storm first.' },
  },
  'POST /api/v1/admin/storms/:id/depth': {
    summary: 'Raise the depth (never lower) and/or record when the snow ends; newly triggered properties get jobs.',
    body: StormDepthBody,
    ok: { 200: '`{storm, created_jobs: [Job]}` (only the jobs this call made).' },
    errors: { 409: 'depth_not_raised or storm_closed.' },
  },
  'POST /api/v1/admin/storms/:id/close': {
    summary:
      'Close the storm: pending and assigned jobs are cancelled as not reached; admins get the summary by email.',
    ok: { 200: '`{storm, summary}`; closing again answers the same and sends nothing.' },
  },
  'GET /api/v1/admin/storms/:id/summary': {
    summary: 'The storm report: properties done (on time / late), skipped with the reason, time on site, revenue.',
  },
  'GET /api/v1/admin/storms/:id/evidence': {
    summary:
      "The storm's evidence: each job's evidence-pack SHA-256 with a summary (status, driver, time on site, photo counts) and one SHA-256 over the whole list.",
  },
  'GET /api/v1/admin/storms/:id/evidence.pdf': {
    summary: "The storm's evidence as a PDF: one line per job with its pack hash, and the overall hash.",
    produces: 'application/pdf',
    ok: { 200: 'The PDF; header `x-evidence-sha256` repeats the overall hash.' },
  },

  // ---- storm routes ----
  'POST /api/v1/admin/storms/:id/plan': {
    summary: "Plan the storm's open jobs into one route per driver on shift; each route's first stop is assigned.",
    description:
      'Plans pending and assigned jobs (not yet en route) over the drivers on shift (`available`, `en_route`, `on_job`), or only `driver_ids`, each starting at their last position or the operator’s base. Minutes on site by service type and driveway tier, deadlines from the contract, commercial lots first. Unlocked stops are replaced; locked stops and assigned jobs stay with their driver. Each route’s first stop, if pending, is assigned to its driver; every planned job’s `route_eta` is published.',
    body: PlanStormBody,
    bodyOptional: true,
    ok: {
      200: '`{routes: [{driver_id, stops: [{job_id, position, eta, locked, status, address, deadline_at, at_risk}]}], unassigned: [{job_id, reason}]}`; `at_risk`: the estimate falls after the deadline.',
    },
    errors: {
      409: 'storm_closed.',
      422: 'driver_unavailable (with `details.driver_ids`) or no_service_area.',
    },
  },
  'GET /api/v1/admin/storms/:id/routes': {
    summary: "The storm's open routes as planned (`{routes, unassigned}`), stops in order with their ETAs.",
  },
  'POST /api/v1/admin/route-stops/:jobId/move': {
    summary: 'Move a stop to a driver (at a 1-based `position`, when given) and/or pin it, then re-plan the rest.',
    description:
      'The other stops keep their drivers and order; the moved stop’s old driver loses it (an assigned job goes back to pending first). With `locked`, later plans keep it where it is.',
    body: MoveStopBody,
    ok: { 200: '`{routes, unassigned}` after the re-plan.' },
    errors: {
      404: 'The job is not a storm job.',
      409: 'stop_under_way: the job is en route or later.',
      422: 'driver_unavailable.',
    },
  },
  'POST /api/v1/admin/jobs/bulk': {
    summary: 'Assign several jobs to one driver, or cancel several with one reason (a storm on the board).',
    description:
      'Each job changes in its own transaction exactly as its own `POST /jobs/:id/assign` or `DELETE /jobs/:id` would, and is announced the same way. A job that cannot change (moved meanwhile, already finished, not found) is reported in `results` with the status and error its own call would have answered; the others still change. `{results: [{job_id, ok, status, job?, error?}], succeeded, failed}` (schema `BulkJobsResult`).',
    body: BulkJobsBody,
    ok: { 200: '`{results, succeeded, failed}`: one result per job, in the order asked.' },
    errors: { 422: 'unknown_driver or driver_suspended: no job is touched.' },
  },
  'GET /api/v1/admin/storms/:id/eta-accuracy': {
    summary:
      'ETA accuracy of the storm’s completed route stops: `{count, median_minutes, p90_minutes}` of |completed_at − first_eta|.',
  },
  'GET /api/v1/drivers/me/route': {
    summary: "The driver's storm route: `{next: Job|null, stops: [{job_id, position, eta, address, lat, lng}]}`.",
  },
};
