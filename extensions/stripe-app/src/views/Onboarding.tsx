import { useState } from "react";
import type { ExtensionContextValue } from "@stripe/ui-extension-sdk/context";
import { Box, Button, Inline, Link, OnboardingView } from "@stripe/ui-extension-sdk/ui";
import { LoadError, Loading } from "../components/States";
import { policyLines } from "../policy-words";
import type { Settings } from "../types";
import { useBackend } from "../useBackend";

const TASKS = ["Link your Stripe account", "Check the retry policy", "Let Recoup time the retries", "Open the Recoup dashboard"] as const;
type TaskStatus = "not-started" | "in-progress" | "blocked" | "complete";

/**
 * After install: the first backend call links the account to its workspace
 * (or creates one); then the policy, Stripe's own retries, and the dashboard.
 */
const Onboarding = (context: ExtensionContextValue) => {
  const { state, reload } = useBackend<Settings>("settings", context);
  const [step, setStep] = useState(0);
  const [furthest, setFurthest] = useState(0);
  const ready = state.status === "ready";

  const statusOf = (i: number): TaskStatus => {
    if (i === 0 && state.status === "error") return "blocked";
    if (i === 0 && !ready) return "in-progress";
    if (i < furthest) return "complete";
    return i === step ? "in-progress" : "not-started";
  };
  const next = () => {
    const to = step + 1;
    setFurthest((f) => Math.max(f, to));
    setStep(Math.min(to, TASKS.length - 1));
  };
  const tasks = TASKS.map((title, i) => ({
    title,
    status: statusOf(i),
    ...(ready && i <= furthest ? { onPress: () => setStep(i) } : {}),
  }));

  return (
    <OnboardingView title="Set up Recoup" description="Four short steps to start winning back failed payments." completed={furthest >= TASKS.length} tasks={tasks}>
      {state.status === "loading" && <Loading />}
      {state.status === "error" && <LoadError message={state.message} onRetry={reload} />}
      {state.status === "ready" && (
        <Box css={{ stack: "y", gap: "large" }}>
          <StepBody step={step} settings={state.data} />
          {furthest < TASKS.length && (
            <Box>
              <Button type="primary" onPress={next}>
                {step === TASKS.length - 1 ? "Finish" : "Continue"}
              </Button>
            </Box>
          )}
        </Box>
      )}
    </OnboardingView>
  );
};

function StepBody({ step, settings }: { step: number; settings: Settings }) {
  switch (step) {
    case 0:
      return (
        <Box css={{ stack: "y", gap: "small" }}>
          <Inline css={{ font: "heading" }}>{TASKS[0]}</Inline>
          <Inline>
            {settings.created
              ? `Recoup created the workspace "${settings.workspace.name}" for this account.`
              : `This account is linked to your Recoup workspace "${settings.workspace.name}".`}
          </Inline>
          <Inline>Recoup now sees this account's failed payments and starts recovering them.</Inline>
        </Box>
      );
    case 1:
      return (
        <Box css={{ stack: "y", gap: "small" }}>
          <Inline css={{ font: "heading" }}>{TASKS[1]}</Inline>
          {policyLines(settings).map((line) => (
            <Inline key={line}>{line}</Inline>
          ))}
        </Box>
      );
    case 2:
      return (
        <Box css={{ stack: "y", gap: "small" }}>
          <Inline css={{ font: "heading" }}>{TASKS[2]}</Inline>
          <Inline>
            Stripe's Smart Retries can attempt the same invoices. Recoup never collides with an attempt Stripe has scheduled and counts it in its budget, but
            it times retries best when it plans them all: consider turning Smart Retries off in your Billing settings.
          </Inline>
        </Box>
      );
    default:
      return (
        <Box css={{ stack: "y", gap: "small" }}>
          <Inline css={{ font: "heading" }}>{TASKS[3]}</Inline>
          <Inline>Emails, branding and reports live in the full dashboard.</Inline>
          <Link href={settings.dashboardUrl} target="_blank" external type="primary">
            Open the Recoup dashboard
          </Link>
        </Box>
      );
  }
}

export default Onboarding;
