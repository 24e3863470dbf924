// The campaign templates library (LostChurn 25–26): starting points a merchant copies and edits.
// Every template's emails use only the placeholders the renderer fills (checked by a test), and
// its schedule keeps to the email plan (at most three emails per failed payment, a day apart).
import { DEFAULT_SEQUENCE } from "~/domain/dunning/default-sequence";
import type { CampaignFilters, CampaignTrigger } from "./model";

export interface CampaignTemplate {
  id: string;
  name: string;
  description: string;
  trigger: CampaignTrigger;
  filters: CampaignFilters;
  steps: ReadonlyArray<{ delayHours: number; subjectTemplate: string; bodyTemplate: string }>;
}

const sign = "\n\nThanks,\n{{merchant_name}}";

export const CAMPAIGN_TEMPLATES: readonly CampaignTemplate[] = [
  {
    id: "tmpl_standard_dunning",
    name: "Standard recovery",
    description: "Three emails over two weeks for every failed payment: friendly, then clearer, then final. Recoup's default.",
    trigger: "payment_failed",
    filters: {},
    steps: DEFAULT_SEQUENCE.steps,
  },
  {
    id: "tmpl_soft_decline",
    name: "Soft decline recovery",
    description: "For temporary declines (insufficient funds, limits, processing errors): retries usually win these, so the first email waits for them.",
    trigger: "soft_decline",
    filters: {},
    steps: [
      {
        delayHours: 96,
        subjectTemplate: "We'll try your {{merchant_name}} payment again",
        bodyTemplate: `Hi {{customer_name}},\n\nYour payment of {{amount}} didn't go through ({{decline_reason}}). Nothing to do if your card is fine: we'll try again on {{retry_date}}.\n\nIf you'd rather use another card:\n\n{{update_payment_url}}${sign}`,
      },
      {
        delayHours: 240,
        subjectTemplate: "Your {{merchant_name}} payment is still outstanding",
        bodyTemplate: `Hi {{customer_name}},\n\nWe still couldn't collect {{amount}}. Updating your card takes a minute:\n\n{{update_payment_url}}${sign}`,
      },
    ],
  },
  {
    id: "tmpl_hard_decline",
    name: "Card update needed",
    description: "For declines a retry cannot fix (stolen, closed or blocked cards): ask for a new card at once, then remind twice.",
    trigger: "payment_failed",
    filters: { decline_categories: ["hard_customer"] },
    steps: [
      {
        delayHours: 0,
        subjectTemplate: "Please update your card for {{merchant_name}}",
        bodyTemplate: `Hi {{customer_name}},\n\nYour bank declined {{amount}} ({{decline_reason}}), and the card won't work again. Please add a new one so your subscription carries on:\n\n{{update_payment_url}}${sign}`,
      },
      {
        delayHours: 96,
        subjectTemplate: "Reminder: your {{merchant_name}} card needs updating",
        bodyTemplate: `Hi {{customer_name}},\n\nA quick reminder that {{amount}} is still due. Update your card here:\n\n{{update_payment_url}}${sign}`,
      },
      {
        delayHours: 240,
        subjectTemplate: "Last reminder: your {{merchant_name}} subscription",
        bodyTemplate: `Hi {{customer_name}},\n\nThis is our last reminder about {{amount}}. Without a new card your subscription may end.\n\n{{update_payment_url}}${sign}`,
      },
    ],
  },
  {
    id: "tmpl_card_expired",
    name: "Expired card",
    description: "For payments declined because the card expired: the customer only needs to enter the new expiry date or card.",
    trigger: "card_expired",
    filters: {},
    steps: [
      {
        delayHours: 0,
        subjectTemplate: "Your card on file with {{merchant_name}} has expired",
        bodyTemplate: `Hi {{customer_name}},\n\nThe card we charge for your {{merchant_name}} subscription has expired, so {{amount}} couldn't go through. Add your new card here:\n\n{{update_payment_url}}${sign}`,
      },
      {
        delayHours: 120,
        subjectTemplate: "Still need your new card details",
        bodyTemplate: `Hi {{customer_name}},\n\n{{amount}} is still due on your {{merchant_name}} subscription. Update your card:\n\n{{update_payment_url}}${sign}`,
      },
    ],
  },
  {
    id: "tmpl_high_value",
    name: "High-value customer",
    description: "For large payments: a personal tone, an early first note and a longer window before the last reminder.",
    trigger: "high_value_churn",
    filters: {},
    steps: [
      {
        delayHours: 24,
        subjectTemplate: "A problem with your {{merchant_name}} payment",
        bodyTemplate: `Hi {{customer_name}},\n\nYour payment of {{amount}} didn't go through ({{decline_reason}}). We'll try again on {{retry_date}}; if your card has changed you can update it here:\n\n{{update_payment_url}}\n\nJust reply to this email if anything is unclear: a person reads it.${sign}`,
      },
      {
        delayHours: 168,
        subjectTemplate: "Can we help with your {{merchant_name}} payment?",
        bodyTemplate: `Hi {{customer_name}},\n\n{{amount}} is still outstanding. Update your card here, or reply and we'll sort it out together:\n\n{{update_payment_url}}${sign}`,
      },
      {
        delayHours: 408,
        subjectTemplate: "Your {{merchant_name}} subscription is at risk",
        bodyTemplate: `Hi {{customer_name}},\n\nWe haven't been able to collect {{amount}}. Please update your card so we can keep your account running:\n\n{{update_payment_url}}${sign}`,
      },
    ],
  },
  {
    id: "tmpl_repeated_failure",
    name: "Repeated failures",
    description: "For customers whose payments failed before in the last 90 days: go straight to a card update.",
    trigger: "repeated_failure",
    filters: {},
    steps: [
      {
        delayHours: 24,
        subjectTemplate: "Your {{merchant_name}} payment failed again",
        bodyTemplate: `Hi {{customer_name}},\n\nThis is the second time recently that your payment didn't go through ({{decline_reason}}). A new card would stop this happening:\n\n{{update_payment_url}}${sign}`,
      },
      {
        delayHours: 192,
        subjectTemplate: "Last reminder: {{amount}} due to {{merchant_name}}",
        bodyTemplate: `Hi {{customer_name}},\n\n{{amount}} is still outstanding. Update your card:\n\n{{update_payment_url}}${sign}`,
      },
    ],
  },
  {
    id: "tmpl_pre_dunning",
    name: "Card expiring soon",
    description: "Before anything fails: customers whose card on file expires this month or next are asked to add their new one. Skipped when the card network already refreshed it.",
    trigger: "card_expiring",
    filters: {},
    steps: [
      {
        delayHours: 0,
        subjectTemplate: "Your card for {{merchant_name}} expires soon",
        bodyTemplate: `Hi {{customer_name}},\n\nThe card we charge for your {{merchant_name}} subscription expires soon ({{decline_reason}}). Add your new card now so nothing is interrupted:\n\n{{update_payment_url}}${sign}`,
      },
      {
        delayHours: 168,
        subjectTemplate: "Reminder: update your card for {{merchant_name}}",
        bodyTemplate: `Hi {{customer_name}},\n\nA quick reminder: your card expires at {{retry_date}}. Updating it takes a minute:\n\n{{update_payment_url}}${sign}`,
      },
    ],
  },
];

export function findTemplate(id: string): CampaignTemplate | undefined {
  return CAMPAIGN_TEMPLATES.find((t) => t.id === id);
}
