import type { ExtensionContextValue } from "@stripe/ui-extension-sdk/context";
import { Badge, Box, ContextView, Inline, Link } from "@stripe/ui-extension-sdk/ui";
import { Disconnected, LoadError, Loading } from "../components/States";
import { money, percent, statusOf } from "../format";
import type { OpenRecovery, Overview } from "../types";
import { useBackend } from "../useBackend";

/** The app drawer on any Dashboard page: this month's numbers and the recoveries under way. */
const Drawer = (context: ExtensionContextValue) => {
  const { state, reload } = useBackend<Overview>("overview", context);
  return (
    <ContextView title="Recoup" description="Failed payments won back">
      {state.status === "loading" && <Loading />}
      {state.status === "error" && <LoadError message={state.message} onRetry={reload} />}
      {state.status === "ready" && <OverviewBody data={state.data} />}
    </ContextView>
  );
};

function OverviewBody({ data }: { data: Overview }) {
  const { summary } = data;
  return (
    <Box css={{ stack: "y", gap: "large" }}>
      {!data.connected && <Disconnected />}
      <Box css={{ stack: "y", gap: "small" }}>
        {/* One cohort (docs/decisions/0036): this month's failed payments, and what of them came back. */}
        <Inline css={{ font: "kicker" }}>{`Payments that failed this month (${summary.currency.toUpperCase()})`}</Inline>
        <Figure label="Failed" value={money(summary.failedRevenueCents, summary.currency)} />
        <Figure label="Recovered so far" value={money(summary.recoveredRevenueCents, summary.currency)} />
        <Figure label="Recovery rate" value={percent(summary.recoveryRate)} />
        <Figure label="Open recoveries" value={String(summary.openCount)} />
        <Figure label="Subscriptions at risk" value={String(summary.atRiskCount)} />
      </Box>
      <Box css={{ stack: "y", gap: "small" }}>
        <Inline css={{ font: "kicker" }}>Under way</Inline>
        {data.openRecoveries.length === 0 ? (
          <Inline css={{ color: "secondary" }}>No failed payments to recover right now.</Inline>
        ) : (
          data.openRecoveries.map((r) => <OpenRow key={r.id} recovery={r} />)
        )}
        {data.hasMore && <Inline css={{ color: "secondary" }}>{`Showing the newest ${data.openRecoveries.length} of ${summary.openCount}.`}</Inline>}
      </Box>
    </Box>
  );
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <Box css={{ stack: "x", distribute: "space-between" }}>
      <Inline css={{ color: "secondary" }}>{label}</Inline>
      <Inline css={{ font: "bodyEmphasized" }}>{value}</Inline>
    </Box>
  );
}

function OpenRow({ recovery: r }: { recovery: OpenRecovery }) {
  const status = statusOf(r, r.paused);
  return (
    <Box css={{ stack: "y", gap: "xxsmall", paddingY: "small", keyline: "neutral" }}>
      <Box css={{ stack: "x", distribute: "space-between", alignY: "center" }}>
        <Inline css={{ font: "bodyEmphasized" }}>{r.customerName ?? r.customerEmail ?? r.stripeCustomerId}</Inline>
        <Inline>{money(r.amountDueCents, r.currency)}</Inline>
      </Box>
      <Box css={{ stack: "x", gap: "small", alignY: "center" }}>
        <Badge type={status.type}>{status.label}</Badge>
        {/* Only a Stripe invoice has a page in this Dashboard. */}
        {r.stripeInvoiceId.startsWith("in_") ? (
          <Link href={{ name: "invoiceDetails", params: { invoiceId: r.stripeInvoiceId } }}>{r.reference.title}</Link>
        ) : (
          <Inline>{r.reference.title}</Inline>
        )}
      </Box>
      {r.nextActionReason && <Inline css={{ color: "secondary" }}>{r.nextActionReason}</Inline>}
    </Box>
  );
}

export default Drawer;
