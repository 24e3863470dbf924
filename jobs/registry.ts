import "~/wiring.server";
import type { JobDefinition } from "./define";
import { campaignResumeJob } from "./definitions/campaign-resume";
import { preDunningStepJob, preDunningSweepJob } from "./definitions/pre-dunning";
import { chargeRetryJob } from "./definitions/charge-retry";
import { dunningSendJob } from "./definitions/dunning-send";
import { dunningStepJob } from "./definitions/dunning-step";
import { metricSnapshotsJob } from "./definitions/metric-snapshots";
import { analyticsRollupJob } from "./definitions/analytics-rollup";
import { recoveryExpireJob } from "./definitions/recovery-expire";
import { recoverySweepJob } from "./definitions/recovery-sweep";
import { shopifyBillingAttemptCheckJob } from "./definitions/shopify-billing-attempt-check";
import { shopifyShopEraseJob } from "./definitions/shopify-shop-erase";
import { shopifyUpdateEmailJob } from "./definitions/shopify-update-email";
import { shopifyWebhookJob } from "./definitions/shopify-webhook";
import { stripeEventJob } from "./definitions/stripe-event";
import { stripeEventSweepJob } from "./definitions/stripe-event-sweep";
import { stripeEventsFailedEmailJob } from "./definitions/stripe-events-failed-email";
import { ingestEventJob } from "./definitions/ingest-event";
import { emailEventJob } from "./definitions/email-event";
import { providerEventJob } from "./definitions/provider-event";
import { refundSubmitJob } from "./definitions/refund-submit";
import { recoverySettleElsewhereJob } from "./definitions/recovery-settle-elsewhere";
import { webhookDeliverJob } from "./definitions/webhook-deliver";
import { webhookDisabledEmailJob } from "./definitions/webhook-disabled-email";
import { alertDigestsJob } from "./definitions/alert-digests";
import { alertDispatchJob } from "./definitions/alert-dispatch";
import { alertMatchJob } from "./definitions/alert-match";
import { webhookOwnerEmailJob } from "./definitions/webhook-owner-email";
import { workspaceLearningJob } from "./definitions/workspace-learning";

/** Every job the worker runs. */
export const jobDefinitions = [
  stripeEventJob,
  chargeRetryJob,
  recoveryExpireJob,
  dunningStepJob,
  dunningSendJob,
  campaignResumeJob,
  preDunningSweepJob,
  preDunningStepJob,
  metricSnapshotsJob,
  analyticsRollupJob,
  shopifyWebhookJob,
  shopifyShopEraseJob,
  shopifyUpdateEmailJob,
  shopifyBillingAttemptCheckJob,
  ingestEventJob,
  emailEventJob,
  providerEventJob,
  refundSubmitJob,
  recoverySettleElsewhereJob,
  webhookDeliverJob,
  webhookDisabledEmailJob,
  alertMatchJob,
  alertDispatchJob,
  alertDigestsJob,
  webhookOwnerEmailJob,
  stripeEventsFailedEmailJob,
  recoverySweepJob,
  stripeEventSweepJob,
  workspaceLearningJob,
] as unknown as JobDefinition[];
