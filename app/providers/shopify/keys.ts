// The idempotency keys of the billing attempts Recoup creates: their webhooks name them back
// (docs/decisions/0007), which is how an answer is known to be ours. Pure.

export function shopifyRetryKey(recoveryId: string, attemptNumber: number) {
  return `recoup-${recoveryId}-${attemptNumber}`;
}

const SHOPIFY_RETRY_KEY = /^recoup-([A-Za-z0-9]+)-(\d+)$/;

/** The recovery and attempt number of one of our Shopify billing attempts, from its idempotency key. */
export function parseShopifyRetryKey(key: string | null | undefined): { recoveryId: string; attemptNumber: number } | null {
  const match = key ? SHOPIFY_RETRY_KEY.exec(key) : null;
  return match ? { recoveryId: match[1]!, attemptNumber: Number(match[2]) } : null;
}
