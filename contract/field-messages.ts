import type { z } from 'zod';

/**
 * The longest text each field people type may hold. The API's schemas (contract/api.ts)
 * and the forms' `maxLength` both read these, so a person cannot type what the API would
 * refuse.
 */
export const FIELD_MAX = {
  name: 120,
  email: 254,
  password: 256,
  /** `+` and up to 15 digits, with room for the spaces and dashes people type. */
  phone: 24,
  locationLabel: 60,
  addressLine: 200,
  city: 100,
  stateProvince: 100,
  postalCode: 20,
  instructions: 1000,
} as const;

/**
 * What a person is told when a field they filled in is refused, in their words. The API
 * sends them as the per-field `details` of a 400 and the forms show them beside the field.
 */
export const FIELD_MESSAGES = {
  phone: 'Enter a mobile number like +1 603 555 0100',
  email: 'Enter an email address like name@example.com',
  password: 'Use at least 10 characters',
  code: 'Enter the 6-digit code',
  dateTime: 'Pick a date and time',
  date: 'Pick a date',
  required: 'Fill this in',
  choose: 'Choose one of the options',
  number: 'Enter a number',
  wholeNumber: 'Enter a whole number',
  moreThanZero: 'Enter an amount more than zero',
  tooLong: (max: number) => `Keep it to ${max} characters or fewer`,
  tooShort: (min: number) => `Use at least ${min} characters`,
  atLeast: (min: number) => `Enter ${min} or more`,
  atMost: (max: number) => `Enter ${max} or less`,
  format: 'Check what is typed here',
} as const;

type Issue = Parameters<z.core.$ZodErrorMap>[0];

/**
 * zod's error map for the issues a schema does not word itself: a refusal a person can act
 * on ("Keep it to 120 characters or fewer"), not a parser's ("Too big: expected string to
 * have <=120 characters"). Passed to every parse at the API's boundary.
 *
 * @example schema.safeParse(body, { error: peopleWords })
 */
export function peopleWords(issue: Issue): string {
  const m = FIELD_MESSAGES;
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined || issue.input === null) return m.required;
      if (issue.expected === 'number' || issue.expected === 'int' || issue.expected === 'bigint') return m.number;
      return m.format;
    case 'too_small':
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? m.required : m.tooShort(Number(issue.minimum));
      if (issue.origin === 'number' || issue.origin === 'int') return m.atLeast(Number(issue.minimum));
      return m.required;
    case 'too_big':
      if (issue.origin === 'string') return m.tooLong(Number(issue.maximum));
      if (issue.origin === 'number' || issue.origin === 'int') return m.atMost(Number(issue.maximum));
      return `Give at most ${Number(issue.maximum)}`;
    case 'invalid_format':
      if (issue.format === 'email') return m.email;
      if (issue.format === 'datetime') return m.dateTime;
      if (issue.format === 'date') return m.date;
      if (issue.format === 'uuid') return m.choose;
      return m.format;
    case 'invalid_value':
    case 'invalid_union':
      return m.choose;
    case 'not_multiple_of':
      return m.wholeNumber;
    case 'unrecognized_keys':
      return `Leave out ${issue.keys.join(', ')}`;
    default:
      return m.format;
  }
}
