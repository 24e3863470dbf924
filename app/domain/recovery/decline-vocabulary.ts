// The words of the decline-code catalogue: its categories and subcategories, and the shape of a
// PSP's table. Apart from the catalogue so that each PSP's table (./decline-codes-<psp>.ts) can use
// them without importing the catalogue that imports it.
export const DECLINE_CATEGORIES = ["soft_retry", "hard_customer", "terminal", "unknown"] as const;
export type DeclineCategory = (typeof DECLINE_CATEGORIES)[number];

export const DECLINE_SUBCATEGORIES = [
  "insufficient_funds",
  "limits",
  "do_not_honor",
  "processing",
  "issuer_unavailable",
  "duplicate",
  "expired_card",
  "invalid_card",
  "authentication",
  "pin_required",
  "payment_method_missing",
  "not_permitted",
  "restricted",
  "closed_account",
  "do_not_try_again",
  "fraud",
  "lost_or_stolen",
  "pickup_card",
  "revoked",
  "blocked",
  "merchant_action",
  "already_paid",
  "other",
] as const;
export type DeclineSubcategory = (typeof DECLINE_SUBCATEGORIES)[number];

export type Spec = readonly [code: string, category: DeclineCategory, subcategory: DeclineSubcategory, description: string];
