// GoCardless: the `details.cause` of a payment `failed` event (payments webhook, `payment.failed`).
// Source: https://developer.gocardless.com/api-reference/ (Events: payment actions and causes), https://support.gocardless.com/hc/en-us/articles/360001467265-Payment-failures; GoCardless gives no retry class per cause and Direct Debit has no card to expire, so bank_account_closed (the customer must give new bank details) stands for the expired-card kind, refer_to_payer (the bank's catch-all, usually funds) for do-not-honour, and mandate_cancelled follows Stripe's revocation_of_authorization.
import type { Spec } from "./decline-vocabulary";

export const GOCARDLESS: readonly Spec[] = [
  ["insufficient_funds", "soft_retry", "insufficient_funds", "The customer's bank account did not have enough funds to pay the Direct Debit."],
  ["bank_account_closed", "hard_customer", "closed_account", "The customer's bank account has been closed, so the mandate is cancelled and new bank details are needed."],
  ["refer_to_payer", "soft_retry", "do_not_honor", "The customer's bank did not pay the Direct Debit and gave no specific reason; this is usually a lack of funds."],
  ["mandate_cancelled", "terminal", "revoked", "The customer cancelled the Direct Debit mandate at their bank before the payment was collected."],
];
