import type { Role } from '../contract/enums';

/** Who may call a route: nobody signed in required, or one of the roles. */
export type Access = 'public' | readonly Role[];

const ANY: readonly Role[] = ['driver', 'customer', 'admin'];
const ADMIN: readonly Role[] = ['admin'];
const DRIVER: readonly Role[] = ['driver'];
const CUSTOMER: readonly Role[] = ['customer'];

/**
 * Every HTTP route and the roles allowed to call it — the one table the auth middleware
 * enforces. A route missing here answers 403 for everyone (fail closed), and the
 * authorization test fails, so a new route cannot ship open by accident. Ownership
 * (own job, own location) is checked in the handlers and answers 404.
 */
export const ACCESS: Record<string, Access> = {
  'GET /healthz': 'public',
  'GET /readyz': 'public',
  'GET /ws': ANY,

  'POST /api/v1/auth/register': 'public',
  'POST /api/v1/auth/login': 'public',
  'POST /api/v1/auth/refresh': 'public',
  'POST /api/v1/auth/logout': 'public', // an expired access token must not stop a sign-out
  'POST /api/v1/auth/logout-all': ANY,
  'GET /api/v1/auth/me': ANY,
  'POST /api/v1/auth/change-password': ANY,
  'POST /api/v1/auth/request-password-reset': 'public',
  'POST /api/v1/auth/reset-password': 'public',
  'POST /api/v1/auth/request-magic-link': 'public',
  'POST /api/v1/auth/magic-link': 'public',
  'POST /api/v1/auth/request-email-verification': 'public',
  'POST /api/v1/auth/verify-email': 'public', // the emailed token is the credential
  'POST /api/v1/auth/request-phone-code': ANY,
  'POST /api/v1/auth/verify-phone': ANY,
  'POST /api/v1/auth/accept-invite': 'public',
  // Public here because a new admin enrols with the token from their invitation; the
  // handler requires an admin session or that token (worker/routes/auth-totp.ts).
  'POST /api/v1/auth/totp/enrol': 'public',
  'POST /api/v1/auth/totp/confirm': 'public',

  'POST /api/v1/admin/invites': ADMIN,
  'POST /api/v1/admin/users/:id/suspend': ADMIN,
  'POST /api/v1/admin/users/:id/activate': ADMIN,
  'GET /api/v1/admin/audit-log': ADMIN,

  'GET /api/v1/pricing/tiers': 'public',
  'POST /api/v1/pricing/estimate': ['customer', 'admin'],
  'GET /api/v1/addresses/suggest': ['customer', 'admin'],

  'GET /api/v1/customers/me/locations': CUSTOMER,
  'POST /api/v1/customers/me/locations': CUSTOMER,
  'GET /api/v1/customers/me/jobs/:id/driver-location': CUSTOMER,
  'GET /api/v1/customers/me/jobs/:id/route-eta': CUSTOMER,
  'GET /api/v1/customers/me/jobs/:id/contact': CUSTOMER,

  'POST /api/v1/jobs': ['customer', 'admin'],
  'GET /api/v1/jobs': ADMIN,
  'GET /api/v1/jobs/:id': ANY,
  'DELETE /api/v1/jobs/:id': ['customer', 'admin'],
  'GET /api/v1/jobs/:id/status-history': ANY,
  'POST /api/v1/jobs/:id/assign': ADMIN,

  'GET /api/v1/drivers': ADMIN,
  'GET /api/v1/drivers/me': DRIVER,
  'PATCH /api/v1/drivers/me/status': DRIVER,
  'GET /api/v1/drivers/me/jobs': DRIVER,
  'GET /api/v1/drivers/me/history': DRIVER,
  'GET /api/v1/drivers/me/history/days': DRIVER,
  'POST /api/v1/drivers/me/jobs/:id/accept': DRIVER,
  'POST /api/v1/drivers/me/jobs/:id/reject': DRIVER,
  'PATCH /api/v1/drivers/me/jobs/:id/status': DRIVER,

  // ---- operator setup, dispatch, waitlist, billing, reports ----
  'GET /api/v1/admin/service-area': ADMIN,
  'PUT /api/v1/admin/service-area': ADMIN,
  'GET /api/v1/admin/pricing/tiers': ADMIN,
  'PUT /api/v1/admin/pricing/tiers': ADMIN,
  'GET /api/v1/admin/settings': ADMIN,
  'PATCH /api/v1/admin/settings': ADMIN,
  'GET /api/v1/admin/dashboard': ADMIN,
  'GET /api/v1/admin/reports/jobs': ADMIN,
  'GET /api/v1/admin/reports/revenue': ADMIN,
  'GET /api/v1/admin/exports': ADMIN,
  'GET /api/v1/admin/board': ADMIN,
  'GET /api/v1/admin/customers': ADMIN,

  'GET /api/v1/customers/me': CUSTOMER,
  'PATCH /api/v1/customers/me': CUSTOMER,
  'DELETE /api/v1/customers/me': CUSTOMER,
  'PATCH /api/v1/customers/me/locations/:id': CUSTOMER,
  'DELETE /api/v1/customers/me/locations/:id': CUSTOMER,
  'GET /api/v1/customers/me/jobs': CUSTOMER,
  'GET /api/v1/customers/me/jobs/:id': CUSTOMER,
  'PATCH /api/v1/customers/me/jobs/:id': CUSTOMER,
  'GET /api/v1/customers/me/waitlist': CUSTOMER,
  'DELETE /api/v1/customers/me/waitlist/:id': CUSTOMER,
  'GET /api/v1/customers/me/invoices': CUSTOMER,

  'PATCH /api/v1/jobs/:id': ADMIN,
  'PATCH /api/v1/jobs/:id/status': ADMIN,
  'POST /api/v1/jobs/:id/reassign': ADMIN,
  'POST /api/v1/jobs/:id/dispute': ADMIN,
  'POST /api/v1/jobs/:id/dispute/resolve': ADMIN,
  'GET /api/v1/jobs/:id/disputes': ['customer', 'admin'],
  'GET /api/v1/jobs/:id/time-on-site': ANY,
  'GET /api/v1/jobs/:id/evidence': ['customer', 'admin'],
  'GET /api/v1/jobs/:id/evidence.pdf': ['customer', 'admin'],
  // Proof-of-service photos: the job's driver or an admin adds them; whoever sees the job reads them.
  'POST /api/v1/jobs/:id/photos': ['driver', 'admin'],
  'GET /api/v1/jobs/:id/photos': ANY,
  'POST /api/v1/jobs/:id/price': ['driver', 'admin'],
  'GET /api/v1/jobs/:id/price-changes': ANY,

  'GET /api/v1/waitlist': ['admin', 'driver'],
  'POST /api/v1/waitlist/:id/take': DRIVER,
  'POST /api/v1/waitlist/:id/assign': ADMIN,
  'POST /api/v1/waitlist/:id/promote': ADMIN,
  'DELETE /api/v1/waitlist/:id': ADMIN,

  'PATCH /api/v1/drivers/me': DRIVER,
  'GET /api/v1/drivers/me/jobs/:id': DRIVER,
  'POST /api/v1/drivers/me/jobs/:id/payment': DRIVER,
  'GET /api/v1/drivers/me/jobs/:id/contact': DRIVER,
  'DELETE /api/v1/drivers/me/payments/:id': DRIVER,
  'GET /api/v1/drivers/:id': ADMIN,

  'GET /api/v1/invoices': ADMIN,
  'GET /api/v1/invoices/:id': ['customer', 'admin'],
  'POST /api/v1/invoices/:id/void': ADMIN,
  'POST /api/v1/invoices/:id/refund': ADMIN,
  'POST /api/v1/invoices/:id/payments': ADMIN,
  'POST /api/v1/invoices/:id/resend': ADMIN,
  // Files in R2: the signed URL is the grant on /files/*.
  'POST /api/v1/uploads/presign': ANY,
  'POST /api/v1/files/sign': ANY,
  'PUT /files/upload/*': 'public',
  'GET /files/*': 'public',
  // Basemap archives: public map data every map screen reads, signed in or not (decision 0084).
  'GET /tiles/:name': 'public',
  'GET /api/v1/invoices/:id/pdf': ['customer', 'admin'],

  // Notifications: provider webhooks are authenticated by their signatures.
  'GET /api/v1/push/vapid-public-key': 'public',
  'POST /api/v1/push/subscriptions': ANY,
  'DELETE /api/v1/push/subscriptions': ANY,
  'POST /api/v1/webhooks/twilio/inbound': 'public',
  'POST /api/v1/webhooks/twilio/status': 'public',
  'POST /api/v1/webhooks/resend': 'public',
  'GET /api/v1/admin/notifications': ADMIN,
  'POST /api/v1/admin/notifications/:id/retry': ADMIN,

  // The OpenAPI document (SPEC §4), generated from the zod schemas: public, it holds no data.
  'GET /api/v1/openapi.json': 'public',

  // ---- observability: the operator's health view ----
  'GET /api/v1/admin/health': ADMIN,

  // ---- storm operations: service contracts, phone-in customers, storm events ----
  'POST /api/v1/admin/customers': ADMIN,
  'GET /api/v1/admin/customers/:id/locations': ADMIN,
  'GET /api/v1/admin/contracts': ADMIN,
  'POST /api/v1/admin/contracts': ADMIN,
  'PATCH /api/v1/admin/contracts/:id': ADMIN,
  'GET /api/v1/customers/me/contracts': CUSTOMER,
  'POST /api/v1/customers/me/contracts/:id/accept': CUSTOMER,
  'GET /api/v1/admin/storms': ADMIN,
  'POST /api/v1/admin/storms': ADMIN,
  'POST /api/v1/admin/storms/:id/depth': ADMIN,
  'POST /api/v1/admin/storms/:id/close': ADMIN,
  'GET /api/v1/admin/storms/:id/summary': ADMIN,
  'GET /api/v1/admin/storms/:id/evidence': ADMIN,
  'GET /api/v1/admin/storms/:id/evidence.pdf': ADMIN,

  // ---- storm routes (docs/decisions/0070) ----
  'POST /api/v1/admin/storms/:id/plan': ADMIN,
  'GET /api/v1/admin/storms/:id/routes': ADMIN,
  'POST /api/v1/admin/route-stops/:jobId/move': ADMIN,
  'POST /api/v1/admin/jobs/bulk': ADMIN,
  'GET /api/v1/admin/storms/:id/eta-accuracy': ADMIN,
  'GET /api/v1/drivers/me/route': DRIVER,
};

export const accessKey = (method: string, path: string) => `${method.toUpperCase()} ${path}`;
