// What a merchant may change in Settings, with the limits and the reasons for them in the
// merchant's words: these messages are shown beside the fields as they are.
import { IANAZone } from "luxon";
import { z } from "zod";

/**
 * The bounds of the retry policy. Recoup also enforces the card networks' own caps on every
 * retry (app/domain/recovery/policy.ts), whatever is set here; these keep a setting from
 * promising more than the networks allow.
 */
export const RETRY_LIMITS = {
  // Visa allows 20 reattempts per card in 30 days and Mastercard 10 declines per card in 24 hours,
  // counted across every retrier (Stripe's, the customer's, ours): 10 of our own leaves room for theirs.
  maxRetries: { min: 1, max: 10 },
  // Under a week is too short for a payday to come round; past 35 days Mastercard's 30-day
  // windows have rolled over and the customer has usually moved on.
  retryWindowDays: { min: 7, max: 35 },
} as const;

const hour = (what: string, max: number) =>
  z
    .number({ error: `${what} must be an hour from 0 to ${max}.` })
    .int({ error: `${what} must be a whole hour.` })
    .min(0, { error: `${what} must be an hour from 0 to ${max}.` })
    .max(max, { error: `${what} must be an hour from 0 to ${max}.` });

export const TimezoneSchema = z
  .string({ error: "Choose a timezone." })
  .trim()
  .min(1, { error: "Choose a timezone." })
  .refine((zone) => IANAZone.isValidZone(zone), { error: "Choose a timezone from the list, such as Europe/Paris or America/New_York." });

/** Retries between these local hours: [start, end), so 8–11 means 08:00 to 10:59. */
export const PreferredHoursSchema = z
  .tuple([hour("The first hour", 23), hour("The last hour", 24)], { error: "Choose the hours to retry in." })
  .refine(([start, end]) => start < end, { error: "The retry hours must end after they start (for example 8 to 11)." });

/** Nothing is scheduled in these local hours; they may run past midnight (21 to 8). */
export const QuietHoursSchema = z
  .object(
    { start: hour("Quiet hours' start", 23), end: hour("Quiet hours' end", 23) },
    { error: "Choose when quiet hours start and end." },
  )
  .refine((q) => q.start !== q.end, { error: "Quiet hours must start and end at different hours.", path: ["end"] });

const { maxRetries, retryWindowDays } = RETRY_LIMITS;

/** A change to the retry policy: only the fields sent change. */
export const RetryPolicyPatchSchema = z
  .object({
    maxRetries: z
      .number({ error: "Enter a number of retries." })
      .int({ error: "Enter a whole number of retries." })
      .min(maxRetries.min, { error: `Recoup retries at least ${maxRetries.min} time.` })
      .max(maxRetries.max, {
        error: `At most ${maxRetries.max} retries: card networks cap the attempts on one card (Visa 20 in 30 days, Mastercard 10 declines in 24 hours), and Stripe's and your customer's attempts count too.`,
      }),
    retryWindowDays: z
      .number({ error: "Enter a number of days." })
      .int({ error: "Enter a whole number of days." })
      .min(retryWindowDays.min, { error: `Retry for at least ${retryWindowDays.min} days, so that a payday falls inside the window.` })
      .max(retryWindowDays.max, {
        error: `Retry for at most ${retryWindowDays.max} days: card networks count attempts over 30 days, and later retries rarely succeed.`,
      }),
    preferredLocalHours: PreferredHoursSchema,
    paydayAware: z.boolean({ error: "Choose whether to aim for paydays." }),
    quietHours: QuietHoursSchema.nullable(),
  })
  .partial()
  .strict();

export type RetryPolicyPatch = z.infer<typeof RetryPolicyPatchSchema>;

// Form fields arrive as strings; an empty one clears the setting.
const blankToNull = (value: unknown) => (typeof value === "string" && value.trim() === "" ? null : value);

/** Sender and branding: a field left out is unchanged, an empty one is cleared. */
export const SenderAndBrandingSchema = z
  .object({
    senderName: z.preprocess(
      blankToNull,
      z
        .string()
        .trim()
        .max(80, { error: "Keep the sender name under 80 characters." })
        // It becomes the From header's display name.
        .refine((name) => !/[\p{Cc}<>"]/u.test(name), { error: "The sender name can't contain line breaks, quotes or angle brackets." })
        .nullable(),
    ),
    replyTo: z.preprocess(
      blankToNull,
      z
        .string()
        .trim()
        .toLowerCase()
        .pipe(z.email({ error: "Enter an email address, such as billing@yourshop.com." }))
        .nullable(),
    ),
    brandColor: z.preprocess(
      blankToNull,
      z
        .string()
        .trim()
        .toLowerCase()
        .regex(/^#[0-9a-f]{6}$/, { error: "Enter a colour as # and six hex digits, such as #1a56db." })
        .nullable(),
    ),
    logoUrl: z.preprocess(
      blankToNull,
      z
        .string()
        .trim()
        .max(2000, { error: "This logo address is too long." })
        .refine(
          (url) => {
            try {
              return new URL(url).protocol === "https:";
            } catch {
              return false;
            }
          },
          // Mail clients and browsers block images served over plain http on https pages.
          { error: "Enter the logo's full address, starting with https://." },
        )
        .nullable(),
    ),
  })
  .partial()
  .strict();

export type SenderAndBranding = z.infer<typeof SenderAndBrandingSchema>;

export const InviteRoleSchema = z.enum(["admin", "member"], { error: "Choose a role: admin or member." });

export const InviteSchema = z.object({
  email: z
    .string({ error: "Enter the email address to invite." })
    .trim()
    .toLowerCase()
    .pipe(z.email({ error: "Enter an email address, such as sam@yourshop.com." })),
  role: InviteRoleSchema.default("member"),
});
