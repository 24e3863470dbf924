import { useFetcher } from "@remix-run/react";
import { BlockStack, Box, Button, InlineStack, Layout, Modal, Text } from "@shopify/polaris";
import { useCallback, useEffect, useRef, useState, type Dispatch, type ReactNode, type SetStateAction } from "react";
import type { ShowToast } from "~/components/useToast";
import type { SettingsAction, SettingsPageData } from "~/contracts/dashboard/settings-page.server";

// The settings page's building blocks, shared by its sections (SettingsSections, SettingsAccess).

export type Settings = SettingsPageData["settings"];
/** A section's successful answer, as the browser receives it. */
export type SectionDone = Extract<NonNullable<ReturnType<typeof useFetcher<SettingsAction>>["data"]>, { ok: true }>;

export const hourLabel = (h: number) => (h === 24 ? "24:00 (midnight)" : `${String(h).padStart(2, "0")}:00`);
const hourOptions = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ({ label: hourLabel(from + i), value: String(from + i) }));
export const START_HOURS = hourOptions(0, 23);
export const END_HOURS = hourOptions(1, 24);

/** A number field's value for the API: empty is null (the schema then says what to enter). */
export const numberOrNull = (value: string) => (value.trim() === "" ? null : Number(value));

/**
 * One section's submissions: JSON with its intent, a toast for each answer, and `onDone` after
 * each success. A field's error shows until the field is changed (`clear`) or the next answer.
 */
export function useSection(showToast: ShowToast, onDone?: (settings: Settings | undefined, result: SectionDone) => void) {
  const fetcher = useFetcher<SettingsAction>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const handled = useRef<object | null>(null);
  const done = useRef(onDone);
  done.current = onDone;
  useEffect(() => {
    const result = fetcher.data;
    if (!result || handled.current === result) return;
    handled.current = result;
    setErrors(result.ok ? {} : result.fieldErrors);
    if (result.ok) done.current?.(result.settings, result);
    showToast(result.ok ? result.toast : result.message, !result.ok);
  }, [fetcher.data, showToast]);
  const { submit } = fetcher;
  return {
    submit: useCallback((body: Parameters<typeof submit>[0]) => submit(body, { method: "post", encType: "application/json" }), [submit]),
    busy: fetcher.state !== "idle",
    errors,
    /** Forgets the errors of `field` and of its parts (`preferredLocalHours.0`). */
    clear: useCallback(
      (field: string) =>
        setErrors((current) => {
          const kept = Object.entries(current).filter(([path]) => path !== field && !path.startsWith(`${field}.`));
          return kept.length === Object.keys(current).length ? current : Object.fromEntries(kept);
        }),
      [],
    ),
  };
}

/** A setter per field of a section's form that also clears the field's error. */
export function useFields<F extends Record<string, unknown>>(setForm: Dispatch<SetStateAction<F>>, clear: (field: string) => void) {
  return <K extends keyof F & string>(field: K, errorField: string = field) =>
    (value: F[K]) => {
      setForm((f) => ({ ...f, [field]: value }));
      clear(errorField);
    };
}

/** A settings section: what it is about on the left (above on phones), its card on the right. */
export function SettingsSection({ id, title, description, children }: { id: string; title: string; description: ReactNode; children: ReactNode }) {
  return (
    <section aria-labelledby={id}>
      <Layout>
        <Layout.Section variant="oneThird">
          {/* Polaris pages have no side padding on phones: text outside a card needs its own. */}
          <Box paddingInline={{ xs: "400", sm: "0" }} paddingBlockStart={{ xs: "0", md: "400" }}>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd" id={id}>
                {title}
              </Text>
              <Text as="p" tone="subdued">
                {description}
              </Text>
            </BlockStack>
          </Box>
        </Layout.Section>
        <Layout.Section>{children}</Layout.Section>
      </Layout>
    </section>
  );
}

export function SaveButton({ busy, onClick, disabled = false, children = "Save" }: { busy: boolean; onClick: () => void; disabled?: boolean; children?: string }) {
  return (
    <InlineStack align="end">
      <Button variant="primary" loading={busy} disabled={disabled} onClick={onClick}>
        {children}
      </Button>
    </InlineStack>
  );
}


export function ConfirmModal(props: {
  open: boolean;
  title: string;
  action: string;
  busy: boolean;
  onConfirm: () => void;
  onClose: () => void;
  children: ReactNode;
}) {
  return (
    <Modal
      open={props.open}
      onClose={props.onClose}
      title={props.title}
      primaryAction={{ content: props.action, destructive: true, loading: props.busy, onAction: props.onConfirm }}
      secondaryActions={[{ content: "Cancel", onAction: props.onClose }]}
    >
      <Modal.Section>{props.children}</Modal.Section>
    </Modal>
  );
}
