import { useState } from "react";
import { Badge, Banner, Box, Button, Inline, Link } from "@stripe/ui-extension-sdk/ui";
import { callBackend, messageOf, type AppContext } from "../api";
import { describeEntry, money, statusOf, when } from "../format";
import type { Recoveries, RecoveryAttempt, Timeline } from "../types";
import { useBackend } from "../useBackend";
import { LoadError, Loading } from "./States";

type Action = "retry" | "pause" | "resume";

/**
 * One customer's or invoice's recovery: status, what happens next, every
 * attempt and email, and retry / pause / resume.
 */
export function RecoveryPanel({ context, lookup, noun }: { context: AppContext; lookup: { customer_id: string } | { invoice_id: string }; noun: string }) {
  const { state, reload, replace } = useBackend<Recoveries>("recoveries", context, lookup);
  const [running, setRunning] = useState<Action | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);

  if (state.status === "loading") return <Loading />;
  if (state.status === "error") return <LoadError message={state.message} onRetry={reload} />;
  const { recoveries, latest } = state.data;
  if (!latest) {
    return <Inline css={{ color: "secondary" }}>{`No failed payments for this ${noun}: nothing for Recoup to recover.`}</Inline>;
  }

  const act = async (action: Action) => {
    setRunning(action);
    setRefusal(null);
    try {
      const timeline = await callBackend<Timeline>(`recoveries/${encodeURIComponent(latest.attempt.id)}/${action}`, context);
      replace({ recoveries: recoveries.map((r) => (r.id === timeline.attempt.id ? timeline.attempt : r)), latest: timeline });
    } catch (error) {
      setRefusal(messageOf(error));
    } finally {
      setRunning(null);
    }
  };

  return (
    <Box css={{ stack: "y", gap: "large" }}>
      {refusal && <Banner type="critical" title="Not done" description={refusal} onDismiss={() => setRefusal(null)} />}
      <Summary timeline={latest} />
      {latest.attempt.status === "pending" && (
        <Box css={{ stack: "x", gap: "small" }}>
          <Button type="primary" size="small" pending={running === "retry"} disabled={running !== null} onPress={() => act("retry")}>
            Retry now
          </Button>
          {latest.paused ? (
            <Button size="small" pending={running === "resume"} disabled={running !== null} onPress={() => act("resume")}>
              Resume
            </Button>
          ) : (
            <Button size="small" pending={running === "pause"} disabled={running !== null} onPress={() => act("pause")}>
              Pause
            </Button>
          )}
        </Box>
      )}
      <Box css={{ stack: "y", gap: "small" }}>
        <Inline css={{ font: "kicker" }}>Timeline</Inline>
        {latest.entries.length === 0 ? (
          <Inline css={{ color: "secondary" }}>Nothing has happened yet.</Inline>
        ) : (
          latest.entries.map((e, i) => (
            <Box key={`${e.at}-${i}`} css={{ stack: "y", gap: "xxsmall" }}>
              <Inline>{describeEntry(e)}</Inline>
              <Inline css={{ color: "secondary", font: "caption" }}>{when(e.at)}</Inline>
            </Box>
          ))
        )}
      </Box>
      {recoveries.length > 1 && <Earlier recoveries={recoveries.filter((r) => r.id !== latest.attempt.id)} />}
    </Box>
  );
}

function Summary({ timeline: t }: { timeline: Timeline }) {
  const status = statusOf(t.attempt, t.paused);
  return (
    <Box css={{ stack: "y", gap: "small" }}>
      <Box css={{ stack: "x", distribute: "space-between", alignY: "center" }}>
        <Badge type={status.type}>{status.label}</Badge>
        <Inline css={{ font: "heading" }}>{money(t.attempt.amountDueCents, t.attempt.currency)}</Inline>
      </Box>
      <Link href={{ name: "invoiceDetails", params: { invoiceId: t.attempt.stripeInvoiceId } }}>{`Invoice ${t.attempt.stripeInvoiceId}`}</Link>
      {t.card && <Inline css={{ color: "secondary" }}>{`Card ${t.card.brand ?? ""} •••• ${t.card.last4}`.replace("  ", " ")}</Inline>}
      <Inline>{`Why it failed: ${t.reasonForCustomer}`}</Inline>
      {t.nextAction && (
        <Inline>{t.paused ? "Paused: no retry or email goes out until you resume." : `Next: ${t.nextAction.reason ?? "waiting"}${t.nextAction.at ? ` (${when(t.nextAction.at)})` : ""}`}</Inline>
      )}
    </Box>
  );
}

function Earlier({ recoveries }: { recoveries: RecoveryAttempt[] }) {
  return (
    <Box css={{ stack: "y", gap: "small" }}>
      <Inline css={{ font: "kicker" }}>Earlier recoveries</Inline>
      {recoveries.map((r) => {
        const status = statusOf(r);
        return (
          <Box key={r.id} css={{ stack: "x", gap: "small", alignY: "center" }}>
            <Badge type={status.type}>{status.label}</Badge>
            <Inline>{money(r.amountDueCents, r.currency)}</Inline>
            <Link href={{ name: "invoiceDetails", params: { invoiceId: r.stripeInvoiceId } }}>{r.stripeInvoiceId}</Link>
          </Box>
        );
      })}
    </Box>
  );
}
