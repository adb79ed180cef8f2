/**
 * The SMS opt-in wording, exactly as the apps show it next to the checkbox and as it is
 * stored on the account (`users.sms_consent_text`) when someone ticks it. Changing the
 * wording changes what new opt-ins record; earlier ones keep the text they agreed to.
 */
export const SMS_CONSENT_TEXT =
  'Yes, text me about my plowing jobs (driver on the way, arrived, done) at the phone number above. ' +
  'Message and data rates may apply. Message frequency varies. Reply STOP to opt out, HELP for help. ' +
  'Consent is not a condition of service.';

/** `users.sms_consent_source` of an opt-in texted as START (an in-app opt-in records the client IP). */
export const SMS_CONSENT_BY_TEXT = 'sms:START';
