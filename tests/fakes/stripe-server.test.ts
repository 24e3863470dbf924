// Drives the fake through the real stripe-node SDK, so the fake is checked against what the SDK sends and expects.
import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeEvent, makeInvoice, signPayload, startFakeStripe, type CheckoutCompleted, type FakeStripe } from './stripe-server';

const ACCT = 'acct_1Merchant';
let fake: FakeStripe;

const client = (overrides: Partial<Stripe.StripeConfig> = {}, key = 'sk_test_platform') =>
  new Stripe(key, { host: fake.host, port: fake.port, protocol: 'http', maxNetworkRetries: 0, telemetry: false, ...overrides });

beforeEach(async () => {
  fake = await startFakeStripe({ oauth: { stripeUserId: ACCT } });
});
afterEach(async () => {
  await fake.close();
});

describe('fake Stripe through stripe-node', () => {
  it('pins the API version the fixtures are built for', () => {
    expect(Stripe.API_VERSION).toBe('2026-10-28.endive');
    const invoice = makeInvoice({ id: 'in_1', customer: 'cus_1' });
    expect(invoice).not.toHaveProperty('charge');
    expect(invoice).not.toHaveProperty('payment_intent');
    expect(invoice).not.toHaveProperty('subscription');
    expect(invoice.parent?.subscription_details?.subscription).toMatch(/^sub_/);
    expect(invoice.next_payment_attempt).toBeGreaterThan(invoice.created);
  });

  it('oauth.token posts to the host option (/oauth/token on the fake); codes are single-use', async () => {
    const stripe = client();
    const token = await stripe.oauth.token({ grant_type: 'authorization_code', code: 'ac_good' });
    expect(token).toMatchObject({ stripe_user_id: ACCT, scope: 'read_write', livemode: false, token_type: 'bearer' });
    expect(token.access_token).toMatch(/^sk_test_/);
    expect(token.refresh_token).toMatch(/^rt_/);
    expect(token.stripe_publishable_key).toMatch(/^pk_test_/);
    const [req] = fake.requestsTo('POST', '/oauth/token');
    expect(req.body).toEqual({ grant_type: 'authorization_code', code: 'ac_good' });
    expect(req.authorization).toBe('Bearer sk_test_platform');

    await expect(stripe.oauth.token({ grant_type: 'authorization_code', code: 'ac_good' })).rejects.toBeInstanceOf(
      Stripe.errors.StripeInvalidGrantError,
    );
    const bad = await stripe.oauth.token({ grant_type: 'authorization_code', code: 'bad_code' }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(Stripe.errors.StripeInvalidGrantError);
    expect((bad as Stripe.errors.StripeError).message).toContain('bad_code');

    stripe.setClientId('ca_fake');
    await expect(stripe.oauth.deauthorize({ stripe_user_id: ACCT })).resolves.toMatchObject({ stripe_user_id: ACCT });
    expect(fake.requestsTo('POST', '/oauth/deauthorize')[0].body).toEqual({ client_id: 'ca_fake', stripe_user_id: ACCT });
    // authorizeUrl uses the host but neither the port nor the protocol.
    expect(stripe.oauth.authorizeUrl({ client_id: 'ca_fake' })).toMatch(/^https:\/\/127\.0\.0\.1\/oauth\/authorize\?/);
  });

  it('rejects requests without a secret key', async () => {
    const res = await fetch(`${fake.url}/v1/invoices/in_x`);
    expect(res.status).toBe(401);
    expect(res.headers.get('request-id')).toMatch(/^req_/);
    await expect(client({}, 'pk_test_nope').invoices.retrieve('in_x')).rejects.toBeInstanceOf(
      Stripe.errors.StripeAuthenticationError,
    );
  });

  it('invoices.pay marks the stored invoice paid, records Stripe-Account, and refuses to pay it twice', async () => {
    fake.putInvoice(ACCT, { id: 'in_pay', customer: 'cus_1', amount_due: 4900 });
    const stripe = client();
    const paid = await stripe.invoices.pay('in_pay', { off_session: true }, { stripeAccount: ACCT });
    expect(paid).toMatchObject({
      id: 'in_pay',
      object: 'invoice',
      status: 'paid',
      amount_paid: 4900,
      amount_remaining: 0,
      attempted: true,
      attempt_count: 2,
      next_payment_attempt: null,
    });
    expect(paid.status_transitions.paid_at).toEqual(expect.any(Number));
    expect(paid).not.toHaveProperty('payments'); // only when expanded
    expect(paid.lastResponse.stripeAccount).toBe(ACCT);

    const [req] = fake.requestsTo('POST', '/v1/invoices/in_pay/pay');
    expect(req).toMatchObject({ stripeAccount: ACCT, stripeVersion: '2026-10-28.endive', body: { off_session: 'true' } });
    expect(req.idempotencyKey).toMatch(/^stripe-node-retry-/);

    const withPayments = await stripe.invoices.retrieve('in_pay', { expand: ['payments'] }, { stripeAccount: ACCT });
    expect(withPayments.payments?.data[0]).toMatchObject({ object: 'invoice_payment', status: 'paid', amount_paid: 4900, is_default: true });
    const list = await stripe.invoicePayments.list({ invoice: 'in_pay' }, { stripeAccount: ACCT });
    expect(list.data[0].payment.payment_intent).toMatch(/^pi_/);

    const again = await stripe.invoices.pay('in_pay', {}, { stripeAccount: ACCT }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(again).toMatchObject({ statusCode: 400, message: 'Invoice is already paid', code: undefined });

    // Objects live per account: the platform does not see the connected account's invoice.
    const missing = await stripe.invoices.retrieve('in_pay').catch((e: unknown) => e);
    expect(missing).toMatchObject({ statusCode: 404, code: 'resource_missing', type: 'StripeInvalidRequestError' });
  });

  it('declineNextPay yields a StripeCardError with readable decline data and leaves the invoice open', async () => {
    fake.putInvoice(ACCT, { id: 'in_dec', customer: 'cus_1', attempt_count: 1 });
    fake.declineNextPay('in_dec', { networkAdviceCode: '24' });
    const stripe = client();
    const err = await stripe.invoices.pay('in_dec', { off_session: true }, { stripeAccount: ACCT }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeCardError);
    const card = err as Stripe.errors.StripeCardError;
    expect(card).toMatchObject({
      statusCode: 402,
      code: 'card_declined',
      decline_code: 'insufficient_funds',
      advice_code: 'try_again_later',
      network_decline_code: '51',
      network_advice_code: '24',
      message: 'Your card has insufficient funds.',
    });
    expect(card.charge).toMatch(/^ch_/);
    expect(card.payment_intent?.last_payment_error?.decline_code).toBe('insufficient_funds');
    expect(card.headers?.['stripe-should-retry']).toBe('false');
    expect(fake.getInvoice(ACCT, 'in_dec')).toMatchObject({ status: 'open', attempt_count: 2, amount_paid: 0 });

    fake.declineNextPay('in_dec', { declineCode: 'expired_card' });
    await expect(stripe.invoices.pay('in_dec', {}, { stripeAccount: ACCT })).rejects.toMatchObject({
      code: 'expired_card',
      decline_code: 'expired_card',
      advice_code: 'confirm_card_data',
    });
    await expect(stripe.invoices.pay('in_dec', {}, { stripeAccount: ACCT })).resolves.toMatchObject({ status: 'paid', attempt_count: 4 });
  });

  it("a failed collection's charge carries the outcome, the billing details and the card as charged; invoices expand their customer", async () => {
    const stripe = client();
    fake.putPaymentMethod(ACCT, {
      id: 'pm_geo',
      billing_details: { address: { country: 'CA', state: 'BC', city: null, line1: null, line2: null, postal_code: null }, email: null, name: null, phone: null, tax_id: null },
    });
    fake.putCustomer(ACCT, { id: 'cus_geo', address: { country: 'US', state: 'IL', city: null, line1: null, line2: null, postal_code: null }, invoice_settings: { custom_fields: null, default_payment_method: 'pm_geo', footer: null, rendering_options: null } });
    fake.putInvoice(ACCT, { id: 'in_geo', customer: 'cus_geo' });
    fake.failInvoice(ACCT, 'in_geo', { declineCode: 'do_not_honor', networkAdviceCode: '24', networkCodesOnChargeOnly: true });

    const invoice = await stripe.invoices.retrieve('in_geo', { expand: ['customer'] }, { stripeAccount: ACCT });
    expect((invoice.customer as Stripe.Customer).address).toMatchObject({ country: 'US', state: 'IL' });
    const list = await stripe.invoicePayments.list({ invoice: 'in_geo', expand: ['data.payment.payment_intent.latest_charge'] }, { stripeAccount: ACCT });
    const pi = list.data[0]!.payment.payment_intent as Stripe.PaymentIntent;
    expect(pi.last_payment_error).toMatchObject({ decline_code: 'do_not_honor' });
    expect(pi.last_payment_error).not.toHaveProperty('network_advice_code');
    const charge = pi.latest_charge as Stripe.Charge;
    expect(charge).toMatchObject({
      object: 'charge',
      status: 'failed',
      failure_code: 'card_declined',
      outcome: { network_status: 'declined_by_network', network_decline_code: '05', network_advice_code: '24', type: 'issuer_declined' },
      billing_details: { address: { country: 'CA', state: 'BC' } },
      payment_method_details: { type: 'card', card: { country: 'US', funding: 'credit', brand: 'visa' } },
    });
    expect(await stripe.charges.retrieve(charge.id, {}, { stripeAccount: ACCT })).toEqual(charge);
  });

  it('a scripted 500 is retried by the SDK with the same idempotency key', async () => {
    fake.putInvoice(null, { id: 'in_retry', customer: 'cus_1' });
    fake.queue('POST', '/v1/invoices/in_retry/pay', { status: 500, body: { error: { type: 'api_error', message: 'boom' } } });
    const paid = await client({ maxNetworkRetries: 1 }).invoices.pay('in_retry');
    expect(paid.status).toBe('paid');
    const reqs = fake.requestsTo('POST', '/v1/invoices/in_retry/pay');
    expect(reqs).toHaveLength(2);
    expect(reqs[0].idempotencyKey).toBeTruthy();
    expect(reqs[1].idempotencyKey).toBe(reqs[0].idempotencyKey);
  });

  it('scripted responses match RegExp paths and fall back to default behaviour when used up', async () => {
    fake.putInvoice(null, { id: 'in_q', customer: 'cus_1' });
    fake.queue('GET', /^\/v1\/invoices\//, { status: 429, body: { error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many' } } });
    await expect(client().invoices.retrieve('in_q')).rejects.toBeInstanceOf(Stripe.errors.StripeRateLimitError);
    await expect(client().invoices.retrieve('in_q')).resolves.toMatchObject({ id: 'in_q', status: 'open' });
  });

  it('replays an idempotent request and rejects the same key with other parameters', async () => {
    fake.putInvoice(ACCT, { id: 'in_idem', customer: 'cus_1', attempt_count: 0 });
    const stripe = client();
    const opts = { stripeAccount: ACCT, idempotencyKey: 'recoup-in_idem-1' };
    const first = await stripe.invoices.pay('in_idem', { off_session: true }, opts);
    const second = await stripe.invoices.pay('in_idem', { off_session: true }, opts);
    expect(second).toEqual(first);
    expect(second.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(second.lastResponse.headers['original-request']).toBe(first.lastResponse.requestId);
    expect(fake.requestsTo('POST', '/v1/invoices/in_idem/pay')).toHaveLength(2); // replays are recorded
    expect(fake.getInvoice(ACCT, 'in_idem')?.attempt_count).toBe(1); // but not executed again

    const mismatch = await stripe.invoices.pay('in_idem', { off_session: false }, opts).catch((e: unknown) => e);
    expect(mismatch).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(mismatch).toMatchObject({ rawType: 'idempotency_error', statusCode: 400 });

    // A replayed decline stays a decline: no second attempt reaches the card.
    fake.putInvoice(ACCT, { id: 'in_idem2', customer: 'cus_1' });
    fake.declineNextPay('in_idem2');
    const key = { stripeAccount: ACCT, idempotencyKey: 'recoup-in_idem2-1' };
    await expect(stripe.invoices.pay('in_idem2', {}, key)).rejects.toBeInstanceOf(Stripe.errors.StripeCardError);
    await expect(stripe.invoices.pay('in_idem2', {}, key)).rejects.toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(fake.getInvoice(ACCT, 'in_idem2')).toMatchObject({ status: 'open', attempt_count: 2 });
  });

  it('updates a customer default payment method and serves payment methods', async () => {
    fake.putCustomer(ACCT, { id: 'cus_pm', metadata: { a: '1', b: '2' } });
    fake.putPaymentMethod(ACCT, { id: 'pm_new', customer: 'cus_pm' });
    const stripe = client();
    const customer = await stripe.customers.update(
      'cus_pm',
      { invoice_settings: { default_payment_method: 'pm_new' }, metadata: { a: '' } },
      { stripeAccount: ACCT },
    );
    expect(customer.invoice_settings.default_payment_method).toBe('pm_new');
    expect(customer.metadata).toEqual({ b: '2' });
    expect(fake.requestsTo('POST', '/v1/customers/cus_pm')[0].body).toEqual({
      invoice_settings: { default_payment_method: 'pm_new' },
      metadata: { a: '' },
    });
    const pm = await stripe.paymentMethods.retrieve('pm_new', {}, { stripeAccount: ACCT });
    expect(pm).toMatchObject({ object: 'payment_method', type: 'card', card: { last4: '4242' } });
    await expect(stripe.customers.retrieve('cus_pm', {}, { stripeAccount: ACCT })).resolves.toMatchObject({ id: 'cus_pm' });
  });

  it('billingPortal.sessions.create echoes flow_data and serves the portal page', async () => {
    fake.putCustomer(ACCT, { id: 'cus_portal' });
    const session = await client().billingPortal.sessions.create(
      {
        customer: 'cus_portal',
        return_url: 'https://merchant.example/account',
        flow_data: {
          type: 'payment_method_update',
          after_completion: { type: 'redirect', redirect: { return_url: 'https://merchant.example/thanks' } },
        },
      },
      { stripeAccount: ACCT },
    );
    expect(session).toMatchObject({
      object: 'billing_portal.session',
      customer: 'cus_portal',
      return_url: 'https://merchant.example/account',
      livemode: false,
      flow: {
        type: 'payment_method_update',
        after_completion: { type: 'redirect', redirect: { return_url: 'https://merchant.example/thanks' } },
      },
    });
    expect(session.url).toBe(`${fake.url}/fake-portal/${session.id}`);
    expect(fake.requestsTo('POST', '/v1/billing_portal/sessions')[0].body).toMatchObject({
      flow_data: { type: 'payment_method_update', after_completion: { redirect: { return_url: 'https://merchant.example/thanks' } } },
    });
    const page = await fetch(session.url);
    expect(await page.text()).toContain('Fake Stripe billing portal');

    await expect(client().billingPortal.sessions.create({ customer: 'cus_portal' })).rejects.toMatchObject({
      code: 'resource_missing', // the customer lives on the connected account, not the platform
    });
  });

  it('signPayload produces a header stripe.webhooks.constructEvent accepts', () => {
    const secret = 'whsec_test_secret';
    const invoice = makeInvoice({ id: 'in_evt', customer: 'cus_1' });
    const payload = JSON.stringify(makeEvent('invoice.payment_failed', invoice, { account: ACCT, id: 'evt_1' }));
    const event = client().webhooks.constructEvent(payload, signPayload(payload, secret), secret);
    expect(event).toMatchObject({ id: 'evt_1', type: 'invoice.payment_failed', account: ACCT, api_version: '2026-10-28.endive' });
    expect((event.data.object as Stripe.Invoice).id).toBe('in_evt');
    expect(() => client().webhooks.constructEvent(payload + ' ', signPayload(payload, secret), secret)).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
  });
});

describe('fake Stripe collection: Checkout Sessions, refunds, catalogue', () => {
  const opts = { stripeAccount: ACCT };
  const oneLine = (over: Partial<Stripe.Checkout.SessionCreateParams> = {}): Stripe.Checkout.SessionCreateParams => ({
    mode: 'payment',
    line_items: [{ price_data: { currency: 'gbp', unit_amount: 1250, product_data: { name: 'Invoice 42' } }, quantity: 2 }],
    client_reference_id: 'txn_1',
    metadata: { recoup_reference: 'txn_1' },
    payment_intent_data: { metadata: { recoup_reference: 'txn_1' }, description: 'Invoice 42' },
    customer_email: 'payer@example.com',
    success_url: 'https://merchant.example/paid?session={CHECKOUT_SESSION_ID}',
    cancel_url: 'https://merchant.example/cancel',
    ...over,
  });

  it('creates a payment-mode session on the connected account, with a URL on the fake and no PaymentIntent yet', async () => {
    const stripe = client();
    const before = Math.floor(Date.now() / 1000);
    const session = await stripe.checkout.sessions.create(oneLine(), { ...opts, idempotencyKey: 'pay-1' });
    expect(session).toMatchObject({
      object: 'checkout.session',
      mode: 'payment',
      status: 'open',
      payment_status: 'unpaid',
      amount_subtotal: 2500,
      amount_total: 2500,
      currency: 'gbp',
      client_reference_id: 'txn_1',
      metadata: { recoup_reference: 'txn_1' },
      customer_email: 'payer@example.com',
      success_url: 'https://merchant.example/paid?session={CHECKOUT_SESSION_ID}',
      payment_intent: null,
      livemode: false,
      ui_mode: 'hosted_page',
    });
    expect(session.id).toMatch(/^cs_test_/);
    expect(session.url).toBe(`${fake.url}/fake-checkout/${session.id}`);
    expect(session.expires_at).toBeGreaterThanOrEqual(before + 24 * 3600); // Stripe's default: 24 hours
    expect(session).not.toHaveProperty('line_items'); // only when expanded
    expect(session).not.toHaveProperty('payment_intent_data');
    const [req] = fake.requestsTo('POST', '/v1/checkout/sessions');
    expect(req).toMatchObject({ stripeAccount: ACCT, idempotencyKey: 'pay-1' });

    const again = await stripe.checkout.sessions.create(oneLine(), { ...opts, idempotencyKey: 'pay-1' });
    expect(again.id).toBe(session.id);
    expect(again.lastResponse.headers['idempotent-replayed']).toBe('true');

    const read = await stripe.checkout.sessions.retrieve(session.id, { expand: ['line_items'] }, opts);
    expect(read.line_items?.data).toEqual([
      expect.objectContaining({ object: 'item', description: 'Invoice 42', quantity: 2, amount_total: 2500, currency: 'gbp', price: expect.objectContaining({ unit_amount: 1250 }) }),
    ]);
    // Objects live per account.
    await expect(stripe.checkout.sessions.retrieve(session.id)).rejects.toMatchObject({ statusCode: 404, code: 'resource_missing' });
  });

  it('answers invalid sessions as Stripe does (400 invalid_request_error naming the param)', async () => {
    const stripe = client();
    const fail = (params: Stripe.Checkout.SessionCreateParams) => stripe.checkout.sessions.create(params, opts).catch((e: unknown) => e);
    const { success_url: _omitted, ...withoutSuccess } = oneLine();
    expect(await fail(withoutSuccess)).toMatchObject({
      type: 'StripeInvalidRequestError', statusCode: 400, code: 'parameter_missing', param: 'success_url', message: 'Missing required param: success_url.',
    });
    expect(await fail(oneLine({ line_items: [{ price_data: { currency: 'gbp', unit_amount: 500, product_data: { name: '' } }, quantity: 1 }] }))).toMatchObject({
      param: 'line_items[0][price_data][product_data][name]', code: 'parameter_missing',
    });
    expect(await fail(oneLine({ line_items: [{ price: 'price_nope', quantity: 1 }] }))).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'line_items[0][price]' });
    expect(await fail(oneLine({ expires_at: Math.floor(Date.now() / 1000) + 600 }))).toMatchObject({
      param: 'expires_at', message: 'The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.',
    });
    expect(await fail(oneLine({ expires_at: Math.floor(Date.now() / 1000) + 25 * 3600 }))).toMatchObject({ param: 'expires_at' });
    expect(await fail(oneLine({ line_items: [{ price_data: { currency: 'gbp', unit_amount: 20, product_data: { name: 'Tiny' } }, quantity: 1 }] }))).toMatchObject({
      message: "The Checkout Session's total amount due must add up to at least £0.30 gbp",
    });
    expect(await fail(oneLine({ metadata: { recoup_reference: 'x'.repeat(501) } }))).toMatchObject({ param: 'metadata[recoup_reference]' });
    expect(fake.requestsTo('POST', '/v1/checkout/sessions').every((r) => r.answeredStatus === 400)).toBe(true);
  });

  it('an outage fails checkout creation with 503; a rate limit with 429', async () => {
    fake.outage(true);
    await expect(client().checkout.sessions.create(oneLine(), opts)).rejects.toMatchObject({ type: 'StripeAPIError', statusCode: 503 });
    fake.outage(false);
    fake.failing([429]);
    await expect(client().checkout.sessions.create(oneLine(), opts)).rejects.toBeInstanceOf(Stripe.errors.StripeRateLimitError);
    fake.failing(null);
    await expect(client().checkout.sessions.create(oneLine(), opts)).resolves.toMatchObject({ status: 'open' });
  });

  it('names catalogue prices by id and serves products and prices', async () => {
    const stripe = client();
    fake.putProduct(ACCT, { id: 'prod_tee', name: 'T-shirt', default_price: 'price_tee' });
    fake.putPrice(ACCT, { id: 'price_tee', product: 'prod_tee', currency: 'gbp', unit_amount: 1500 });
    fake.putPrice(ACCT, { id: 'price_club', product: 'prod_tee', currency: 'gbp', unit_amount: 500, recurring: { interval: 'month', interval_count: 1, meter: null, trial_period_days: null, usage_type: 'licensed' } });
    fake.putProduct(ACCT, { id: 'prod_old', name: 'Retired', active: false });

    await expect(stripe.products.retrieve('prod_tee', {}, opts)).resolves.toMatchObject({ object: 'product', name: 'T-shirt', active: true });
    expect((await stripe.products.list({ active: true }, opts)).data.map((p) => p.id)).toEqual(['prod_tee']);
    expect((await stripe.products.list({ limit: 1 }, opts))).toMatchObject({ has_more: true, data: [{ id: 'prod_old' }] }); // newest first
    const price = await stripe.prices.retrieve('price_tee', { expand: ['product'] }, opts);
    expect(price).toMatchObject({ object: 'price', type: 'one_time', unit_amount: 1500, currency: 'gbp', product: { id: 'prod_tee', name: 'T-shirt' } });
    expect((await stripe.prices.list({ product: 'prod_tee', type: 'one_time' }, opts)).data.map((p) => p.id)).toEqual(['price_tee']);
    await expect(stripe.prices.retrieve('price_tee')).rejects.toMatchObject({ statusCode: 404 });

    const session = await stripe.checkout.sessions.create(oneLine({ line_items: [{ price: 'price_tee', quantity: 3 }] }), opts);
    expect(session).toMatchObject({ amount_total: 4500, currency: 'gbp' });
    const items = await stripe.checkout.sessions.listLineItems(session.id, {}, opts);
    expect(items.data[0]).toMatchObject({ description: 'T-shirt', quantity: 3, price: { id: 'price_tee' } });
    await expect(stripe.checkout.sessions.create(oneLine({ line_items: [{ price: 'price_club', quantity: 1 }] }), opts)).rejects.toMatchObject({
      param: 'line_items[0][price]',
      message: expect.stringContaining('recurring price'),
    });
  });

  it('the hosted page takes the payment: the session completes, a succeeded PaymentIntent and charge, a 303 to success_url', async () => {
    const stripe = client();
    const completed: CheckoutCompleted[] = [];
    fake.onCheckoutCompleted((c) => completed.push(c));
    const session = await stripe.checkout.sessions.create(oneLine(), opts);

    const page = await fetch(session.url!);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('£25.00');
    expect(html).toContain(`action="/fake-checkout/${session.id}/pay"`);

    const declined = await fetch(`${fake.url}/fake-checkout/${session.id}/pay`, { method: 'POST', body: new URLSearchParams({ decline: 'generic_decline' }) });
    expect(declined.status).toBe(402);
    expect(await declined.text()).toContain('Your card was declined.');
    const open = await stripe.checkout.sessions.retrieve(session.id, { expand: ['payment_intent.latest_charge'] }, opts);
    expect(open).toMatchObject({ status: 'open', payment_status: 'unpaid' });
    const tried = open.payment_intent as Stripe.PaymentIntent;
    expect(tried).toMatchObject({ status: 'requires_payment_method', last_payment_error: { code: 'card_declined', decline_code: 'generic_decline' } });
    expect(tried.latest_charge).toMatchObject({ status: 'failed', failure_code: 'card_declined' });
    expect(completed).toHaveLength(0);

    const paid = await fetch(`${fake.url}/fake-checkout/${session.id}/pay`, { method: 'POST', redirect: 'manual' });
    expect(paid.status).toBe(303);
    expect(paid.headers.get('location')).toBe(`https://merchant.example/paid?session=${session.id}`);

    const done = await stripe.checkout.sessions.retrieve(session.id, { expand: ['payment_intent', 'payment_intent.latest_charge'] }, opts);
    expect(done).toMatchObject({ status: 'complete', payment_status: 'paid', url: null, customer_details: { email: 'payer@example.com' } });
    const pi = done.payment_intent as Stripe.PaymentIntent;
    expect(pi.id).toBe(tried.id); // one PaymentIntent across tries
    expect(pi).toMatchObject({ object: 'payment_intent', status: 'succeeded', amount: 2500, amount_received: 2500, currency: 'gbp', metadata: { recoup_reference: 'txn_1' }, description: 'Invoice 42', last_payment_error: null });
    const charge = pi.latest_charge as Stripe.Charge;
    expect(charge).toMatchObject({ object: 'charge', status: 'succeeded', paid: true, amount: 2500, amount_refunded: 0, payment_intent: pi.id });
    expect(charge.id).toMatch(/^ch_/);
    await expect(stripe.paymentIntents.retrieve(pi.id, {}, opts)).resolves.toMatchObject({ latest_charge: charge.id });

    expect(completed).toHaveLength(1);
    expect(completed[0]).toMatchObject({ account: ACCT, session: { id: session.id, status: 'complete' } });
    expect(completed[0]!.event).toMatchObject({ type: 'checkout.session.completed', account: ACCT, data: { object: { id: session.id, payment_intent: pi.id } } });

    expect((await fetch(`${fake.url}/fake-checkout/${session.id}/pay`, { method: 'POST', redirect: 'manual' })).status).toBe(409);
    expect(await (await fetch(session.url!)).text()).toContain('already paid');
  });

  it('completeCheckout pays (or declines) programmatically; the completed session can become a signed event', async () => {
    const stripe = client();
    const session = await stripe.checkout.sessions.create(oneLine(), opts);
    const stillOpen = fake.completeCheckout(ACCT, session.id, { decline: { declineCode: 'insufficient_funds' } });
    expect(stillOpen).toMatchObject({ status: 'open', payment_intent: expect.stringMatching(/^pi_/) });
    const done = fake.completeCheckout(ACCT, session.id);
    expect(done).toMatchObject({ status: 'complete', payment_status: 'paid', payment_intent: stillOpen.payment_intent });
    expect(() => fake.completeCheckout(ACCT, session.id)).toThrow(/complete, not open/);

    const secret = 'whsec_checkout';
    const payload = JSON.stringify(makeEvent('checkout.session.completed', done, { account: ACCT }));
    const event = stripe.webhooks.constructEvent(payload, signPayload(payload, secret), secret);
    expect((event.data.object as Stripe.Checkout.Session).payment_status).toBe('paid');
  });

  it('expires only an open session; a lapsed session reads as expired', async () => {
    const stripe = client();
    const session = await stripe.checkout.sessions.create(oneLine(), opts);
    await expect(stripe.checkout.sessions.expire(session.id, {}, opts)).resolves.toMatchObject({ status: 'expired', url: null });
    const again = await stripe.checkout.sessions.expire(session.id, {}, opts).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(again).toMatchObject({ statusCode: 400, message: expect.stringContaining("Only Checkout Sessions with a status in ['open'] can be expired") });
    expect(() => fake.completeCheckout(ACCT, session.id)).toThrow(/expired/);
    expect((await fetch(`${fake.url}/fake-checkout/${session.id}/pay`, { method: 'POST' })).status).toBe(409);

    const paid = await stripe.checkout.sessions.create(oneLine(), opts);
    fake.completeCheckout(ACCT, paid.id);
    await expect(stripe.checkout.sessions.expire(paid.id, {}, opts)).rejects.toMatchObject({ message: expect.stringContaining('has a status of complete') });

    const lapsing = await stripe.checkout.sessions.create(oneLine(), opts);
    expect(fake.lapseCheckout(ACCT, lapsing.id)).toMatchObject({ status: 'expired' });
    await expect(stripe.checkout.sessions.retrieve(lapsing.id, {}, opts)).resolves.toMatchObject({ status: 'expired', url: null });
    await expect(stripe.checkout.sessions.expire('cs_test_nope', {}, opts)).rejects.toMatchObject({ statusCode: 404, code: 'resource_missing' });
  });

  it('refunds a paid PaymentIntent up to what is left: pending, then settled; the charge counts what was refunded', async () => {
    const stripe = client();
    const session = await stripe.checkout.sessions.create(oneLine(), opts);
    const pi = String(fake.completeCheckout(ACCT, session.id).payment_intent);

    const part = await stripe.refunds.create({ payment_intent: pi, amount: 1000, reason: 'requested_by_customer', metadata: { reason: 'damaged' } }, { ...opts, idempotencyKey: 'refund-1' });
    expect(part).toMatchObject({ object: 'refund', amount: 1000, currency: 'gbp', status: 'pending', payment_intent: pi, reason: 'requested_by_customer', metadata: { reason: 'damaged' } });
    expect(part.id).toMatch(/^re_/);
    const replay = await stripe.refunds.create({ payment_intent: pi, amount: 1000, reason: 'requested_by_customer', metadata: { reason: 'damaged' } }, { ...opts, idempotencyKey: 'refund-1' });
    expect(replay.id).toBe(part.id);
    await expect(stripe.charges.retrieve(String(part.charge), {}, opts)).resolves.toMatchObject({ amount_refunded: 1000, refunded: false });

    const tooMuch = await stripe.refunds.create({ payment_intent: pi, amount: 2000 }, opts).catch((e: unknown) => e);
    expect(tooMuch).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(tooMuch).toMatchObject({ statusCode: 400, param: 'amount', message: 'Refund amount (£20.00) is greater than unrefunded amount on charge (£15.00)' });

    const rest = await stripe.refunds.create({ payment_intent: pi }, opts); // amount defaults to what is left
    expect(rest).toMatchObject({ amount: 1500, status: 'pending' });
    await expect(stripe.charges.retrieve(String(part.charge), {}, opts)).resolves.toMatchObject({ amount_refunded: 2500, refunded: true });
    await expect(stripe.refunds.create({ charge: String(part.charge), amount: 1 }, opts)).rejects.toMatchObject({
      code: 'charge_already_refunded', message: `Charge ${part.charge} has already been refunded.`,
    });

    expect(fake.settleRefund(ACCT, part.id, 'succeeded')).toMatchObject({ status: 'succeeded' });
    await expect(stripe.refunds.retrieve(part.id, {}, opts)).resolves.toMatchObject({ status: 'succeeded' });
    expect(fake.settleRefund(ACCT, rest.id, 'failed')).toMatchObject({ status: 'failed', failure_reason: 'expired_or_canceled_card' });
    await expect(stripe.charges.retrieve(String(part.charge), {}, opts)).resolves.toMatchObject({ amount_refunded: 1000, refunded: false });
    expect(() => fake.settleRefund(ACCT, part.id, 'failed')).toThrow(/not pending/);
    expect((await stripe.refunds.list({ payment_intent: pi }, opts)).data.map((r) => r.id)).toEqual([rest.id, part.id]);
    await expect(stripe.refunds.retrieve(part.id)).rejects.toMatchObject({ statusCode: 404 });
  });

  it('refuses to refund what was not paid', async () => {
    const stripe = client();
    const session = await stripe.checkout.sessions.create(oneLine(), opts);
    const pi = String(fake.completeCheckout(ACCT, session.id, { decline: true }).payment_intent);
    await expect(stripe.refunds.create({ payment_intent: pi }, opts)).rejects.toMatchObject({
      statusCode: 400, message: `This PaymentIntent (${pi}) does not have a successful charge to refund.`,
    });
    await expect(stripe.refunds.create({ payment_intent: 'pi_nope' }, opts)).rejects.toMatchObject({ code: 'resource_missing', param: 'payment_intent' });
    await expect(stripe.refunds.create({}, opts)).rejects.toMatchObject({ statusCode: 400 });
  });

  it('serves the connected account; a revoked account answers 403', async () => {
    const stripe = client();
    await expect(stripe.accounts.retrieveCurrent({}, opts)).resolves.toMatchObject({ object: 'account', id: ACCT, charges_enabled: true });
    fake.revokeAccess(ACCT);
    const refused = await stripe.accounts.retrieveCurrent({}, opts).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Stripe.errors.StripePermissionError);
    expect(refused).toMatchObject({ statusCode: 403, code: 'account_invalid' });
    await expect(stripe.accounts.retrieveCurrent()).resolves.toMatchObject({ id: 'acct_fake_platform' });
    fake.revokeAccess(ACCT, false);
    await expect(stripe.accounts.retrieveCurrent({}, opts)).resolves.toMatchObject({ id: ACCT });
  });
});
