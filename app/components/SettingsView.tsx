import { useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Box, Page } from "@shopify/polaris";
import { PageError } from "~/components/PageError";
import { useToast } from "~/components/useToast";
import type { SettingsPageData } from "~/contracts/dashboard/settings-page.server";
import { ApiKeysSection } from "./SettingsApiKeys";
import { LearningSection } from "./SettingsLearning";
import { ConnectedAccountsSection, ConnectedShopSection, ShopifyTeamNote, TeamSection } from "./SettingsAccess";
import { RecoveryGoalSection, WebhooksSection } from "./SettingsGoal";
import { DirtyForms, useDirtyForms, useUnsavedChanges } from "./UnsavedChanges";
import { BrandingSection, HoldoutSection, QuietHoursSection, RetryPolicySection, SenderSection } from "./SettingsSections";

/**
 * The settings page of every home (app/contracts/dashboard/settings-page.server.ts): the same sections, then the
 * home's own connection and team. Someone who may not change settings sees them disabled, with why.
 */
export function SettingsView() {
  const page = useLoaderData<SettingsPageData>();
  const { settings, timezones, access } = page;
  const { toast, showToast } = useToast();
  const readOnly = !access.manageSettings;
  // One warning for the page: leaving it with any section's edits unsaved asks first.
  const dirtyForms = useDirtyForms();
  const unsaved = useUnsavedChanges(dirtyForms.anyDirty);
  return (
    <Page title="Settings">
      <DirtyForms.Provider value={dirtyForms.report}>
        <BlockStack gap={{ xs: "600", md: "400" }}>
          {access.refusal ? (
            <Box paddingInline={{ xs: "400", sm: "0" }}>
              <Banner tone="info" title="You can see these settings, not change them">
                <p>{access.refusal}</p>
              </Banner>
            </Box>
          ) : null}
          <RetryPolicySection settings={settings} disabled={readOnly} stripe={page.home === "dashboard"} showToast={showToast} />
          <LearningSection learning={page.learning} />
          <RecoveryGoalSection goal={page.goal} timeZone={settings.timezone} disabled={readOnly} showToast={showToast} />
          <QuietHoursSection settings={settings} timezones={timezones} now={page.now} disabled={readOnly} showToast={showToast} />
          <SenderSection settings={settings} disabled={readOnly} showToast={showToast} />
          <BrandingSection settings={settings} disabled={readOnly} showToast={showToast} />
          <HoldoutSection settings={settings} disabled={readOnly} showToast={showToast} />
          {page.home === "dashboard" ? (
            <>
              <ConnectedAccountsSection
                accounts={page.accounts}
                stripeConfigured={page.stripeConfigured}
                timeZone={settings.timezone}
                canManage={access.manageConnections}
                showToast={showToast}
              />
              <TeamSection members={page.members} currentUserId={page.currentUserId} canManage={access.manageTeam} showToast={showToast} />
              <WebhooksSection webhooks={page.webhooks} />
            </>
          ) : (
            <>
              <ConnectedShopSection shop={page.shop} />
              <ShopifyTeamNote />
            </>
          )}
          <ApiKeysSection apiKeys={page.apiKeys} timeZone={settings.timezone} canManage={access.manageApiKeys} refusal={access.apiKeysRefusal} showToast={showToast} />
        </BlockStack>
      </DirtyForms.Provider>
      <Box paddingBlockEnd="1600" />
      {toast}
      {unsaved.modal}
    </Page>
  );
}

export function SettingsError() {
  return <PageError title="Settings" heading="Settings could not be loaded" />;
}
