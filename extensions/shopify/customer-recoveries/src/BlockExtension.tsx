import {
  AdminBlock,
  Badge,
  BlockStack,
  Button,
  InlineStack,
  Link,
  ProgressIndicator,
  Text,
  reactExtension,
  useApi,
} from "@shopify/ui-extensions-react/admin";
import { useEffect, useState } from "react";
import { ALL_OPEN_HREF, blockStateOf, errorMessage, parseResponse, recoveriesPath, type BlockState } from "./view-model";

export const TARGET = "admin.customer-details.block.render";

export default reactExtension(TARGET, () => <CustomerRecoveries />);

/**
 * The admin's `fetch` resolves a relative URL against the app's `app_url` and, for the app's own domain,
 * adds `Authorization` with the admin's ID (session) token: there is no token to handle here. Said on the
 * 2023-10, 2025-10 and latest pages: https://shopify.dev/docs/api/admin-extensions/latest/network-features
 */
async function loadBlockState(customerGid: string): Promise<BlockState> {
  let response: Response;
  try {
    response = await fetch(recoveriesPath(customerGid), { headers: { Accept: "application/json" } });
  } catch {
    return { kind: "error", message: errorMessage({ network: true }) };
  }
  if (!response.ok) return { kind: "error", message: errorMessage({ status: response.status }) };
  const parsed = parseResponse(await response.json().catch(() => null));
  return parsed ? blockStateOf(parsed) : { kind: "error", message: errorMessage({ status: 502 }) };
}

function CustomerRecoveries() {
  const { data } = useApi(TARGET);
  const customerGid = data.selected[0]?.id;
  const [state, setState] = useState<BlockState>({ kind: "loading" });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (!customerGid) {
      setState({ kind: "error", message: errorMessage({ status: 400 }) });
      return;
    }
    let current = true;
    setState({ kind: "loading" });
    void loadBlockState(customerGid).then((next) => {
      if (current) setState(next);
    });
    return () => {
      current = false;
    };
  }, [customerGid, attempt]);

  return (
    <AdminBlock title="Failed payments" collapsedSummary={state.kind === "list" ? state.summary : undefined}>
      <BlockStack gap>
        {state.kind === "loading" ? (
          <InlineStack gap blockAlignment="center">
            <ProgressIndicator size="small-200" accessibilityLabel="Loading failed payments" />
            <Text>Loading failed payments…</Text>
          </InlineStack>
        ) : state.kind === "error" ? (
          <>
            <Text>{state.message}</Text>
            <InlineStack>
              <Button onPress={() => setAttempt((n) => n + 1)}>Try again</Button>
            </InlineStack>
          </>
        ) : state.kind === "empty" ? (
          <Text>{state.message}</Text>
        ) : (
          <>
            {state.rows.map((row) => (
              <BlockStack key={row.id} gap="small">
                <InlineStack gap blockAlignment="center">
                  <Link href={row.href} accessibilityLabel={`Open the recovery of ${row.amount} in Recoup`}>
                    {row.amount}
                  </Link>
                  <Badge tone={row.status.tone}>{row.status.label}</Badge>
                </InlineStack>
                <Text>{row.nextStep}</Text>
              </BlockStack>
            ))}
            <Link href={ALL_OPEN_HREF}>All failed payments in Recoup</Link>
          </>
        )}
      </BlockStack>
    </AdminBlock>
  );
}
