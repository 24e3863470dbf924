// The only code that calls Shopify's Admin GraphQL API (docs/decisions/0007). Every document below
// was checked against the Admin API reference for the version we pin (SHOPIFY_API_VERSION, 2025-10):
// - SubscriptionContract (SubscriptionContractBase): status (SubscriptionContractSubscriptionStatus:
//   ACTIVE|PAUSED|CANCELLED|EXPIRED|FAILED), lastPaymentStatus (SUCCEEDED|FAILED), currencyCode,
//   customer, customerPaymentMethod, deliveryPrice (MoneyV2!), lines (SubscriptionLineConnection!).
//   https://shopify.dev/docs/api/admin-graphql/2025-10/interfaces/SubscriptionContractBase
// - SubscriptionLine.lineDiscountedPrice: "Total line price including all discounts" (price ×
//   quantity − discounts); currentPrice × quantity would overstate a discounted contract.
//   https://shopify.dev/docs/api/admin-graphql/latest/objects/SubscriptionLine
// - Customer.defaultEmailAddress { emailAddress }: Customer.email is deprecated since 2025-04.
//   https://shopify.dev/changelog/posts/adding-defaultemailaddress-field-to-customer
// - Customer.defaultAddress: MailingAddress { countryCodeV2 (CountryCode), provinceCode (String) }
//   (countryCode is deprecated); QueryRoot.shop: Shop { ianaTimezone: String! } ("America/New_York").
//   https://shopify.dev/docs/api/admin-graphql/2025-10/objects/MailingAddress
//   https://shopify.dev/docs/api/admin-graphql/2025-10/objects/Shop
// - CustomerPaymentMethod { id, revokedAt, instrument }: instrument is the union
//   CustomerPaymentInstrument; CustomerCreditCard { brand, lastDigits, expiryMonth, expiryYear },
//   CustomerShopPayAgreement { lastDigits, expiryMonth, expiryYear } (no brand).
//   https://shopify.dev/docs/api/admin-graphql/2025-10/unions/CustomerPaymentInstrument
// - subscriptionBillingAttemptCreate(subscriptionContractId: ID!, subscriptionBillingAttemptInput:
//   {idempotencyKey: String!, originTime: DateTime, billingCycleSelector}) → { subscriptionBillingAttempt
//   { id, ready, idempotencyKey }, userErrors: [BillingAttemptUserError!]! { code, field, message } }.
//   `ready` exists until 2026-04 (then `state`). BillingAttemptUserErrorCode (2025-10) includes
//   CONTRACT_TERMINATED, CONTRACT_NOT_FOUND, CONTRACT_PAUSED, CONTRACT_UNDER_REVIEW, INVALID…;
//   THROTTLED arrives in 2026-01 and is treated as throttling here already.
//   https://shopify.dev/docs/api/admin-graphql/2025-10/input-objects/SubscriptionBillingAttemptInput
//   https://shopify.dev/docs/api/admin-graphql/2025-10/enums/billingattemptusererrorcode
// - customerPaymentMethodSendUpdateEmail(customerPaymentMethodId: ID!, email: EmailInput) →
//   { customer { id }, userErrors: [UserError!]! { field, message } } (needs write_customers).
//   https://shopify.dev/docs/api/admin-graphql/2025-10/payloads/customerpaymentmethodsendupdateemailpayload
// - subscriptionBillingAttempt(id: ID!) → SubscriptionBillingAttempt { id, idempotencyKey, ready,
//   nextActionUrl (URL: "where the customer needs to be redirected so they can complete the 3D Secure
//   payment flow"), order { id } (set once it succeeded), processingError (interface
//   SubscriptionBillingAttemptProcessingError { code: SubscriptionBillingAttemptErrorCode!, message })
//   (errorCode/errorMessage are deprecated since 2025-01) }. From 2026-04 these move into `state`
//   (SubscriptionBillingAttemptState: Pending | ActionRequired | Failed | Success).
//   https://shopify.dev/docs/api/admin-graphql/2025-10/objects/SubscriptionBillingAttempt
//   https://shopify.dev/changelog/posts/subscriptions-apis-introduce-subscriptionbillingattemptstate
//
// Transport errors, GraphQL `errors` (throttling answers 200 with extensions.code THROTTLED) and
// HTTP 429/5xx throw, so the calling job is retried by pg-boss; userErrors are outcomes, returned.
import { currencyExponent } from "~/utils/money";
import type { CardBrand } from "~/domain/recovery/policy";
import { shopify } from "~/shopify.server";

interface GraphqlBody<T> {
  data?: T;
  errors?: unknown;
}

async function call<T>(shop: string, operation: string, document: string, variables: Record<string, unknown>): Promise<T> {
  // The shop's stored offline session: no network until the call.
  const { admin } = await shopify().unauthenticated.admin(shop);
  let body: GraphqlBody<T>;
  try {
    const response = await admin.graphql(document, { variables });
    body = (await response.json()) as GraphqlBody<T>;
  } catch (error) {
    throw new ShopifyAdminError(`Shopify Admin API ${operation} failed for ${shop}: ${(error as Error).message}`, { cause: error });
  }
  if (body.errors || !body.data) throw new ShopifyAdminError(`Shopify Admin API ${operation} answered errors for ${shop}: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** A call that did not get an answer (network, throttling, GraphQL errors): retry later. */
export class ShopifyAdminError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ShopifyAdminError";
  }
}

// ---------- money and cards ----------

/** "49.90" in USD → 4990; "1500.0" in JPY → 1500; exact on the decimal string, half-up past the exponent. */
export function decimalToMinor(amount: string, currency: string): number {
  const exponent = currencyExponent(currency);
  const match = /^(-?)(\d*)(?:\.(\d*))?$/.exec(amount.trim());
  if (!match) throw new ShopifyAdminError(`Not a decimal amount: ${JSON.stringify(amount)}`);
  const [, sign, whole = "", fraction = ""] = match;
  const kept = fraction.slice(0, exponent).padEnd(exponent, "0");
  const roundUp = fraction.length > exponent && Number(fraction[exponent]) >= 5;
  const minor = Number(`${whole || "0"}${kept}`) + (roundUp ? 1 : 0);
  return sign ? -minor : minor;
}

const BRANDS: Record<string, CardBrand> = {
  visa: "visa",
  master: "mastercard",
  mastercard: "mastercard",
  american_express: "amex",
  amex: "amex",
  discover: "discover",
};

/** Shopify spells brands its own way ("master", "american_express"; any case). */
export function shopifyCardBrand(brand: string | null | undefined): CardBrand {
  if (!brand) return "unknown";
  return BRANDS[brand.trim().toLowerCase().replace(/[\s-]+/g, "_")] ?? "other";
}

// ---------- SubscriptionContract ----------

const CONTRACT_QUERY = `#graphql
  query RecoupSubscriptionContract($id: ID!) {
    subscriptionContract(id: $id) {
      id
      status
      lastPaymentStatus
      currencyCode
      customer {
        id
        firstName
        lastName
        defaultEmailAddress {
          emailAddress
        }
        defaultAddress {
          countryCodeV2
          provinceCode
        }
      }
      deliveryPrice {
        amount
        currencyCode
      }
      lines(first: 250) {
        nodes {
          lineDiscountedPrice {
            amount
            currencyCode
          }
        }
      }
      customerPaymentMethod {
        id
        revokedAt
        instrument {
          __typename
          ... on CustomerCreditCard {
            brand
            lastDigits
            expiryMonth
            expiryYear
          }
          ... on CustomerShopPayAgreement {
            lastDigits
            expiryMonth
            expiryYear
          }
        }
      }
    }
    shop {
      ianaTimezone
    }
  }
`;

interface Money {
  amount: string;
  currencyCode: string;
}

interface ContractData {
  subscriptionContract: {
    id: string;
    status: string;
    lastPaymentStatus: string | null;
    currencyCode: string;
    customer: {
      id: string;
      firstName: string | null;
      lastName: string | null;
      defaultEmailAddress: { emailAddress: string | null } | null;
      defaultAddress: { countryCodeV2: string | null; provinceCode: string | null } | null;
    } | null;
    deliveryPrice: Money;
    lines: { nodes: Array<{ lineDiscountedPrice: Money }> };
    customerPaymentMethod: {
      id: string;
      revokedAt: string | null;
      instrument: { __typename: string; brand?: string; lastDigits?: string; expiryMonth?: number; expiryYear?: number } | null;
    } | null;
  } | null;
  shop: { ianaTimezone: string | null } | null;
}

export type ContractStatus = "ACTIVE" | "PAUSED" | "CANCELLED" | "EXPIRED" | "FAILED";

export interface ContractFacts {
  id: string;
  status: ContractStatus;
  lastPaymentStatus: "SUCCEEDED" | "FAILED" | null;
  customer: {
    id: string;
    email: string | null;
    firstName: string | null;
    lastName: string | null;
    /** The customer's default address: ISO 3166-1 alpha-2 country and the province's code ("IL", "BC"). */
    countryCode: string | null;
    provinceCode: string | null;
  };
  /** The shop's own IANA zone: where the customer probably is when their address says nothing. */
  shopTimezone: string | null;
  /** ISO 4217, upper case as Shopify sends it. */
  currencyCode: string;
  /** Lines after discounts plus delivery, in minor units. */
  amountMinor: number;
  customerPaymentMethod: {
    id: string;
    revokedAt: string | null;
    instrument: { type: string; brand: CardBrand; lastDigits: string | null; expiryMonth: number | null; expiryYear: number | null } | null;
  } | null;
}

/** The contract as Shopify has it now; null when the shop has no such contract (deleted, or not ours). */
export async function fetchContract(shop: string, contractGid: string): Promise<ContractFacts | null> {
  const data = await call<ContractData>(shop, "subscriptionContract", CONTRACT_QUERY, { id: contractGid });
  const c = data.subscriptionContract;
  if (!c) return null;
  const currency = c.currencyCode;
  const amountMinor =
    c.lines.nodes.reduce((sum, line) => sum + decimalToMinor(line.lineDiscountedPrice.amount, currency), 0) +
    decimalToMinor(c.deliveryPrice.amount, currency);
  const pm = c.customerPaymentMethod;
  const instrument = pm?.instrument;
  return {
    id: c.id,
    status: c.status as ContractStatus,
    lastPaymentStatus: (c.lastPaymentStatus as ContractFacts["lastPaymentStatus"]) ?? null,
    customer: {
      id: c.customer?.id ?? "",
      email: c.customer?.defaultEmailAddress?.emailAddress ?? null,
      firstName: c.customer?.firstName ?? null,
      lastName: c.customer?.lastName ?? null,
      countryCode: c.customer?.defaultAddress?.countryCodeV2 ?? null,
      provinceCode: c.customer?.defaultAddress?.provinceCode ?? null,
    },
    shopTimezone: data.shop?.ianaTimezone ?? null,
    currencyCode: currency,
    amountMinor,
    customerPaymentMethod: pm
      ? {
          id: pm.id,
          revokedAt: pm.revokedAt,
          instrument: instrument
            ? {
                type: instrument.__typename,
                brand: shopifyCardBrand(instrument.brand),
                lastDigits: instrument.lastDigits ?? null,
                expiryMonth: instrument.expiryMonth ?? null,
                expiryYear: instrument.expiryYear ?? null,
              }
            : null,
        }
      : null,
  };
}

// ---------- subscriptionBillingAttemptCreate ----------

const BILLING_ATTEMPT_CREATE = `#graphql
  mutation RecoupBillingAttemptCreate($contractId: ID!, $input: SubscriptionBillingAttemptInput!) {
    subscriptionBillingAttemptCreate(subscriptionContractId: $contractId, subscriptionBillingAttemptInput: $input) {
      subscriptionBillingAttempt {
        id
        ready
        idempotencyKey
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`;

interface BillingAttemptData {
  subscriptionBillingAttemptCreate: {
    subscriptionBillingAttempt: { id: string; ready: boolean; idempotencyKey: string } | null;
    userErrors: Array<{ code: string | null; field: string[] | null; message: string }>;
  } | null;
}

export interface BillingAttemptResult {
  /** The billing attempt's GID; null when userErrors refused it. */
  id: string | null;
  /** false while Shopify processes it: the outcome arrives by webhook. */
  ready: boolean;
  errors: Array<{ code: string | null; message: string }>;
}

/**
 * Charges the contract's current billing cycle again. Shopify keeps one billing attempt per
 * idempotency key, so a retried job re-sends the same key and gets the same attempt back.
 */
export async function createBillingAttempt(
  shop: string,
  contractGid: string,
  input: { idempotencyKey: string; originTime?: Date },
): Promise<BillingAttemptResult> {
  const data = await call<BillingAttemptData>(shop, "subscriptionBillingAttemptCreate", BILLING_ATTEMPT_CREATE, {
    contractId: contractGid,
    input: { idempotencyKey: input.idempotencyKey, ...(input.originTime ? { originTime: input.originTime.toISOString() } : {}) },
  });
  const payload = data.subscriptionBillingAttemptCreate;
  const errors = (payload?.userErrors ?? []).map((e) => ({ code: e.code, message: e.message }));
  // From 2026-01 Shopify throttles billing attempts with a userError: that is "try later", not an outcome.
  const throttled = errors.find((e) => e.code === "THROTTLED");
  if (throttled) throw new ShopifyAdminError(`Shopify throttled the billing attempt for ${contractGid}: ${throttled.message}`);
  const attempt = payload?.subscriptionBillingAttempt ?? null;
  return { id: attempt?.id ?? null, ready: attempt?.ready ?? false, errors };
}

// ---------- subscriptionBillingAttempt ----------

const BILLING_ATTEMPT_QUERY = `#graphql
  query RecoupBillingAttempt($id: ID!) {
    subscriptionBillingAttempt(id: $id) {
      id
      idempotencyKey
      ready
      nextActionUrl
      order {
        id
      }
      processingError {
        code
        message
      }
      subscriptionContract {
        id
      }
    }
  }
`;

interface BillingAttemptQueryData {
  subscriptionBillingAttempt: {
    id: string;
    idempotencyKey: string;
    ready: boolean;
    nextActionUrl: string | null;
    order: { id: string } | null;
    processingError: { code: string; message: string | null } | null;
    subscriptionContract: { id: string } | null;
  } | null;
}

/**
 * A billing attempt's state: `processing` until Shopify has an answer; `succeeded` with its order;
 * `action_required` while the customer must confirm it (3-D Secure) at `nextActionUrl`; `failed`
 * with Shopify's error code (the GraphQL enum, upper case).
 */
export type BillingAttemptState =
  | { state: "processing" }
  | { state: "succeeded"; orderId: string | null }
  | { state: "action_required"; nextActionUrl: string; errorCode: string | null; errorMessage: string | null }
  | { state: "failed"; errorCode: string | null; errorMessage: string | null };

export type BillingAttemptFacts = { id: string; idempotencyKey: string; contractId: string | null } & BillingAttemptState;

/** A billing attempt as Shopify has it now; null when the shop has no such attempt. */
export async function fetchBillingAttempt(shop: string, billingAttemptGid: string): Promise<BillingAttemptFacts | null> {
  const data = await call<BillingAttemptQueryData>(shop, "subscriptionBillingAttempt", BILLING_ATTEMPT_QUERY, { id: billingAttemptGid });
  const a = data.subscriptionBillingAttempt;
  if (!a) return null;
  const base = { id: a.id, idempotencyKey: a.idempotencyKey, contractId: a.subscriptionContract?.id ?? null };
  const errorCode = a.processingError?.code ?? null;
  const errorMessage = a.processingError?.message?.trim() || null;
  if (a.order) return { ...base, state: "succeeded", orderId: a.order.id };
  // A challenged attempt carries the customer's confirmation page, whether or not it also names an error.
  if (a.nextActionUrl) return { ...base, state: "action_required", nextActionUrl: a.nextActionUrl, errorCode, errorMessage };
  if (!a.ready) return { ...base, state: "processing" };
  if (a.processingError) return { ...base, state: "failed", errorCode, errorMessage };
  // Ready, no order, no error: the order was deleted after a success (order is null then).
  return { ...base, state: "succeeded", orderId: null };
}

// ---------- customerPaymentMethodSendUpdateEmail ----------

const SEND_UPDATE_EMAIL = `#graphql
  mutation RecoupPaymentMethodUpdateEmail($customerPaymentMethodId: ID!) {
    customerPaymentMethodSendUpdateEmail(customerPaymentMethodId: $customerPaymentMethodId) {
      customer {
        id
      }
      userErrors {
        field
        message
      }
    }
  }
`;

interface SendUpdateEmailData {
  customerPaymentMethodSendUpdateEmail: {
    customer: { id: string } | null;
    userErrors: Array<{ field: string[] | null; message: string }>;
  } | null;
}

/** Shopify emails the customer, from the shop, a secure link to update this payment method. */
export async function sendPaymentMethodUpdateEmail(shop: string, customerPaymentMethodId: string): Promise<{ sent: boolean; errors: string[] }> {
  const data = await call<SendUpdateEmailData>(shop, "customerPaymentMethodSendUpdateEmail", SEND_UPDATE_EMAIL, { customerPaymentMethodId });
  const payload = data.customerPaymentMethodSendUpdateEmail;
  const errors = (payload?.userErrors ?? []).map((e) => e.message);
  return { sent: errors.length === 0 && Boolean(payload?.customer), errors };
}
