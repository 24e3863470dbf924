import { Banner, Box, Button, Spinner } from "@stripe/ui-extension-sdk/ui";

export function Loading() {
  return (
    <Box css={{ stack: "x", alignX: "center", padding: "large" }}>
      <Spinner size="large" />
    </Box>
  );
}

export function LoadError({ message, onRetry }: { message: string; onRetry: () => void }) {
  return (
    <Box css={{ stack: "y", gap: "small" }}>
      <Banner type="critical" title="Recoup couldn't load this" description={message} />
      <Box>
        <Button size="small" onPress={onRetry}>
          Try again
        </Button>
      </Box>
    </Box>
  );
}

export function Disconnected() {
  return (
    <Banner
      type="caution"
      title="Recoup is disconnected from this account"
      description="No retries or emails go out for it. Reconnect it from the Recoup dashboard to resume."
    />
  );
}
