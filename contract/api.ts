import { z } from 'zod';
import { CONTACT_PREFERENCES, DRIVER_SETTABLE_STATUSES, JOB_STATUSES, PAYMENT_METHODS } from './enums';
import { FIELD_MAX, FIELD_MESSAGES } from './field-messages';

/**
 * Request schemas for the HTTP API, shared by the Worker (validation) and the web apps
 * (forms). Field names are snake_case, money is integer cents, times ISO-8601 (SPEC §4).
 */

const text = (max: number) => z.string().trim().min(1).max(max);
export const uuid = z.uuid({ message: FIELD_MESSAGES.choose });
export const isoDateTime = z.iso.datetime({ offset: true, message: FIELD_MESSAGES.dateTime });
export const lat = z.number().min(-90).max(90);
export const lng = z.number().min(-180).max(180);
export const clientEventId = z
  .string()
  .trim()
  .min(8)
  .max(80)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _.:- only');
export const email = z
  .string()
  .trim()
  .max(FIELD_MAX.email)
  .toLowerCase()
  .pipe(z.email({ message: FIELD_MESSAGES.email }));
/** NIST 800-63b: length, not composition. The upper bound keeps hashing cost bounded. */
export const password = z.string().min(10, FIELD_MESSAGES.password).max(FIELD_MAX.password);
/** A mobile number in E.164 form; the spaces, dashes, dots and brackets people type are dropped first. */
export const phone = z
  .string()
  .max(FIELD_MAX.phone, FIELD_MESSAGES.phone)
  .overwrite((s) => s.replace(/[\s().-]/g, ''))
  .regex(/^\+[1-9]\d{6,14}$/, FIELD_MESSAGES.phone);
export const moneyCents = z.number().int().min(0).max(10_000_000);
/** A Postgres `integer` key (pricing tier ids): bigger numbers would overflow in SQL, not just miss. */
export const intId = z.number().int().positive().max(2_147_483_647);

// ---- auth ----
export const RegisterBody = z.object({
  email,
  password,
  full_name: text(FIELD_MAX.name),
  phone: phone.optional(),
  /** Ticked the SMS opt-in (contract/sms-consent.ts); recorded with the time and the client IP. */
  sms_consent: z.boolean().optional(),
});
/** Change the password while signed in: the current one proves it is the account holder. */
export const ChangePasswordBody = z.object({
  current_password: z.string().min(1).max(256),
  new_password: password,
});
export const LoginBody = z.object({
  email,
  password: z.string().min(1).max(256),
  totp_code: z
    .string()
    .trim()
    .regex(/^(\d{6}|[A-Za-z0-9-]{8,20})$/, 'a 6-digit code or a recovery code')
    .optional(),
  device_info: z.string().max(200).optional(),
});
export const RefreshBody = z.object({ refresh_token: z.string().min(20).max(200) });
/** A one-time token from an emailed link (base64url). */
export const oneTimeToken = z
  .string()
  .min(20)
  .max(200)
  .regex(/^[A-Za-z0-9_-]+$/, 'is not a token this service issued');
export const sixDigits = z
  .string()
  .trim()
  .regex(/^\d{6}$/, FIELD_MESSAGES.code);
/** request-password-reset, request-magic-link, request-email-verification: always 202. */
export const EmailBody = z.object({ email });
export const TokenBody = z.object({ token: oneTimeToken });
export const ResetPasswordBody = z.object({ token: oneTimeToken, password });
export const AcceptInviteBody = z.object({ token: oneTimeToken, password });
export const PhoneCodeBody = z.object({ phone: phone.optional() });
export const VerifyPhoneBody = z.object({ code: sixDigits });
/**
 * Start TOTP enrolment: an admin signed in (re-enrolling needs `current_code` from the
 * old authenticator) or a first admin holding an `enrol_token` from their invitation.
 */
export const TotpEnrolBody = z.object({ enrol_token: oneTimeToken.optional(), current_code: sixDigits.optional() });
export const TotpConfirmBody = z.object({ code: sixDigits, enrol_token: oneTimeToken.optional() });
export const InviteBody = z.object({
  email,
  full_name: text(FIELD_MAX.name),
  role: z.enum(['driver', 'admin']),
  phone: phone.optional(),
});
export const AuditLogQuery = z.object({
  action: z.string().trim().max(100).optional(),
  entity_type: z.string().trim().max(50).optional(),
  entity_id: z.string().trim().max(100).optional(),
  actor_user_id: uuid.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

// ---- customers ----
export const LocationBody = z
  .object({
    label: text(FIELD_MAX.locationLabel).optional(),
    address_line1: text(FIELD_MAX.addressLine),
    address_line2: z.string().trim().max(FIELD_MAX.addressLine).optional(),
    city: text(FIELD_MAX.city),
    state_province: text(FIELD_MAX.stateProvince),
    postal_code: text(FIELD_MAX.postalCode),
    country: z.string().trim().length(2).toUpperCase().optional(),
    lat: lat.optional(),
    lng: lng.optional(),
    is_default: z.boolean().optional(),
  })
  .refine((b) => (b.lat === undefined) === (b.lng === undefined), {
    message: 'lat and lng go together',
    path: ['lat'],
  });

/** What a person has typed into an address field so far; suggestions start at three characters. */
export const AddressSuggestQuery = z.object({ q: z.string().trim().min(3).max(200) });

// ---- pricing ----
export const EstimateBody = z.union([
  z.object({ driveway_tier_id: intId, location_id: uuid }),
  z.object({ driveway_tier_id: intId, lat, lng }),
]);

// ---- jobs ----
export const CreateJobBody = z.object({
  location_id: uuid,
  driveway_tier_id: intId,
  special_instructions: z.string().trim().max(FIELD_MAX.instructions).optional(),
  scheduled_for: isoDateTime.optional(),
  client_event_id: clientEventId.optional(),
  customer_id: uuid.optional(), // admin-entered jobs name the customer
});
export const AssignBody = z.object({ driver_id: uuid, expected_version: z.number().int().min(0).optional() });
export const RejectBody = z.object({ reason: z.string().trim().max(500).optional() });
export const CancelBody = z.object({ reason: z.string().trim().max(500).optional() });
export const DriverStatusBody = z.object({ status: z.enum(DRIVER_SETTABLE_STATUSES) });
export const JobStatusBody = z.object({
  status: z.enum(JOB_STATUSES),
  notes: z.string().trim().max(1000).optional(),
  lat: lat.optional(),
  lng: lng.optional(),
  recorded_at: isoDateTime.optional(),
  completion_photo_url: z.string().max(2000).optional(),
  client_event_id: clientEventId.optional(),
});
export const JobListQuery = z.object({
  status: z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (!s) return undefined;
      const parts = s.split(',');
      for (const p of parts) {
        if (!(JOB_STATUSES as readonly string[]).includes(p)) {
          ctx.addIssue({ code: 'custom', message: `unknown status "${p}"` });
          return z.NEVER;
        }
      }
      return parts as (typeof JOB_STATUSES)[number][];
    })
    .meta({ description: `Comma-separated, any of: ${JOB_STATUSES.join(', ')}.` }),
  driver_id: uuid.optional(),
  customer_id: uuid.optional(),
  /** requested_at range, ISO-8601: from inclusive, to exclusive. */
  from: isoDateTime.optional(),
  to: isoDateTime.optional(),
  /** Free text: address, customer name or email. */
  q: z.string().trim().min(1).max(100).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
/** Recorded in person by the driver, at most the balance due; `client_event_id` makes an offline replay count once. */
export const PaymentBody = z.object({
  method: z.enum(PAYMENT_METHODS),
  amount_cents: moneyCents.refine((n) => n > 0, 'must be more than zero').optional(),
  client_event_id: clientEventId.optional(),
});
export const PriceChangeBody = z.object({ new_price_cents: moneyCents });
export const ContactPreference = z.enum(CONTACT_PREFERENCES);

export type RegisterBody = z.infer<typeof RegisterBody>;
export type LocationBody = z.infer<typeof LocationBody>;
export type CreateJobBody = z.infer<typeof CreateJobBody>;
export type JobStatusBody = z.infer<typeof JobStatusBody>;
