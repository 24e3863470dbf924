// Catalogue of payment decline codes, shared by the retry policy, the dashboard and the emails.
// Pure data: no IO. Sources: https://docs.stripe.com/declines/codes,
// https://shopify.dev/docs/api/admin-graphql/latest/enums/SubscriptionBillingAttemptErrorCode,
// https://docs.adyen.com/development-resources/refusal-reasons/,
// https://developer.paypal.com/braintree/articles/control-panel/transactions/declines,
// https://www.checkout.com/docs/resources/codes/response-codes. The other eight PSPs (their common
// failures on recurring charges) are in ./decline-codes-<psp>.ts, each citing its own source.
import { AUTHORIZE_NET } from "./decline-codes-authorize-net";
import { PAYPAL } from "./decline-codes-paypal";
import { WORLDPAY } from "./decline-codes-worldpay";
import { GOCARDLESS } from "./decline-codes-gocardless";
import { MOLLIE } from "./decline-codes-mollie";
import { SQUARE } from "./decline-codes-square";
import { RAZORPAY } from "./decline-codes-razorpay";
import { PADDLE } from "./decline-codes-paddle";

import { DECLINE_SUBCATEGORIES, type DeclineCategory, type DeclineSubcategory, type Spec } from "./decline-vocabulary";

export { DECLINE_CATEGORIES, DECLINE_SUBCATEGORIES, type DeclineCategory, type DeclineSubcategory, type Spec } from "./decline-vocabulary";
export const DECLINE_CATEGORY_DESCRIPTIONS: Readonly<Record<DeclineCategory, string>> = {
  soft_retry: "Temporary: a later retry is likely to succeed.",
  hard_customer: "The customer must act (new card, corrected details, authentication) before a retry can succeed.",
  terminal: "This card will not be approved again: never retry it.",
  unknown: "The reason is not recognised: retried cautiously.",
};

export const DECLINE_PSPS = ["stripe", "adyen", "braintree", "checkout", "shopify", "authorize_net", "paypal", "worldpay", "gocardless", "mollie", "square", "razorpay", "paddle"] as const;
export type DeclinePsp = (typeof DECLINE_PSPS)[number];

/**
 * Terminal subcategories where asking the customer for a new card is pointless or unsafe
 * (the card is in someone else's hands, the cardholder revoked us, the merchant blocked it,
 * or only the merchant can fix it). The policy stops instead of emailing.
 */
export const NO_CONTACT_SUBCATEGORIES: ReadonlySet<DeclineSubcategory> = new Set<DeclineSubcategory>([
  "fraud",
  "lost_or_stolen",
  "pickup_card",
  "revoked",
  "blocked",
  "merchant_action",
  "already_paid",
]);

export interface DeclineCode {
  readonly code: string;
  readonly psp: DeclinePsp;
  readonly category: DeclineCategory;
  readonly subcategory: DeclineSubcategory;
  /** Merchant words. */
  readonly description: string;
  /** Plain words for the cardholder: no jargon, no blame. */
  readonly customerMessage: string;
  readonly recommendedAction: string;
}

const CUSTOMER_MESSAGES: Record<DeclineSubcategory, string> = {
  insufficient_funds: "Your bank declined the payment because the card's balance was too low.",
  limits: "The payment went over a spending limit on your card, so your bank declined it.",
  do_not_honor: "Your bank declined the payment without giving us a reason.",
  processing: "The payment didn't go through because of a temporary problem between the banks. We'll try again for you.",
  issuer_unavailable: "We couldn't reach your bank to approve the payment. We'll try again for you.",
  duplicate: "Your bank held the payment back because it looked like a repeat of a recent one.",
  expired_card: "The card we have on file has expired.",
  invalid_card: "Some of the card details we have don't match what your bank has on file.",
  authentication: "Your bank needs you to confirm this payment before it can go through.",
  pin_required: "Your bank asked for the card's PIN, which can't be entered for an online payment.",
  payment_method_missing: "We don't have a payment method on file that can be used for this payment.",
  not_permitted: "This card can't be used for this kind of payment.",
  restricted: "Your bank has limited what this card can be used for, so the payment was declined.",
  closed_account: "The account linked to this card is no longer open.",
  do_not_try_again: "Your bank declined the payment and asked us not to try this card again.",
  fraud: "Your bank declined the payment. Using a different card or calling your bank will sort it out.",
  lost_or_stolen: "Your bank can no longer approve payments on this card.",
  pickup_card: "Your bank can no longer approve payments on this card.",
  revoked: "Your bank has stopped payments to us from this card.",
  blocked: "We couldn't take this payment with this card.",
  merchant_action: "The payment couldn't be taken because of a problem on our side. You don't need to do anything.",
  already_paid: "This invoice has already been paid. Nothing more is needed.",
  other: "Your bank declined the payment.",
};

const RECOMMENDED_ACTIONS: Record<DeclineSubcategory, string> = {
  insufficient_funds: "Retry in the customer's morning, ideally just after a payday.",
  limits: "Retry after a day or more, when the card's spending limit has reset.",
  do_not_honor: "Retry a few times over the following days; ask for another card if it keeps failing.",
  processing: "Retry within hours: the problem is usually on the network's side.",
  issuer_unavailable: "Retry within hours, once the issuer is reachable again.",
  duplicate: "Check that no earlier payment succeeded, then retry later.",
  expired_card: "Ask the customer for a new card; retrying the expired one cannot succeed.",
  invalid_card: "Ask the customer to correct the card details or add another card.",
  authentication: "Send the customer a link to confirm the payment; never retry blind.",
  pin_required: "Ask the customer for another card: a PIN can't be entered online.",
  payment_method_missing: "Ask the customer to add a payment method.",
  not_permitted: "Ask the customer for another card; this one can't be used for this payment.",
  restricted: "Do not retry; ask the customer for another card.",
  closed_account: "Do not retry; ask the customer for another card.",
  do_not_try_again: "Do not retry this card; ask the customer for another one.",
  fraud: "Do not retry and do not chase the customer about this card.",
  lost_or_stolen: "Do not retry and do not chase the customer about this card.",
  pickup_card: "Do not retry and do not chase the customer about this card.",
  revoked: "Do not retry: the cardholder told their bank to stop paying you.",
  blocked: "Do not retry: your own rules block this card.",
  merchant_action: "Fix the store or payment-provider setup, then restart the recovery.",
  already_paid: "Nothing to recover: mark the invoice as paid.",
  other: "Retry a few times over the following days.",
};


function build(psp: DeclinePsp, specs: readonly Spec[]): DeclineCode[] {
  return specs.map(([code, category, subcategory, description]) => ({
    code,
    psp,
    category,
    subcategory,
    description,
    customerMessage: CUSTOMER_MESSAGES[subcategory],
    recommendedAction: RECOMMENDED_ACTIONS[subcategory],
  }));
}

const STRIPE: readonly Spec[] = [
  ["authentication_required", "hard_customer", "authentication", "The issuer requires the customer to authenticate the payment (3D Secure)."],
  ["approve_with_id", "soft_retry", "processing", "The issuer could not authorise the payment; a later attempt may pass."],
  ["call_issuer", "soft_retry", "do_not_honor", "The issuer declined for an unknown reason and asks the cardholder to call."],
  ["card_not_supported", "terminal", "not_permitted", "The card does not support this type of purchase."],
  ["card_velocity_exceeded", "soft_retry", "limits", "The customer exceeded the balance, credit limit or transaction count on the card."],
  ["currency_not_supported", "terminal", "not_permitted", "The card does not support the payment's currency."],
  ["do_not_honor", "soft_retry", "do_not_honor", "The issuer declined without giving a reason (do not honour)."],
  ["do_not_try_again", "terminal", "do_not_try_again", "The issuer asked not to retry this card."],
  ["duplicate_transaction", "soft_retry", "duplicate", "An identical payment on this card was submitted very recently."],
  ["expired_card", "hard_customer", "expired_card", "The card has expired."],
  ["fraudulent", "terminal", "fraud", "The payment was declined as suspected fraud."],
  ["generic_decline", "soft_retry", "other", "The issuer declined without a specific reason."],
  ["incorrect_number", "hard_customer", "invalid_card", "The card number is incorrect."],
  ["incorrect_cvc", "hard_customer", "invalid_card", "The security code (CVC) is incorrect."],
  ["incorrect_pin", "hard_customer", "pin_required", "The PIN entered is incorrect."],
  ["incorrect_zip", "hard_customer", "invalid_card", "The postal code does not match the card's billing address."],
  ["insufficient_funds", "soft_retry", "insufficient_funds", "The card has insufficient funds for this payment."],
  ["invalid_account", "hard_customer", "closed_account", "The card, or the account it is connected to, is invalid."],
  ["invalid_amount", "hard_customer", "limits", "The amount is invalid or exceeds what the card allows."],
  ["invalid_cvc", "hard_customer", "invalid_card", "The security code (CVC) is invalid."],
  ["invalid_expiry_month", "hard_customer", "invalid_card", "The expiry month is invalid."],
  ["invalid_expiry_year", "hard_customer", "invalid_card", "The expiry year is invalid."],
  ["invalid_number", "hard_customer", "invalid_card", "The card number is invalid."],
  ["invalid_pin", "hard_customer", "pin_required", "The PIN is invalid."],
  ["issuer_not_available", "soft_retry", "issuer_unavailable", "The issuer could not be reached to authorise the payment."],
  ["lost_card", "terminal", "lost_or_stolen", "The card was reported lost."],
  ["merchant_blacklist", "terminal", "blocked", "The card matches a value on your Stripe block list."],
  ["new_account_information_available", "hard_customer", "invalid_card", "The issuer has new details for this card or account."],
  ["no_action_taken", "soft_retry", "do_not_honor", "The issuer declined for an unknown reason."],
  ["not_permitted", "terminal", "not_permitted", "The issuer does not permit this payment."],
  ["offline_pin_required", "hard_customer", "pin_required", "The card requires a PIN (in-person only)."],
  ["online_or_offline_pin_required", "hard_customer", "pin_required", "The card requires a PIN (in-person only)."],
  ["pickup_card", "terminal", "pickup_card", "The issuer asked to retain the card (it may be lost or stolen)."],
  ["pin_try_exceeded", "hard_customer", "pin_required", "Too many wrong PIN attempts."],
  ["processing_error", "soft_retry", "processing", "An error occurred while processing the card."],
  ["reenter_transaction", "soft_retry", "processing", "The issuer could not process the payment; it can be submitted again."],
  ["restricted_card", "terminal", "restricted", "The card cannot be used for this payment (it may be reported lost or stolen)."],
  ["revocation_of_all_authorizations", "terminal", "revoked", "The cardholder revoked all recurring authorisations with their bank."],
  ["revocation_of_authorization", "terminal", "revoked", "The cardholder revoked the recurring authorisation for this merchant."],
  ["security_violation", "terminal", "fraud", "The issuer declined for a security violation."],
  ["service_not_allowed", "terminal", "not_permitted", "The issuer does not allow this kind of payment on the card."],
  ["stolen_card", "terminal", "lost_or_stolen", "The card was reported stolen."],
  ["stop_payment_order", "terminal", "revoked", "The cardholder asked their bank to stop this payment."],
  ["testmode_decline", "terminal", "invalid_card", "A Stripe test card was used in live mode."],
  ["transaction_not_allowed", "terminal", "not_permitted", "The issuer does not allow this transaction on the card."],
  ["try_again_later", "soft_retry", "processing", "The issuer declined for now and asks to try again later."],
  ["withdrawal_count_limit_exceeded", "soft_retry", "limits", "The customer exceeded the card's balance or credit limit."],
  // Stripe error codes (last_payment_error.code) that can arrive without a decline_code.
  ["card_declined", "soft_retry", "other", "The card was declined (no specific reason given)."],
  ["card_decline_rate_limit_exceeded", "soft_retry", "limits", "Stripe blocked the card after too many recent declines; wait 24 hours."],
  ["payment_intent_authentication_failure", "hard_customer", "authentication", "The customer did not complete authentication."],
];

// Shopify: the webhook's error_code (lower snake case) and the GraphQL enum (upper case);
// every code is listed in both spellings so the catalogue reads like either API.
const SHOPIFY_SPECS: readonly Spec[] = [
  ["amount_too_large", "hard_customer", "limits", "The amount exceeds the limit of this payment method."],
  ["amount_too_small", "terminal", "merchant_action", "The amount is too small to be charged."],
  ["authentication_error", "hard_customer", "authentication", "The payment needed authentication that failed or errored."],
  ["authentication_failed", "hard_customer", "authentication", "Authentication failed during payment processing."],
  ["authentication_required", "hard_customer", "authentication", "The customer must authenticate the payment."],
  ["buyer_canceled_payment_method", "hard_customer", "payment_method_missing", "The customer cancelled this payment method."],
  ["call_issuer", "soft_retry", "do_not_honor", "The issuer asks the cardholder to call them."],
  ["cancelled_payment", "unknown", "other", "The payment was cancelled."],
  ["card_declined", "soft_retry", "other", "The card was declined (no specific reason given)."],
  ["card_number_incorrect", "hard_customer", "invalid_card", "The card number is incorrect."],
  ["confirmation_rejected", "hard_customer", "authentication", "The customer's confirmation of the payment was rejected."],
  ["customer_invalid", "terminal", "merchant_action", "The Shopify customer record is invalid."],
  ["customer_not_found", "terminal", "merchant_action", "The Shopify customer was not found."],
  ["do_not_honor", "soft_retry", "do_not_honor", "The issuer declined without giving a reason (do not honour)."],
  ["expired_buyer_action", "hard_customer", "authentication", "The customer did not complete a required action in time."],
  ["expired_card", "hard_customer", "expired_card", "The card has expired."],
  ["expired_payment_method", "hard_customer", "expired_card", "The payment method has expired."],
  ["fraud_suspected", "terminal", "fraud", "The payment was declined as suspected fraud."],
  ["free_gift_card_not_allowed", "terminal", "merchant_action", "Free gift cards are not allowed in a billing attempt."],
  ["generic_error", "unknown", "other", "The payment failed for an unspecified reason."],
  ["incorrect_address", "hard_customer", "invalid_card", "The address does not match the card."],
  ["incorrect_number", "hard_customer", "invalid_card", "The card number is incorrect."],
  ["incorrect_zip", "hard_customer", "invalid_card", "The postal code does not match the card."],
  ["insufficient_funds", "soft_retry", "insufficient_funds", "The card has insufficient funds for this payment."],
  ["insufficient_inventory", "terminal", "merchant_action", "Not enough inventory to fulfil the order."],
  ["invalid_billing_address", "hard_customer", "invalid_card", "The billing address is invalid."],
  ["invalid_currency", "terminal", "not_permitted", "The payment method does not support this currency."],
  ["invalid_customer_billing_agreement", "hard_customer", "payment_method_missing", "The customer's billing agreement (e.g. PayPal) is invalid."],
  ["invalid_cvc", "hard_customer", "invalid_card", "The security code (CVC) is invalid."],
  ["invalid_expiry_date", "hard_customer", "invalid_card", "The expiry date is invalid."],
  ["invalid_number", "hard_customer", "invalid_card", "The card number is invalid."],
  ["invalid_payment_method", "hard_customer", "invalid_card", "The payment method is invalid."],
  ["invalid_purchase_type", "terminal", "not_permitted", "The payment method does not support this type of purchase."],
  ["invalid_shipping_address", "terminal", "merchant_action", "The subscription's shipping address is missing or invalid."],
  ["inventory_allocations_not_found", "terminal", "merchant_action", "No inventory location is found or enabled."],
  ["invoice_already_paid", "terminal", "already_paid", "The invoice has already been paid."],
  ["merchant_account_error", "terminal", "merchant_action", "The merchant's payment account has an error."],
  ["merchant_rule", "terminal", "blocked", "One of the store's own rules blocked the payment."],
  ["non_test_order_limit_reached", "terminal", "merchant_action", "The store reached its limit of non-test orders."],
  ["off_session_rejected", "hard_customer", "authentication", "The issuer refused a payment without the customer present."],
  ["payment_method_declined", "soft_retry", "other", "The payment method was declined by the processor."],
  ["payment_method_incompatible_with_gateway_config", "terminal", "merchant_action", "The payment method is incompatible with the gateway's (test) mode."],
  ["payment_method_not_found", "hard_customer", "payment_method_missing", "The payment method was not found."],
  ["payment_method_not_specified", "hard_customer", "payment_method_missing", "No payment method was specified."],
  ["payment_method_unsupported", "terminal", "not_permitted", "The payment method is not supported."],
  ["payment_provider_error", "soft_retry", "processing", "The payment provider returned an error."],
  ["payment_provider_is_not_enabled", "terminal", "merchant_action", "The store's payment provider is not enabled."],
  ["paypal_error_general", "soft_retry", "other", "PayPal declined the payment."],
  ["pick_up_card", "terminal", "pickup_card", "The issuer asked to retain the card."],
  ["processing_error", "soft_retry", "processing", "An error occurred while processing the payment."],
  ["purchase_type_not_supported", "terminal", "not_permitted", "The purchase type is not supported."],
  ["test_mode", "terminal", "merchant_action", "The store is in test mode."],
  ["transaction_limit_exceeded", "soft_retry", "limits", "A transaction limit was exceeded."],
  ["transient_error", "soft_retry", "processing", "A temporary error occurred; a retry should work."],
  ["unexpected_error", "unknown", "other", "An unexpected error occurred."],
];

const SHOPIFY: readonly Spec[] = SHOPIFY_SPECS.flatMap(
  ([code, ...rest]) => [[code, ...rest], [code.toUpperCase(), ...rest]] as const,
);

// Adyen: the refusalReason text.
const ADYEN: readonly Spec[] = [
  ["Refused", "soft_retry", "do_not_honor", "The issuer refused the payment without a specific reason."],
  ["Referral", "soft_retry", "do_not_honor", "The issuer asks for a referral (call the issuer)."],
  ["Acquirer Error", "soft_retry", "processing", "An error occurred at the acquirer."],
  ["Blocked Card", "terminal", "restricted", "The card is blocked."],
  ["Expired Card", "hard_customer", "expired_card", "The card has expired."],
  ["Invalid Amount", "hard_customer", "limits", "The amount is invalid or above what the card allows."],
  ["Invalid Card Number", "hard_customer", "invalid_card", "The card number is invalid."],
  ["Issuer Unavailable", "soft_retry", "issuer_unavailable", "The issuer could not be reached."],
  ["Not supported", "terminal", "not_permitted", "The issuer does not support this payment type."],
  ["3D Not Authenticated", "hard_customer", "authentication", "3D Secure authentication was not completed."],
  ["Not enough balance", "soft_retry", "insufficient_funds", "The card has insufficient funds."],
  ["Acquirer Fraud", "terminal", "fraud", "The acquirer flagged the payment as fraud."],
  ["Cancelled", "unknown", "other", "The payment was cancelled before completion."],
  ["Shopper Cancelled", "unknown", "other", "The shopper cancelled the payment."],
  ["Invalid Pin", "hard_customer", "pin_required", "The PIN is invalid."],
  ["Pin tries exceeded", "hard_customer", "pin_required", "Too many wrong PIN attempts."],
  ["Pin validation not possible", "soft_retry", "processing", "The PIN could not be validated."],
  ["FRAUD", "terminal", "fraud", "Adyen's risk checks refused the payment as fraud."],
  ["Not Submitted", "soft_retry", "processing", "The payment was not submitted to the issuer."],
  ["FRAUD-CANCELLED", "terminal", "fraud", "The payment was cancelled by risk checks."],
  ["Transaction Not Permitted", "terminal", "not_permitted", "The issuer does not permit this transaction."],
  ["CVC Declined", "hard_customer", "invalid_card", "The security code (CVC) was declined."],
  ["Restricted Card", "terminal", "restricted", "The card is restricted."],
  ["Revocation Of Auth", "terminal", "revoked", "The cardholder revoked the recurring authorisation."],
  ["Declined Non Generic", "soft_retry", "other", "The issuer declined with a reason Adyen does not map."],
  ["Withdrawal amount exceeded", "soft_retry", "limits", "The card's spending amount limit was exceeded."],
  ["Withdrawal count exceeded", "soft_retry", "limits", "The card's transaction count limit was exceeded."],
  ["Issuer Suspected Fraud", "terminal", "fraud", "The issuer suspects fraud."],
  ["AVS Declined", "hard_customer", "invalid_card", "The address did not match the card."],
  ["Card requires online pin", "hard_customer", "pin_required", "The card requires an online PIN."],
  ["No checking account available on Card", "hard_customer", "invalid_card", "The card has no checking account."],
  ["No savings account available on Card", "hard_customer", "invalid_card", "The card has no savings account."],
  ["Mobile pin required", "hard_customer", "pin_required", "The card requires a mobile PIN."],
  ["Authentication required", "hard_customer", "authentication", "The issuer requires authentication (3D Secure)."],
  ["RReq not received from DS", "soft_retry", "processing", "The 3D Secure directory server did not answer."],
  ["3DS Authentication Error", "hard_customer", "authentication", "3D Secure authentication failed."],
  ["Transaction blocked by Adyen to prevent excessive retry fees", "soft_retry", "limits", "Adyen blocked the attempt: too many retries on this card."],
  ["Do Not Honor", "soft_retry", "do_not_honor", "The issuer declined without giving a reason (do not honour)."],
  ["Insufficient Funds", "soft_retry", "insufficient_funds", "The card has insufficient funds."],
];

// Braintree processor response codes.
const BRAINTREE: readonly Spec[] = [
  ["2000", "soft_retry", "do_not_honor", "Do Not Honor."],
  ["2001", "soft_retry", "insufficient_funds", "Insufficient Funds."],
  ["2002", "soft_retry", "limits", "Limit Exceeded."],
  ["2003", "soft_retry", "limits", "Cardholder's Activity Limit Exceeded."],
  ["2004", "hard_customer", "expired_card", "Expired Card."],
  ["2005", "hard_customer", "invalid_card", "Invalid Credit Card Number."],
  ["2006", "hard_customer", "invalid_card", "Invalid Expiration Date."],
  ["2007", "hard_customer", "closed_account", "No Account."],
  ["2008", "hard_customer", "invalid_card", "Card Account Length Error."],
  ["2009", "hard_customer", "invalid_card", "No Such Issuer."],
  ["2010", "hard_customer", "invalid_card", "Card Issuer Declined CVV."],
  ["2011", "soft_retry", "do_not_honor", "Voice Authorization Required."],
  ["2012", "terminal", "lost_or_stolen", "Processor Declined - Possible Lost Card."],
  ["2013", "terminal", "lost_or_stolen", "Processor Declined - Possible Stolen Card."],
  ["2014", "terminal", "fraud", "Processor Declined - Fraud Suspected."],
  ["2015", "terminal", "not_permitted", "Transaction Not Allowed."],
  ["2016", "soft_retry", "duplicate", "Duplicate Transaction."],
  ["2017", "terminal", "revoked", "Cardholder Stopped Billing."],
  ["2018", "terminal", "revoked", "Cardholder Stopped All Billing."],
  ["2019", "terminal", "not_permitted", "Invalid Transaction."],
  ["2020", "terminal", "fraud", "Violation."],
  ["2021", "terminal", "fraud", "Security Violation."],
  ["2022", "hard_customer", "invalid_card", "Declined - Updated Cardholder Available."],
  ["2023", "terminal", "merchant_action", "Processor Does Not Support This Feature."],
  ["2024", "terminal", "merchant_action", "Card Type Not Enabled."],
  ["2025", "terminal", "merchant_action", "Set Up Error - Merchant."],
  ["2026", "terminal", "merchant_action", "Invalid Merchant ID."],
  ["2038", "soft_retry", "do_not_honor", "Processor Declined."],
  ["2041", "soft_retry", "do_not_honor", "Declined - Call For Approval."],
  ["2043", "terminal", "do_not_try_again", "Error - Do Not Retry, Call Issuer."],
  ["2044", "soft_retry", "do_not_honor", "Declined - Call Issuer."],
  ["2046", "soft_retry", "other", "Declined."],
  ["2047", "terminal", "pickup_card", "Call Issuer. Pick Up Card."],
  ["2048", "hard_customer", "limits", "Invalid Amount."],
  ["2053", "terminal", "lost_or_stolen", "Card reported as lost or stolen."],
  ["2057", "terminal", "restricted", "Issuer or Cardholder has put a restriction on the card."],
  ["2059", "hard_customer", "invalid_card", "Address Verification Failed."],
  ["2060", "hard_customer", "invalid_card", "Address Verification and Card Security Code Failed."],
  ["2064", "terminal", "not_permitted", "Invalid Currency Code."],
  ["2070", "terminal", "revoked", "PayPal Buyer Revoked Pre-Approved Payment Authorization."],
  ["2074", "hard_customer", "payment_method_missing", "Funding Instrument In The PayPal Account Was Declined."],
  ["2075", "terminal", "closed_account", "Payer Account Is Locked Or Closed."],
  ["2099", "hard_customer", "authentication", "Cardholder Authentication Required."],
  ["3000", "soft_retry", "processing", "Processor Network Unavailable - Try Again."],
];

// Checkout.com response_code: 20xxx soft declines, 30xxx hard declines.
const CHECKOUT: readonly Spec[] = [
  ["20001", "soft_retry", "do_not_honor", "Refer to card issuer."],
  ["20002", "soft_retry", "do_not_honor", "Refer to card issuer - special conditions."],
  ["20003", "terminal", "merchant_action", "Invalid merchant or service provider."],
  ["20005", "soft_retry", "do_not_honor", "Declined - Do not honour."],
  ["20006", "soft_retry", "processing", "Error."],
  ["20009", "soft_retry", "processing", "Request in progress."],
  ["20012", "terminal", "not_permitted", "Invalid transaction."],
  ["20013", "hard_customer", "limits", "Invalid value/amount."],
  ["20014", "hard_customer", "invalid_card", "Invalid account number (no such number)."],
  ["20015", "hard_customer", "invalid_card", "No such issuer."],
  ["20019", "soft_retry", "processing", "Re-enter transaction."],
  ["20022", "soft_retry", "processing", "Suspected malfunction."],
  ["20030", "soft_retry", "processing", "Format error."],
  ["20038", "hard_customer", "pin_required", "Allowable PIN tries exceeded."],
  ["20046", "terminal", "closed_account", "Closed account."],
  ["20051", "soft_retry", "insufficient_funds", "Insufficient funds."],
  ["20054", "hard_customer", "expired_card", "Expired card."],
  ["20055", "hard_customer", "pin_required", "Incorrect PIN."],
  ["20056", "hard_customer", "invalid_card", "No card record."],
  ["20057", "terminal", "not_permitted", "Transaction not permitted to cardholder."],
  ["20058", "terminal", "merchant_action", "Transaction not permitted to terminal."],
  ["20059", "terminal", "fraud", "Suspected fraud."],
  ["20061", "soft_retry", "limits", "Activity amount limit exceeded."],
  ["20062", "terminal", "restricted", "Restricted card."],
  ["20063", "terminal", "fraud", "Security violation."],
  ["20065", "soft_retry", "limits", "Exceeds withdrawal frequency limit."],
  ["20068", "soft_retry", "processing", "Response received too late / timeout."],
  ["20075", "hard_customer", "pin_required", "Allowable number of PIN tries exceeded."],
  ["20078", "hard_customer", "restricted", "Blocked, first use: the cardholder has not unblocked the card."],
  ["20082", "hard_customer", "invalid_card", "Negative CVV results."],
  ["20087", "hard_customer", "invalid_card", "Bad track data (invalid CVV and/or expiry date)."],
  ["20091", "soft_retry", "issuer_unavailable", "Issuer unavailable or switch inoperative."],
  ["20093", "terminal", "not_permitted", "Transaction cannot be completed: violation of law."],
  ["20096", "soft_retry", "processing", "System malfunction."],
  ["20099", "unknown", "other", "Other or unidentified response."],
  ["20100", "hard_customer", "invalid_card", "Invalid expiry date format."],
  ["20103", "terminal", "not_permitted", "Card not supported."],
  ["20150", "hard_customer", "authentication", "Card not 3D Secure enabled."],
  ["20151", "hard_customer", "authentication", "Cardholder failed 3D Secure authentication."],
  ["20154", "hard_customer", "authentication", "3D Secure authentication required."],
  ["30004", "terminal", "pickup_card", "Pick up card (no fraud)."],
  ["30007", "terminal", "pickup_card", "Pick up card - special conditions."],
  ["30015", "hard_customer", "invalid_card", "No such issuer."],
  ["30033", "terminal", "pickup_card", "Expired card - pick up."],
  ["30034", "terminal", "fraud", "Suspected fraud - pick up."],
  ["30036", "terminal", "restricted", "Restricted card - pick up."],
  ["30041", "terminal", "lost_or_stolen", "Lost card - pick up."],
  ["30043", "terminal", "lost_or_stolen", "Stolen card - pick up."],
];

export const DECLINE_CODES: readonly DeclineCode[] = Object.freeze(
  [
    ...build("stripe", STRIPE),
    ...build("shopify", SHOPIFY),
    ...build("adyen", ADYEN),
    ...build("braintree", BRAINTREE),
    ...build("checkout", CHECKOUT),
    ...build("authorize_net", AUTHORIZE_NET),
    ...build("paypal", PAYPAL),
    ...build("worldpay", WORLDPAY),
    ...build("gocardless", GOCARDLESS),
    ...build("mollie", MOLLIE),
    ...build("square", SQUARE),
    ...build("razorpay", RAZORPAY),
    ...build("paddle", PADDLE),
  ].map((entry) => Object.freeze(entry)),
);

const exactIndex = new Map<string, DeclineCode>();
const foldedIndex = new Map<string, DeclineCode>();
for (const entry of DECLINE_CODES) {
  const exactKey = `${entry.psp}\u0000${entry.code}`;
  const foldedKey = `${entry.psp}\u0000${entry.code.toLowerCase()}`;
  if (!exactIndex.has(exactKey)) exactIndex.set(exactKey, entry);
  if (!foldedIndex.has(foldedKey)) foldedIndex.set(foldedKey, entry);
}

/** Case-insensitive; an exact-case match wins (Shopify lists both spellings). */
export function findDeclineCode(psp: DeclinePsp, code: string | null | undefined): DeclineCode | undefined {
  if (!code) return undefined;
  const trimmed = code.trim();
  if (!trimmed) return undefined;
  return exactIndex.get(`${psp}\u0000${trimmed}`) ?? foldedIndex.get(`${psp}\u0000${trimmed.toLowerCase()}`);
}

export function customerMessageFor(subcategory: DeclineSubcategory): string {
  return CUSTOMER_MESSAGES[subcategory];
}

/**
 * The share of failed payments in each category that a dunning programme usually wins back: what
 * the merchant's own observed rate is compared with. Sources and rationale:
 * - soft_retry 0.75 and hard_customer 0.35 are LostChurn's published expectations (its decline-code
 *   categories reference, ../shared/seeds/002_…txt), in line with processors' reports that most soft
 *   declines clear on a well-timed retry while a card that needs replacing depends on the customer acting.
 * - terminal 0.05: these cards are never retried (network rules), so only a customer who pays by other
 *   means of their own accord recovers the debt; kept deliberately low.
 * - unknown 0.40: retried cautiously, at least a day apart; it sits between the soft and hard outcomes.
 */
export const EXPECTED_RECOVERY_RATES: Readonly<Record<DeclineCategory, number>> = Object.freeze({
  soft_retry: 0.75,
  hard_customer: 0.35,
  terminal: 0.05,
  unknown: 0.4,
});

/** Other spellings of the catalogue's PSP names (LostChurn says `checkout_com`). */
const PSP_ALIASES: Readonly<Record<string, DeclinePsp>> = {
  checkout_com: "checkout",
  "checkout.com": "checkout",
  checkoutcom: "checkout",
  cko: "checkout",
  paypal_braintree: "braintree",
  "authorize.net": "authorize_net",
  authorizenet: "authorize_net",
  authnet: "authorize_net",
  "paypal.com": "paypal",
  paddle_billing: "paddle",
};

/** A provider name as the catalogue knows it, or null when the catalogue has no codes for it. */
export function declinePspOf(provider: string | null | undefined): DeclinePsp | null {
  const name = provider?.trim().toLowerCase() ?? "";
  if ((DECLINE_PSPS as readonly string[]).includes(name)) return name as DeclinePsp;
  return PSP_ALIASES[name] ?? null;
}

/** The subcategories the catalogue files under a category, in catalogue order. */
export function subcategoriesOf(category: DeclineCategory): DeclineSubcategory[] {
  return DECLINE_SUBCATEGORIES.filter((sub) => DECLINE_CODES.some((e) => e.category === category && e.subcategory === sub));
}

/** Every PSP's entry for a code (case-insensitive; each PSP's exact spelling first), in catalogue PSP order. */
export function declineCodeVariations(code: string | null | undefined): DeclineCode[] {
  return DECLINE_PSPS.map((psp) => findDeclineCode(psp, code)).filter((e): e is DeclineCode => e !== undefined);
}

/**
 * A code under any provider name. A PSP in the catalogue (or an alias of one) is looked up in its own
 * codes only. For any other provider (an ingested BigCommerce, WooCommerce or custom PSP), the code
 * counts when every PSP that knows it agrees on its category and subcategory (`insufficient_funds`,
 * `expired_card`…); a code the PSPs disagree on, or none knows, is not found.
 */
export function lookupDeclineCode(provider: string | null | undefined, code: string | null | undefined): DeclineCode | undefined {
  const psp = declinePspOf(provider);
  if (psp) return findDeclineCode(psp, code);
  const variations = declineCodeVariations(code);
  const first = variations[0];
  if (!first) return undefined;
  const agreed = variations.every((e) => e.category === first.category && e.subcategory === first.subcategory);
  return agreed ? first : undefined;
}

export interface DeclineClassification {
  category: DeclineCategory;
  subcategory: DeclineSubcategory;
  /** The catalogue entry that decided, null when the code is not in the catalogue ("unknown"). */
  entry: DeclineCode | null;
}

/**
 * psp + code → category and subcategory: the catalogue's answer, which the engine's policy
 * (policy.ts `classifyFailure`) starts from for every provider before applying network rules.
 */
export function classifyDecline(provider: string | null | undefined, code: string | null | undefined): DeclineClassification {
  const entry = lookupDeclineCode(provider, code);
  return entry ? { category: entry.category, subcategory: entry.subcategory, entry } : { category: "unknown", subcategory: "other", entry: null };
}
