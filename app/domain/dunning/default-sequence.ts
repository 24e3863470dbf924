/**
 * The sequence every new workspace starts with: friendly, then clearer, then final. Three emails on
 * days 3, 8 and 15 at the latest, planned by app/domain/recovery/email-plan.ts (never more than three
 * per failed payment, counting a card-update request; in the customer's daytime; after a retry
 * that is due anyway). ADR 0053.
 */
export const DEFAULT_SEQUENCE = {
  name: "Default recovery sequence",
  steps: [
    {
      delayHours: 72,
      subjectTemplate: "Your payment to {{merchant_name}} didn't go through",
      bodyTemplate:
        "Hi {{customer_name}},\n\nWe tried to charge {{amount}} {{currency}} for your {{merchant_name}} subscription, but the payment didn't go through ({{decline_reason}}).\n\nNo action is needed if your card is fine: we'll try again on {{retry_date}}. If your card has changed, you can update it here:\n\n{{update_payment_url}}\n\nThanks,\n{{merchant_name}}",
    },
    {
      delayHours: 192,
      subjectTemplate: "Action needed: update your payment details for {{merchant_name}}",
      bodyTemplate:
        "Hi {{customer_name}},\n\nYour payment of {{amount}} {{currency}} to {{merchant_name}} is still outstanding ({{decline_reason}}). Updating your card takes less than a minute:\n\n{{update_payment_url}}\n\nOur next attempt is on {{retry_date}}.\n\n{{merchant_name}}",
    },
    {
      delayHours: 360,
      subjectTemplate: "Last reminder: your {{merchant_name}} payment",
      bodyTemplate:
        "Hi {{customer_name}},\n\nThis is our last reminder about the {{amount}} {{currency}} payment for {{merchant_name}}. If we can't collect it, your subscription may be cancelled.\n\nUpdate your card: {{update_payment_url}}\n\n{{merchant_name}}",
    },
  ],
} as const;
