import { useNavigate } from "@remix-run/react";
import { BlockStack, Box, Button, Card, InlineStack, Page, Text } from "@shopify/polaris";

/** The dashboard's 404: what happened, and two ways on (the overview, or back where the merchant came from). */
export function NotFoundPage({ detail }: { detail?: string }) {
  const navigate = useNavigate();
  return (
    <Page narrowWidth>
      <Card>
        <Box paddingBlock="600" paddingInline="400">
          <BlockStack gap="400" inlineAlign="center">
            <Text as="p" variant="heading2xl" tone="subdued">
              404
            </Text>
            <Text as="h1" variant="headingLg" alignment="center">
              This page doesn&apos;t exist
            </Text>
            <Text as="p" alignment="center" tone="subdued">
              {detail ?? "The address may be mistyped, or what it showed was removed or belongs to another workspace."}
            </Text>
            <InlineStack gap="300" align="center">
              <Button variant="primary" url="/dashboard">
                Go to the overview
              </Button>
              <Button onClick={() => navigate(-1)}>Go back</Button>
            </InlineStack>
          </BlockStack>
        </Box>
      </Card>
    </Page>
  );
}
