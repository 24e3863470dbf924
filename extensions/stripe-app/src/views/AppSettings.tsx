import type { ExtensionContextValue } from "@stripe/ui-extension-sdk/context";
import { Box, Inline, Link, SettingsView } from "@stripe/ui-extension-sdk/ui";
import { Disconnected, LoadError, Loading } from "../components/States";
import { policyLines } from "../policy-words";
import type { Settings } from "../types";
import { useBackend } from "../useBackend";

/** The app's settings page: the retry policy in force (changed in the full dashboard) and a link there. */
const AppSettings = (context: ExtensionContextValue) => {
  const { state, reload } = useBackend<Settings>("settings", context);
  return (
    <SettingsView>
      {state.status === "loading" && <Loading />}
      {state.status === "error" && <LoadError message={state.message} onRetry={reload} />}
      {state.status === "ready" && (
        <Box css={{ stack: "y", gap: "large" }}>
          {!state.data.connected && <Disconnected />}
          <Box css={{ stack: "y", gap: "small" }}>
            <Inline css={{ font: "heading" }}>Retry policy</Inline>
            {policyLines(state.data).map((line) => (
              <Inline key={line}>{line}</Inline>
            ))}
            <Inline>{`${state.data.activeSequences} email sequence${state.data.activeSequences === 1 ? "" : "s"} active.`}</Inline>
          </Box>
          <Box css={{ stack: "y", gap: "small" }}>
            <Inline css={{ color: "secondary" }}>{`Workspace: ${state.data.workspace.name}. Change the policy, emails and branding in the Recoup dashboard.`}</Inline>
            <Link href={state.data.dashboardUrl} target="_blank" external type="primary">
              Open the Recoup dashboard
            </Link>
          </Box>
        </Box>
      )}
    </SettingsView>
  );
};

export default AppSettings;
