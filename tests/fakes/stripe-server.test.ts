// Drives the fake through the real stripe-node SDK, so the fake is checked against what the SDK sends and expects.
import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeEvent, makeInvoice, signPayload, startFakeStripe, type FakeStripe } from './stripe-server';

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
