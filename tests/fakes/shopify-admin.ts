// A fake of Shopify's Admin GraphQL API at the fetch layer (MSW), so that Shopify's own client code
// runs: `https://<shop>.myshopify.com/admin/api/<version>/graphql.json`. Every request is validated
// against a slice of the Admin schema (2025-10: the types Recoup reads, the billing attempt query
// and the two mutations it sends) and executed with graphql-js, so a misspelt field fails here as it would at Shopify.
//
// Shopify's library captures `fetch` when its node adapter is imported, and the test setup's
// app/wiring.server.ts may already have imported it: startShopifyAdmin() points the library at
// whatever `fetch` is current (MSW's, once listening). Still start it before app modules load
// (in a test file: `await vi.hoisted(...)`).
import { buildSchema, graphql, parse, validate, type GraphQLError, OperationTypeNode, Kind } from "graphql";
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";

const SCHEMA = buildSchema(/* GraphQL */ `
  scalar DateTime
  scalar Decimal
  scalar URL

  enum CurrencyCode { AUD CAD CHF DKK EUR GBP JPY KWD NOK NZD SEK USD }
  enum SubscriptionContractSubscriptionStatus { ACTIVE PAUSED CANCELLED EXPIRED FAILED }
  enum SubscriptionContractLastPaymentStatus { SUCCEEDED FAILED }
  enum BillingAttemptUserErrorCode {
    BILLING_CYCLE_CHARGE_BEFORE_EXPECTED_DATE BILLING_CYCLE_SKIPPED BLANK CONTRACT_NOT_FOUND CONTRACT_PAUSED
    CONTRACT_TERMINATED CONTRACT_UNDER_REVIEW CYCLE_INDEX_OUT_OF_RANGE CYCLE_START_DATE_OUT_OF_RANGE INVALID
    ORIGIN_TIME_BEFORE_CONTRACT_CREATION ORIGIN_TIME_OUT_OF_RANGE UPCOMING_CYCLE_LIMIT_EXCEEDED
  }

  type MoneyV2 { amount: Decimal! currencyCode: CurrencyCode! }
  type CustomerEmailAddress { emailAddress: String }
  enum CountryCode { AR AT AU BE BR CA CH CN DE DK ES FI FR GB IE IN IT JP MX NL NO NZ PL PT SE US ZA }
  type MailingAddress {
    id: ID!
    city: String
    country: String
    countryCodeV2: CountryCode
    province: String
    provinceCode: String
    zip: String
    countryCode: String @deprecated(reason: "Use countryCodeV2 instead.")
  }
  type Customer {
    id: ID!
    firstName: String
    lastName: String
    defaultEmailAddress: CustomerEmailAddress
    defaultAddress: MailingAddress
    email: String @deprecated(reason: "Use defaultEmailAddress.emailAddress instead.")
  }
  type CustomerCreditCard {
    brand: String!
    expiresSoon: Boolean!
    expiryMonth: Int!
    expiryYear: Int!
    firstDigits: String
    isRevocable: Boolean!
    lastDigits: String!
    maskedNumber: String!
    name: String!
    source: String
    virtualLastDigits: String
  }
  type CustomerShopPayAgreement {
    expiresSoon: Boolean!
    expiryMonth: Int!
    expiryYear: Int!
    inactive: Boolean!
    isRevocable: Boolean!
    lastDigits: String!
    maskedNumber: String!
    name: String!
  }
  type CustomerPaypalBillingAgreement { inactive: Boolean! isRevocable: Boolean! paypalAccountEmail: String }
  union CustomerPaymentInstrument = CustomerCreditCard | CustomerShopPayAgreement | CustomerPaypalBillingAgreement
  type CustomerPaymentMethod { id: ID! revokedAt: DateTime revokedReason: String instrument: CustomerPaymentInstrument customer: Customer }

  type SubscriptionLine { id: ID! title: String! quantity: Int! currentPrice: MoneyV2! lineDiscountedPrice: MoneyV2! }
  type SubscriptionLineConnection { nodes: [SubscriptionLine!]! }
  type SubscriptionContract {
    id: ID!
    status: SubscriptionContractSubscriptionStatus!
    lastPaymentStatus: SubscriptionContractLastPaymentStatus
    currencyCode: CurrencyCode!
    customer: Customer
    customerPaymentMethod(showRevoked: Boolean = false): CustomerPaymentMethod
    deliveryPrice: MoneyV2!
    lines(first: Int, after: String): SubscriptionLineConnection!
    nextBillingDate: DateTime
  }

  enum SubscriptionBillingAttemptErrorCode {
    AMOUNT_TOO_LARGE AMOUNT_TOO_SMALL AUTHENTICATION_ERROR AUTHENTICATION_FAILED AUTHENTICATION_REQUIRED
    BUYER_CANCELED_PAYMENT_METHOD CALL_ISSUER CANCELLED_PAYMENT CARD_DECLINED CARD_NUMBER_INCORRECT
    CONFIRMATION_REJECTED CUSTOMER_INVALID CUSTOMER_NOT_FOUND DO_NOT_HONOR EXPIRED_BUYER_ACTION EXPIRED_CARD
    EXPIRED_PAYMENT_METHOD FRAUD_SUSPECTED FREE_GIFT_CARD_NOT_ALLOWED GENERIC_ERROR INCORRECT_ADDRESS
    INCORRECT_NUMBER INCORRECT_ZIP INSUFFICIENT_FUNDS INSUFFICIENT_INVENTORY INVALID_BILLING_ADDRESS
    INVALID_CURRENCY INVALID_CUSTOMER_BILLING_AGREEMENT INVALID_EXPIRY_DATE INVALID_NUMBER INVALID_PAYMENT_METHOD
    INVALID_PURCHASE_TYPE INVALID_SHIPPING_ADDRESS INVENTORY_ALLOCATIONS_NOT_FOUND INVOICE_ALREADY_PAID
    MERCHANT_ACCOUNT_ERROR MERCHANT_RULE NON_TEST_ORDER_LIMIT_REACHED OFF_SESSION_REJECTED PAYMENT_METHOD_DECLINED
    PAYMENT_METHOD_INCOMPATIBLE_WITH_GATEWAY_CONFIG PAYMENT_METHOD_NOT_FOUND PAYMENT_METHOD_NOT_SPECIFIED
    PAYMENT_METHOD_UNSUPPORTED PAYMENT_PROVIDER_ERROR PAYMENT_PROVIDER_IS_NOT_ENABLED PAYPAL_ERROR_GENERAL
    PROCESSING_ERROR PURCHASE_TYPE_NOT_SUPPORTED RETRY_DECLINED TEST_MODE TRANSACTION_LIMIT_EXCEEDED
    TRANSIENT_ERROR UNEXPECTED_ERROR
  }
  interface SubscriptionBillingAttemptProcessingError { code: SubscriptionBillingAttemptErrorCode! message: String! }
  type SubscriptionBillingAttemptGenericError implements SubscriptionBillingAttemptProcessingError {
    code: SubscriptionBillingAttemptErrorCode!
    message: String!
  }
  type Order { id: ID! name: String! }
  type SubscriptionBillingAttempt {
    id: ID!
    idempotencyKey: String!
    ready: Boolean!
    originTime: DateTime
    createdAt: DateTime!
    completedAt: DateTime
    nextActionUrl: URL
    order: Order
    processingError: SubscriptionBillingAttemptProcessingError
    subscriptionContract: SubscriptionContract
    errorCode: String @deprecated(reason: "Use processingError.code instead.")
    errorMessage: String @deprecated(reason: "Use processingError.message instead.")
  }
  type BillingAttemptUserError { code: BillingAttemptUserErrorCode field: [String!] message: String! }
  type SubscriptionBillingAttemptCreatePayload { subscriptionBillingAttempt: SubscriptionBillingAttempt userErrors: [BillingAttemptUserError!]! }
  type UserError { field: [String!] message: String! }
  type CustomerPaymentMethodSendUpdateEmailPayload { customer: Customer userErrors: [UserError!]! }

  input SubscriptionBillingCycleSelector { index: Int date: DateTime }
  input SubscriptionBillingAttemptInput { idempotencyKey: String! originTime: DateTime billingCycleSelector: SubscriptionBillingCycleSelector }
  input EmailInput { bcc: [String!] body: String customMessage: String from: String subject: String to: String }

  type Shop { id: ID! name: String! myshopifyDomain: String! ianaTimezone: String! timezoneAbbreviation: String! }

  type Query {
    shop: Shop!
    subscriptionContract(id: ID!): SubscriptionContract
    subscriptionBillingAttempt(id: ID!): SubscriptionBillingAttempt
  }
  type Mutation {
    subscriptionBillingAttemptCreate(subscriptionContractId: ID!, subscriptionBillingAttemptInput: SubscriptionBillingAttemptInput!): SubscriptionBillingAttemptCreatePayload
    customerPaymentMethodSendUpdateEmail(customerPaymentMethodId: ID!, email: EmailInput): CustomerPaymentMethodSendUpdateEmailPayload
  }
`);

export interface FakeCard {
  id: string;
  brand?: string;
  lastDigits: string;
  expiryMonth: number;
  expiryYear: number;
  revokedAt?: string | null;
}

export interface FakeContract {
  id: string;
  status: "ACTIVE" | "PAUSED" | "CANCELLED" | "EXPIRED" | "FAILED";
  lastPaymentStatus: "SUCCEEDED" | "FAILED" | null;
  currencyCode: string;
  customer: {
    id: string;
    firstName: string | null;
    lastName: string | null;
    email: string | null;
    /** The customer's default address (ISO country code, province code). */
    address?: { countryCode: string; provinceCode?: string | null } | null;
  };
  /** Unit prices as Shopify's Decimal strings; `discountedTotal` overrides price × quantity. */
  lines: Array<{ title: string; quantity: number; price: string; discountedTotal?: string }>;
  deliveryPrice: string;
  paymentMethod: FakeCard | null;
}

export interface RecordedGraphqlRequest {
  shop: string;
  apiVersion: string;
  accessToken: string | null;
  operationType: "query" | "mutation";
  operationName: string | null;
  /** The root fields selected, e.g. ["subscriptionBillingAttemptCreate"]. */
  fields: string[];
  variables: Record<string, unknown>;
  /** What the fake answered: a status other than 200, or GraphQL errors. */
  answered: "data" | "throttled" | "http_error";
}

export interface FakeBillingAttempt {
  id: string;
  shop: string;
  contractId: string;
  idempotencyKey: string;
  originTime: string | null;
  createdAt: string;
  /** Where Shopify has got with it: processing until an outcome is set (by a webhook payload or settleAttempt). */
  ready: boolean;
  errorCode: string | null;
  errorMessage: string | null;
  /** A 3-D Secure challenge: the page where the customer confirms the payment. */
  nextActionUrl: string | null;
  orderId: string | null;
}

/** What became of a billing attempt: an error code (failed), a 3-D Secure challenge, or neither (paid). */
export interface AttemptOutcome {
  errorCode?: string | null;
  errorMessage?: string | null;
  challenged?: boolean;
}

type Failure = { kind: "http"; status: number } | { kind: "throttled" };

export interface FakeShopifyAdmin {
  requests: RecordedGraphqlRequest[];
  /** Requests that selected this mutation root field (every try, throttled ones too). */
  mutations(field?: string): RecordedGraphqlRequest[];
  /** One per idempotency key per shop, as Shopify keeps them. */
  billingAttempts: FakeBillingAttempt[];
  putContract(shop: string, contract: Partial<FakeContract> & { id: string }): FakeContract;
  contract(shop: string, id: string): FakeContract;
  /** The next `times` requests (of `field` only, when given) fail: HTTP status, or Shopify's THROTTLED GraphQL error. */
  failNext(failure: Failure & { times?: number; field?: string }): void;
  /** The next subscriptionBillingAttemptCreate answers these userErrors (once). */
  refuseNextBillingAttempt(...errors: Array<{ code: string; message?: string }>): void;
  /** The next customerPaymentMethodSendUpdateEmail answers these userErrors (once). */
  refuseNextUpdateEmail(...messages: string[]): void;
  /** The REST-style payload of `subscription_billing_attempts/*` for one of the recorded billing attempts. */
  attemptWebhook(idempotencyKey: string, outcome: AttemptOutcome): Record<string, unknown>;
  /**
   * The billing attempt takes this outcome at Shopify, and no webhook is produced (a dropped one):
   * `subscriptionBillingAttempt(id:)` answers it from now on. attemptWebhook sets the outcome too.
   */
  settleAttempt(idempotencyKey: string, outcome: AttemptOutcome): FakeBillingAttempt;
  /** Shopify's (or the subscription app's) own billing attempt on the contract, as its webhook payload. */
  platformAttemptWebhook(shop: string, contractId: string, outcome: AttemptOutcome & { idempotencyKey?: string }): Record<string, unknown>;
  /** `subscription_contracts/*` payload for a stored contract. */
  contractWebhook(shop: string, contractId: string): Record<string, unknown>;
  /** The shop's `ianaTimezone` (default Etc/UTC). */
  setShopTimezone(shop: string, zone: string): void;
  reset(): void;
  close(): void;
}

const PROCESSING = { ready: false, errorCode: null, errorMessage: null, nextActionUrl: null, orderId: null } as const;

function numeric(gid: string): number {
  return Number(gid.split("/").pop());
}

function multiply(price: string, quantity: number, currency: string): string {
  const digits = currency === "JPY" ? 0 : currency === "KWD" ? 3 : 2;
  return (Number(price) * quantity).toFixed(digits);
}

/** Starts MSW (unhandled requests are errors) with the fake Admin API. */
export function startShopifyAdmin(): FakeShopifyAdmin {
  const contracts = new Map<string, FakeContract>();
  const shopTimezones = new Map<string, string>();
  const requests: RecordedGraphqlRequest[] = [];
  const billingAttempts: FakeBillingAttempt[] = [];
  let failures: Array<Failure & { field?: string }> = [];
  let billingRefusals: Array<Array<{ code: string; message?: string }>> = [];
  let emailRefusals: string[][] = [];
  let nextId = 9_000_000;

  const key = (shop: string, id: string) => `${shop} ${id}`;
  const money = (amount: string, currencyCode: string) => ({ amount, currencyCode });

  function contractView(c: FakeContract) {
    const pm = c.paymentMethod;
    return {
      id: c.id,
      status: c.status,
      lastPaymentStatus: c.lastPaymentStatus,
      currencyCode: c.currencyCode,
      customer: {
        id: c.customer.id,
        firstName: c.customer.firstName,
        lastName: c.customer.lastName,
        email: c.customer.email,
        defaultEmailAddress: c.customer.email ? { emailAddress: c.customer.email } : null,
        defaultAddress: c.customer.address
          ? {
              id: `gid://shopify/MailingAddress/${numeric(c.customer.id)}`,
              countryCodeV2: c.customer.address.countryCode,
              countryCode: c.customer.address.countryCode,
              provinceCode: c.customer.address.provinceCode ?? null,
            }
          : null,
      },
      deliveryPrice: money(c.deliveryPrice, c.currencyCode),
      lines: () => ({
        nodes: c.lines.map((l, i) => ({
          id: `gid://shopify/SubscriptionLine/${i + 1}`,
          title: l.title,
          quantity: l.quantity,
          currentPrice: money(l.price, c.currencyCode),
          lineDiscountedPrice: money(l.discountedTotal ?? multiply(l.price, l.quantity, c.currencyCode), c.currencyCode),
        })),
      }),
      customerPaymentMethod: ({ showRevoked }: { showRevoked: boolean }) =>
        pm && (!pm.revokedAt || showRevoked)
          ? {
              id: pm.id,
              revokedAt: pm.revokedAt ?? null,
              instrument: {
                __typename: "CustomerCreditCard",
                brand: pm.brand ?? "visa",
                lastDigits: pm.lastDigits,
                expiryMonth: pm.expiryMonth,
                expiryYear: pm.expiryYear,
                expiresSoon: false,
                firstDigits: "424242",
                isRevocable: false,
                maskedNumber: `•••• •••• •••• ${pm.lastDigits}`,
                name: [c.customer.firstName, c.customer.lastName].filter(Boolean).join(" "),
              },
            }
          : null,
    };
  }

  function attemptView(a: FakeBillingAttempt) {
    const c = contracts.get(key(a.shop, a.contractId));
    return {
      id: a.id,
      idempotencyKey: a.idempotencyKey,
      originTime: a.originTime,
      createdAt: a.createdAt,
      ready: a.ready,
      completedAt: a.ready ? a.createdAt : null,
      nextActionUrl: a.nextActionUrl,
      order: a.orderId ? { id: a.orderId, name: `#${numeric(a.orderId)}` } : null,
      processingError: a.errorCode
        ? { __typename: "SubscriptionBillingAttemptGenericError", code: a.errorCode.toUpperCase(), message: a.errorMessage ?? "The payment failed." }
        : null,
      subscriptionContract: c ? contractView(c) : null,
      errorCode: a.errorCode,
      errorMessage: a.errorMessage,
    };
  }

  function rootValue(shop: string) {
    return {
      shop: () => ({
        id: `gid://shopify/Shop/${shop.length}`,
        name: shop.split(".")[0],
        myshopifyDomain: shop,
        ianaTimezone: shopTimezones.get(shop) ?? "Etc/UTC",
        timezoneAbbreviation: "UTC",
      }),
      subscriptionContract: ({ id }: { id: string }) => {
        const c = contracts.get(key(shop, id));
        return c ? contractView(c) : null;
      },
      subscriptionBillingAttempt: ({ id }: { id: string }) => {
        const a = billingAttempts.find((b) => b.shop === shop && b.id === id);
        return a ? attemptView(a) : null;
      },
      subscriptionBillingAttemptCreate: (args: { subscriptionContractId: string; subscriptionBillingAttemptInput: { idempotencyKey: string; originTime?: string } }) => {
        const scripted = billingRefusals.shift();
        const refuse = (code: string, message: string) => ({ subscriptionBillingAttempt: null, userErrors: [{ code, field: null, message }] });
        if (scripted) return { subscriptionBillingAttempt: null, userErrors: scripted.map((e) => ({ code: e.code, field: null, message: e.message ?? e.code })) };
        const c = contracts.get(key(shop, args.subscriptionContractId));
        if (!c) return refuse("CONTRACT_NOT_FOUND", "Subscription contract does not exist.");
        if (c.status === "CANCELLED" || c.status === "EXPIRED" || c.status === "FAILED") return refuse("CONTRACT_TERMINATED", "Subscription contract cannot be billed once terminated.");
        if (c.status === "PAUSED") return refuse("CONTRACT_PAUSED", "Subscription contract cannot be billed if paused.");
        const input = args.subscriptionBillingAttemptInput;
        let attempt = billingAttempts.find((a) => a.shop === shop && a.idempotencyKey === input.idempotencyKey);
        if (!attempt) {
          attempt = {
            id: `gid://shopify/SubscriptionBillingAttempt/${nextId++}`,
            shop,
            contractId: c.id,
            idempotencyKey: input.idempotencyKey,
            originTime: input.originTime ?? null,
            createdAt: new Date().toISOString(),
            ...PROCESSING,
          };
          billingAttempts.push(attempt);
        }
        return { subscriptionBillingAttempt: attemptView(attempt), userErrors: [] };
      },
      customerPaymentMethodSendUpdateEmail: ({ customerPaymentMethodId }: { customerPaymentMethodId: string }) => {
        const scripted = emailRefusals.shift();
        if (scripted) return { customer: null, userErrors: scripted.map((message) => ({ field: ["customerPaymentMethodId"], message })) };
        const owner = [...contracts.entries()].find(([k, c]) => k.startsWith(`${shop} `) && c.paymentMethod?.id === customerPaymentMethodId)?.[1];
        if (!owner) return { customer: null, userErrors: [{ field: ["customerPaymentMethodId"], message: "Customer payment method does not exist" }] };
        return { customer: { id: owner.customer.id }, userErrors: [] };
      },
    };
  }

  const handler = http.post("https://*.myshopify.com/admin/api/:version/graphql.json", async ({ request, params }) => {
    const shop = new URL(request.url).hostname;
    const body = (await request.json()) as { query: string; variables?: Record<string, unknown>; operationName?: string };
    let document;
    try {
      document = parse(body.query);
    } catch (error) {
      return HttpResponse.json({ errors: [{ message: (error as GraphQLError).message }] });
    }
    const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
    const fields = operation && operation.kind === Kind.OPERATION_DEFINITION
      ? operation.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : []))
      : [];
    const record: RecordedGraphqlRequest = {
      shop,
      apiVersion: String(params.version),
      accessToken: request.headers.get("x-shopify-access-token"),
      operationType: operation && operation.kind === Kind.OPERATION_DEFINITION && operation.operation === OperationTypeNode.MUTATION ? "mutation" : "query",
      operationName: operation && operation.kind === Kind.OPERATION_DEFINITION ? (operation.name?.value ?? null) : null,
      fields,
      variables: body.variables ?? {},
      answered: "data",
    };
    requests.push(record);

    const failure = failures.findIndex((f) => !f.field || fields.includes(f.field));
    if (failure >= 0) {
      const [f] = failures.splice(failure, 1);
      if (f!.kind === "throttled") {
        record.answered = "throttled";
        // https://shopify.dev/docs/api/usage/limits#rate-limiting-methods: 200 with a THROTTLED error.
        return HttpResponse.json({
          errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }],
          extensions: { cost: { requestedQueryCost: 12, actualQueryCost: null, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 0, restoreRate: 100 } } },
        });
      }
      record.answered = "http_error";
      return HttpResponse.json({ errors: "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service." }, { status: f!.status, headers: { "Retry-After": "2.0" } });
    }

    const errors = validate(SCHEMA, document);
    if (errors.length) return HttpResponse.json({ errors: errors.map((e) => ({ message: e.message, locations: e.locations })) });
    const result = await graphql({ schema: SCHEMA, source: body.query, variableValues: body.variables, rootValue: rootValue(shop) });
    return HttpResponse.json(result);
  });

  const server = setupServer(handler);
  server.listen({ onUnhandledRequest: "error" });
  setAbstractFetchFunc((...args) => globalThis.fetch(...args));

  /** Records the outcome on the attempt, as Shopify would before it sends the webhook. */
  function settle(attempt: FakeBillingAttempt, outcome: AttemptOutcome) {
    const failed = Boolean(outcome.errorCode);
    attempt.ready = true;
    attempt.errorCode = failed ? outcome.errorCode! : null;
    attempt.errorMessage = failed ? (outcome.errorMessage ?? "The payment failed.") : null;
    attempt.nextActionUrl = outcome.challenged ? `https://${attempt.shop}/subscriptions/authentication/${numeric(attempt.id)}?key=challenge` : null;
    attempt.orderId = failed || outcome.challenged ? null : `gid://shopify/Order/${nextId++}`;
    return attempt;
  }

  function attemptPayload(attempt: FakeBillingAttempt, outcome: AttemptOutcome) {
    settle(attempt, outcome);
    const failed = Boolean(outcome.errorCode);
    return {
      id: numeric(attempt.id),
      admin_graphql_api_id: attempt.id,
      idempotency_key: attempt.idempotencyKey,
      order_id: attempt.orderId ? numeric(attempt.orderId) : null,
      admin_graphql_api_order_id: attempt.orderId,
      subscription_contract_id: numeric(attempt.contractId),
      admin_graphql_api_subscription_contract_id: attempt.contractId,
      ready: true,
      error_message: failed ? (outcome.errorMessage ?? "The payment failed.") : null,
      error_code: failed ? outcome.errorCode : null,
    };
  }

  return {
    requests,
    billingAttempts,
    mutations: (field) => requests.filter((r) => r.operationType === "mutation" && (!field || r.fields.includes(field))),
    putContract(shop, partial) {
      const contract: FakeContract = {
        status: "ACTIVE",
        lastPaymentStatus: "FAILED",
        currencyCode: "USD",
        customer: { id: "gid://shopify/Customer/7001", firstName: "Ada", lastName: "Lovelace", email: "ada@example.com" },
        lines: [{ title: "Coffee beans, 1 kg", quantity: 2, price: "19.95" }],
        deliveryPrice: "4.99",
        paymentMethod: { id: "gid://shopify/CustomerPaymentMethod/pm_old", brand: "visa", lastDigits: "4242", expiryMonth: 12, expiryYear: 2030 },
        ...partial,
      };
      contracts.set(key(shop, contract.id), contract);
      return contract;
    },
    contract(shop, id) {
      const c = contracts.get(key(shop, id));
      if (!c) throw new Error(`no contract ${id} in ${shop}`);
      return c;
    },
    failNext({ times = 1, ...failure }) {
      for (let i = 0; i < times; i++) failures.push({ ...failure });
    },
    refuseNextBillingAttempt(...errors) {
      billingRefusals.push(errors);
    },
    refuseNextUpdateEmail(...messages) {
      emailRefusals.push(messages);
    },
    attemptWebhook(idempotencyKey, outcome) {
      const attempt = billingAttempts.find((a) => a.idempotencyKey === idempotencyKey);
      if (!attempt) throw new Error(`no billing attempt with key ${idempotencyKey}`);
      return attemptPayload(attempt, outcome);
    },
    settleAttempt(idempotencyKey, outcome) {
      const attempt = billingAttempts.find((a) => a.idempotencyKey === idempotencyKey);
      if (!attempt) throw new Error(`no billing attempt with key ${idempotencyKey}`);
      return settle(attempt, outcome);
    },
    platformAttemptWebhook(shop, contractId, outcome) {
      const attempt: FakeBillingAttempt = {
        id: `gid://shopify/SubscriptionBillingAttempt/${nextId++}`,
        shop,
        contractId,
        idempotencyKey: outcome.idempotencyKey ?? `subscription-app-${nextId}`,
        originTime: null,
        createdAt: new Date().toISOString(),
        ...PROCESSING,
      };
      billingAttempts.push(attempt);
      return attemptPayload(attempt, outcome);
    },
    contractWebhook(shop, contractId) {
      const c = this.contract(shop, contractId);
      return {
        admin_graphql_api_id: c.id,
        id: numeric(c.id),
        status: c.status.toLowerCase(),
        currency_code: c.currencyCode,
        customer_id: numeric(c.customer.id),
        admin_graphql_api_customer_id: c.customer.id,
        revision_id: String(nextId++),
      };
    },
    setShopTimezone(shop, zone) {
      shopTimezones.set(shop, zone);
    },
    reset() {
      shopTimezones.clear();
      contracts.clear();
      requests.length = 0;
      billingAttempts.length = 0;
      failures = [];
      billingRefusals = [];
      emailRefusals = [];
    },
    close() {
      server.close();
    },
  };
}
