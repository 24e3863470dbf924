/** The sequence every new workspace starts with: friendly, then clearer, then final. */
export const DEFAULT_SEQUENCE = {
  name: "Default recovery sequence",
  steps: [
    {
      delayHours: 1,
      subjectTemplate: "Your payment to {{merchant_name}} didn't go through",
      bodyTemplate:
        "Hi {{customer_name}},\n\nWe tried to charge {{amount}} {{currency}} for your {{merchant_name}} subscription, but the payment didn't go through ({{decline_reason}}).\n\nNo action is needed if your card is fine: we'll try again on {{retry_date}}. If your card has changed, you can update it here:\n\n{{update_payment_url}}\n\nThanks,\n{{merchant_name}}",
    },
    {
      delayHours: 72,
      subjectTemplate: "Action needed: update your payment details for {{merchant_name}}",
      bodyTemplate:
        "Hi {{customer_name}},\n\nYour payment of {{amount}} {{currency}} to {{merchant_name}} is still outstanding ({{decline_reason}}). Updating your card takes less than a minute:\n\n{{update_payment_url}}\n\nOur next attempt is on {{retry_date}}.\n\n{{merchant_name}}",
    },
    {
      delayHours: 168,
      subjectTemplate: "Your {{merchant_name}} subscription is at risk",
      bodyTemplate:
        "Hi {{customer_name}},\n\nWe still haven't been able to collect {{amount}} {{currency}}. To keep your {{merchant_name}} subscription active, please update your payment details:\n\n{{update_payment_url}}\n\n{{merchant_name}}",
    },
    {
      delayHours: 336,
      subjectTemplate: "Last reminder: your {{merchant_name}} payment",
      bodyTemplate:
        "Hi {{customer_name}},\n\nThis is our last reminder about the {{amount}} {{currency}} payment for {{merchant_name}}. If we can't collect it, your subscription may be cancelled.\n\nUpdate your card: {{update_payment_url}}\n\n{{merchant_name}}",
    },
  ],
} as const;
