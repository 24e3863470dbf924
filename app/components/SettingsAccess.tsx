import { Form } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, Divider, FormLayout, InlineStack, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { formatDate } from "~/contracts/dashboard/format";
import type { ShowToast } from "~/components/useToast";
import type { SettingsPageData } from "~/contracts/dashboard/settings-page.server";
import { ConfirmModal, SaveButton, SettingsSection, useFields, useSection } from "./SettingsForm";

// What connects a workspace and who can open it: Stripe accounts and the team on /dashboard, the
// shop inside the Shopify admin.

type DashboardData = Extract<SettingsPageData, { home: "dashboard" }>;

export function ConnectedAccountsSection({
  accounts,
  stripeConfigured,
  timeZone,
  canManage,
  showToast,
}: {
  accounts: DashboardData["accounts"];
  stripeConfigured: boolean;
  timeZone: string;
  canManage: boolean;
  showToast: ShowToast;
}) {
  const [confirming, setConfirming] = useState<string | null>(null);
  const section = useSection(showToast, () => setConfirming(null));
  return (
    <SettingsSection id="connected-accounts" title="Connected accounts" description="The Stripe accounts whose failed payments Recoup recovers."
    >
      <Card>
        <BlockStack gap="400">
          {accounts.length === 0 ? (
            <Text as="p" tone="subdued">
              No Stripe account is connected. Connect one and Recoup starts with its next failed payment.
            </Text>
          ) : (
            <BlockStack gap="300">
              {accounts.map((account, i) => (
                <BlockStack key={account.stripeAccountId} gap="300">
                  {i > 0 ? <Divider /> : null}
                  <InlineStack align="space-between" blockAlign="center" gap="200">
                    <BlockStack gap="050">
                      <InlineStack gap="200" blockAlign="center">
                        <Text as="span" fontWeight="semibold" breakWord>
                          {account.stripeAccountId}
                        </Text>
                        {account.livemode ? <Badge tone="success">Live</Badge> : <Badge>Test mode</Badge>}
                      </InlineStack>
                      <Text as="span" variant="bodySm" tone="subdued">
                        Connected {formatDate(account.connectedAt, timeZone, false)}
                      </Text>
                    </BlockStack>
                    <Button tone="critical" disabled={!canManage} onClick={() => setConfirming(account.stripeAccountId)}>
                      Disconnect
                    </Button>
                  </InlineStack>
                </BlockStack>
              ))}
            </BlockStack>
          )}
          {!stripeConfigured ? (
            <Banner tone="warning">
              <p>
                Stripe is not configured on this server: set <code>STRIPE_SECRET_KEY</code> and <code>STRIPE_CLIENT_ID</code> (see <code>.env.example</code>) and restart Recoup.
              </p>
            </Banner>
          ) : null}
          <InlineStack align="end">
            <Form method="post" action="/dashboard/connect">
              <Button submit disabled={!stripeConfigured || !canManage} variant={accounts.length ? "secondary" : "primary"}>
                {accounts.length ? "Connect another account" : "Connect Stripe"}
              </Button>
            </Form>
          </InlineStack>
        </BlockStack>
      </Card>
      <ConfirmModal
        open={confirming !== null}
        title={`Disconnect ${confirming ?? ""}?`}
        action="Disconnect"
        busy={section.busy}
        onClose={() => setConfirming(null)}
        onConfirm={() => confirming && section.submit({ intent: "disconnect", stripeAccountId: confirming })}
      >
        <BlockStack gap="200">
          <Text as="p">Stripe will revoke Recoup&apos;s access to this account, and Recoup stops at once: its open recoveries are paused, so no more retries or emails go out for them.</Text>
          <Text as="p" tone="subdued">
            You can connect the account again later.
          </Text>
        </BlockStack>
      </ConfirmModal>
    </SettingsSection>
  );
}

const ROLE_LABELS: Record<string, string> = { owner: "Owner", admin: "Admin", member: "Member" };
const ROLE_OPTIONS = [
  { label: "Member", value: "member" },
  { label: "Admin", value: "admin" },
];

export function TeamSection({ members, currentUserId, canManage, showToast }: { members: DashboardData["members"]; currentUserId: string; canManage: boolean; showToast: ShowToast }) {
  const [invite, setInvite] = useState({ email: "", role: "member" });
  const [removing, setRemoving] = useState<{ userId: string; label: string } | null>(null);
  const inviting = useSection(showToast, () => setInvite((i) => ({ ...i, email: "" })));
  const field = useFields(setInvite, inviting.clear);
  const remover = useSection(showToast, () => setRemoving(null));
  const roles = useSection(showToast);
  return (
    <SettingsSection
      id="team"
      title="Team"
      description="Everyone who can open this dashboard. Each signs in with a one-time link sent by email. Admins change settings, dunning emails, accounts and the team; members see everything and act on recoveries."
    >
      <Card>
        <BlockStack gap="400">
          <BlockStack gap="300">
            {members.map((m, i) => {
              const label = m.email ?? m.name ?? "Unnamed member";
              const you = m.userId === currentUserId;
              return (
                <BlockStack key={m.userId} gap="300">
                  {i > 0 ? <Divider /> : null}
                  <InlineStack align="space-between" blockAlign="center" gap="200">
                    <BlockStack gap="050">
                      <Text as="span" fontWeight="semibold" breakWord>
                        {label}
                        {you ? " (you)" : ""}
                      </Text>
                      <InlineStack gap="100">
                        <Badge tone={m.isOwner ? "info" : undefined}>{ROLE_LABELS[m.role] ?? m.role}</Badge>
                      </InlineStack>
                    </BlockStack>
                    {canManage && !m.isOwner && !you ? (
                      <InlineStack gap="300" blockAlign="center">
                        <Button
                          variant="plain"
                          disabled={roles.busy}
                          accessibilityLabel={`Make ${label} ${m.role === "admin" ? "a member" : "an admin"}`}
                          onClick={() => roles.submit({ intent: "change-role", userId: m.userId, role: m.role === "admin" ? "member" : "admin" })}
                        >
                          {m.role === "admin" ? "Make member" : "Make admin"}
                        </Button>
                        <Button variant="plain" tone="critical" onClick={() => setRemoving({ userId: m.userId, label })}>
                          Remove
                        </Button>
                      </InlineStack>
                    ) : null}
                  </InlineStack>
                </BlockStack>
              );
            })}
          </BlockStack>
          <Divider />
          <BlockStack gap="300">
            <Text as="h3" variant="headingSm">
              Invite someone
            </Text>
            <FormLayout>
              <FormLayout.Group>
                <TextField
                  disabled={!canManage}
                  label="Email"
                  type="email"
                  autoComplete="off"
                  value={invite.email}
                  placeholder="sam@yourshop.com"
                  onChange={field("email")}
                  error={inviting.errors.email}
                />
                <Select disabled={!canManage} label="Role" options={ROLE_OPTIONS} value={invite.role} onChange={field("role")} error={inviting.errors.role} />
              </FormLayout.Group>
            </FormLayout>
            <SaveButton disabled={!canManage} busy={inviting.busy} onClick={() => inviting.submit({ intent: "invite", ...invite })}>
              Send invitation
            </SaveButton>
          </BlockStack>
        </BlockStack>
      </Card>
      <ConfirmModal
        open={removing !== null}
        title={`Remove ${removing?.label ?? ""}?`}
        action="Remove"
        busy={remover.busy}
        onClose={() => setRemoving(null)}
        onConfirm={() => removing && remover.submit({ intent: "remove-member", userId: removing.userId, label: removing.label })}
      >
        <Text as="p">They are signed out of this dashboard at once. You can invite them again later.</Text>
      </ConfirmModal>
    </SettingsSection>
  );
}

/** Inside the Shopify admin: the shop this workspace recovers for, which Shopify connects. */
export function ConnectedShopSection({ shop }: { shop: string }) {
  return (
    <SettingsSection id="connected-shop" title="Connected shop" description="The Shopify store whose failed subscription payments Recoup recovers.">
      <Card>
        <BlockStack gap="200">
          <InlineStack gap="200" blockAlign="center">
            <Text as="span" fontWeight="semibold" breakWord>
              {shop}
            </Text>
            <Badge tone="success">Connected</Badge>
          </InlineStack>
          <Text as="p" variant="bodySm" tone="subdued">
            Connected when Recoup was installed. To disconnect, uninstall Recoup from your Shopify admin&apos;s Apps page.
          </Text>
        </BlockStack>
      </Card>
    </SettingsSection>
  );
}

/** Inside the Shopify admin there is no team to manage here. */
export function ShopifyTeamNote() {
  return (
    <SettingsSection id="team" title="Team" description="Who can open Recoup.">
      <Card>
        <Text as="p">Shopify decides who can open Recoup: give staff access to the app in your Shopify admin under Settings › Users and permissions.</Text>
      </Card>
    </SettingsSection>
  );
}
