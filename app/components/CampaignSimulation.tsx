import { useFetcher } from "@remix-run/react";
import { Badge, Banner, BlockStack, Box, Button, Card, Divider, InlineGrid, InlineStack, Text, TextField } from "@shopify/polaris";
import { useEffect, useRef, useState } from "react";
import { formatRate } from "~/contracts/dashboard/format";
import type { CampaignEditorAction } from "~/contracts/dashboard/campaign-pages.server";

// The editor's "Simulate" panel: the workspace's own recent failed payments replayed as if the
// campaign being edited (its unsaved trigger, filters, priority and email times) had been active,
// and the active campaigns it would share them with. Nothing is sent or saved.

type Answer = Awaited<ReturnType<CampaignEditorAction>>;
type Simulated = Extract<Answer, { intent: "simulate" }>;
type Failed = { ok: false; message: string; fieldErrors: Record<string, string> };

function isSimulated(answer: unknown): answer is Simulated {
  return typeof answer === "object" && answer !== null && (answer as { intent?: unknown }).intent === "simulate";
}

function isFailure(answer: unknown): answer is Failed {
  return typeof answer === "object" && answer !== null && (answer as { ok?: unknown }).ok === false;
}

function Metric({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <Box padding="300" background="bg-surface-secondary" borderRadius="200">
      <BlockStack gap="100">
        <Text as="p" variant="bodySm" tone="subdued">
          {label}
        </Text>
        <Text as="p" variant="headingLg">
          <span data-testid={testId}>{value}</span>
        </Text>
      </BlockStack>
    </Box>
  );
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function Results({ answer }: { answer: Simulated }) {
  const { simulation: s, overlap } = answer;
  return (
    <BlockStack gap="400">
      <Text as="p">
        Of {plural(s.failuresConsidered, "failed payment", "failed payments")} in the last {plural(s.lookbackDays, "day", "days")}, this campaign would
        have enrolled <strong>{s.wouldEnroll}</strong>.
        {s.claimedByOtherCampaigns ? ` ${s.claimedByOtherCampaigns} more match it, but an active campaign ahead of it claims them.` : ""}
      </Text>
      <InlineGrid columns={{ xs: 2, md: 4 }} gap="200">
        <Metric label="Would enroll" value={String(s.wouldEnroll)} testId="simulation-would-enroll" />
        <Metric label="Emails sent" value={String(s.emailsSent)} testId="simulation-emails" />
        <Metric label="Recovered after an email" value={String(s.expectedRecoveries)} testId="simulation-recoveries" />
        <Metric label="Expected recovery rate" value={formatRate(s.expectedRecoveryRate)} testId="simulation-rate" />
      </InlineGrid>
      {s.recovered.length || s.recoveredBeforeFirstEmail ? (
        <Text as="p" variant="bodySm" tone="subdued">
          {s.recovered.length ? `Won back: ${s.recovered.join(", ")}. ` : ""}
          {s.recoveredBeforeFirstEmail ? `${plural(s.recoveredBeforeFirstEmail, "payment was", "payments were")} recovered before its first email.` : ""}
        </Text>
      ) : null}
      <BlockStack gap="200">
        <Text as="h3" variant="headingSm">
          By email
        </Text>
        <ul aria-label="Simulated emails" style={{ listStyle: "none", margin: 0, padding: 0 }}>
          {s.byStep.map((step) => (
            <li key={step.position} style={{ padding: "8px 0", borderTop: step.position > 1 ? "1px solid var(--p-color-border-secondary)" : "none" }}>
              <InlineStack align="space-between" blockAlign="center" gap="200">
                <Text as="span" fontWeight="semibold">
                  Email {step.position}
                </Text>
                <Text as="span" variant="bodySm" tone="subdued" breakWord>
                  {step.emailsSent} sent
                  {step.stillScheduled ? ` · ${step.stillScheduled} still to go` : ""}
                  {step.notSent ? ` · ${step.notSent} not sent` : ""} · {plural(step.recoveriesAfter, "recovery", "recoveries")} after it
                </Text>
              </InlineStack>
            </li>
          ))}
        </ul>
        <Text as="p" variant="bodySm" tone="subdued">
          &ldquo;Not sent&rdquo;: the customer had their three emails for this payment, or must not be contacted. &ldquo;Still to go&rdquo;: due after today.
        </Text>
      </BlockStack>
      <Divider />
      <BlockStack gap="200">
        <Text as="h3" variant="headingSm">
          Overlap with active campaigns
        </Text>
        {overlap.overlaps ? (
          <>
            <Text as="p">
              Its trigger and filters claim {plural(overlap.wouldClaim, "failed payment", "failed payments")} of {overlap.failuresChecked}; it would win{" "}
              {overlap.wouldWin} of them.
            </Text>
            <ul aria-label="Overlapping campaigns" style={{ listStyle: "none", margin: 0, padding: 0 }}>
              {overlap.campaigns.map((o) => (
                <li key={o.campaignId} style={{ padding: "8px 0", borderTop: "1px solid var(--p-color-border-secondary)" }}>
                  <BlockStack gap="100">
                    <InlineStack align="space-between" blockAlign="center" gap="200">
                      <Text as="span" fontWeight="semibold" breakWord>
                        {o.name}
                      </Text>
                      <Badge tone={o.winner === "this_campaign" ? "success" : "attention"}>{o.winner === "this_campaign" ? "This campaign wins" : "It wins"}</Badge>
                    </InlineStack>
                    <Text as="span" variant="bodySm" tone="subdued" breakWord>
                      {plural(o.sharedFailures, "shared failed payment", "shared failed payments")} · priority {o.priority}. {o.reason}
                    </Text>
                  </BlockStack>
                </li>
              ))}
            </ul>
          </>
        ) : (
          <Text as="p" tone="subdued">
            No active campaign claims the same failed payments
            {overlap.wouldClaim ? `: it would enroll all ${overlap.wouldClaim} it claims.` : "."}
          </Text>
        )}
        <Text as="p" variant="bodySm" tone="subdued">
          {overlap.precedence}
        </Text>
      </BlockStack>
    </BlockStack>
  );
}

/**
 * `form` is the editor's campaign as it stands (saved or not); `onFieldErrors` files a refusal's
 * field errors on the editor's fields.
 */
export function CampaignSimulation({ form, onFieldErrors }: { form: object; onFieldErrors: (errors: Record<string, string>) => void }) {
  const fetcher = useFetcher<CampaignEditorAction>();
  const [days, setDays] = useState("30");
  const [ran, setRan] = useState<string | null>(null);
  const handled = useRef(new WeakSet<object>());
  const answer = fetcher.data;
  const current = JSON.stringify(form);

  useEffect(() => {
    if (!answer || handled.current.has(answer)) return;
    handled.current.add(answer);
    if (isFailure(answer)) onFieldErrors(answer.fieldErrors);
  }, [answer, onFieldErrors]);

  const run = () => {
    setRan(current);
    fetcher.submit({ intent: "simulate", form: JSON.parse(current), lookbackDays: days }, { method: "post", encType: "application/json" });
  };

  const running = fetcher.state !== "idle";
  const failure = isFailure(answer) && !running ? answer : null;
  const lookbackError = failure?.fieldErrors.lookbackDays;
  return (
    <div id="simulate">
      <Card>
        <BlockStack gap="400">
          <BlockStack gap="100">
            <InlineStack align="space-between" blockAlign="center" gap="200">
              <Text as="h2" variant="headingMd">
                Simulate
              </Text>
              {running ? <Badge tone="info">Simulating…</Badge> : null}
            </InlineStack>
            <Text as="p" tone="subdued">
              Replays your own failed payments as if this campaign, as it stands here, had been active alongside today&apos;s active campaigns.
              Nothing is sent or saved.
            </Text>
          </BlockStack>
          <InlineStack gap="200" blockAlign="end" wrap={false}>
            <div style={{ maxWidth: 200, flex: 1 }}>
              <TextField label="Look back (days)" type="number" min={1} max={365} autoComplete="off" value={days} onChange={setDays} error={lookbackError} />
            </div>
            <Button onClick={run} loading={running} variant="primary">
              Simulate
            </Button>
          </InlineStack>
          {failure && !lookbackError ? (
            <Banner tone="critical" title="The simulation couldn't run">
              <p>{failure.message}</p>
            </Banner>
          ) : null}
          {isSimulated(answer) ? (
            <div style={{ opacity: running ? 0.6 : 1 }}>
              <BlockStack gap="300">
                {ran !== current && !running ? (
                  <Banner tone="warning">
                    <p>The campaign changed since this simulation. Simulate again to see its effect.</p>
                  </Banner>
                ) : null}
                <Results answer={answer} />
              </BlockStack>
            </div>
          ) : null}
        </BlockStack>
      </Card>
    </div>
  );
}
