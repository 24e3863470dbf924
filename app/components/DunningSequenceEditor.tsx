import { type ShouldRevalidateFunction, useFetcher, useLoaderData, useNavigate } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  Checkbox,
  InlineGrid,
  InlineStack,
  Layout,
  Modal,
  Page,
  SkeletonBodyText,
  Text,
  TextField,
} from "@shopify/polaris";
import { useEffect, useRef, useState, type ReactNode } from "react";
import { SequenceBadge } from "~/components/DunningSequenceList";
import { PageError } from "~/components/PageError";
import { useHydratedBreakpoints } from "~/components/useHydratedBreakpoints";
import { useToast } from "~/components/useToast";
import { useCarriedToast, useFieldErrors, useFirstTime } from "~/components/useEditorPage";
import { useUnsavedChanges } from "~/components/UnsavedChanges";
import type { TestRecipient } from "~/domain/dunning/preview.server";
import type { SequenceDraft } from "~/domain/campaigns/sequences.server";
import { PLACEHOLDERS, type Placeholder } from "~/domain/dunning/templates";
import type { DunningEditorAction, DunningEditorLoader, DunningPreviewAction } from "~/contracts/dashboard/dunning-pages.server";

// <base>/dunning/:id (or /new): one sequence's emails, with a live preview of the email being
// edited (rendered with sample data by <base>/dunning/preview), a test email, and deletion; in
// every home of the merchant UI. The campaign editor edits its emails with the same pieces
// (useStepsEditing, StepCards, StepPreviewAside), so there is one preview, not two.

/** Previews and test emails change nothing this page shows; after a deletion the page is leaving. */
export function dunningEditorShouldRevalidate(basePath: string): ShouldRevalidateFunction {
  return ({ formAction, json, defaultShouldRevalidate }) => {
    if (formAction === `${basePath}/dunning/preview`) return false;
    const intent = (json as { intent?: unknown } | undefined)?.intent;
    if (intent === "test-email" || intent === "delete") return false;
    return defaultShouldRevalidate;
  };
}

type Field = "subjectTemplate" | "bodyTemplate";

/** One email of a sequence as the editor holds it (delays as typed). Campaigns edit theirs with the same pieces. */
export interface StepForm {
  /** React's key: stable while steps move. */
  key: string;
  id?: string;
  days: string;
  hours: string;
  subjectTemplate: string;
  bodyTemplate: string;
}

interface Form {
  name: string;
  isEnabled: boolean;
  steps: StepForm[];
}

// Keys (and the field ids built from them) must be the same on the server and in the browser, or
// hydration fails: saved steps use their id, new ones a per-page counter.
let keys = 0;
const nextKey = () => `new-step-${++keys}`;

/** A saved step, as the server sends it and takes it back. */
export type StepDraft = SequenceDraft["steps"][number];

export function stepFormsOf(steps: readonly StepDraft[]): StepForm[] {
  return steps.map((s, index) => ({
    key: s.id ? `step-${s.id}` : `step-draft-${index}`,
    id: s.id,
    days: String(Math.floor(s.delayHours / 24)),
    hours: String(s.delayHours % 24),
    subjectTemplate: s.subjectTemplate,
    bodyTemplate: s.bodyTemplate,
  }));
}

/** The steps as saved; a delay that isn't whole days and hours goes as -1, for the server to refuse. */
export function stepDraftsOf(steps: readonly StepForm[]): StepDraft[] {
  return steps.map((s) => ({ id: s.id, delayHours: delayHoursOf(s) ?? -1, subjectTemplate: s.subjectTemplate, bodyTemplate: s.bodyTemplate }));
}

/** What the browser can tell before saving: a delay that isn't whole days and hours, per step. */
export function stepDelayProblems(steps: readonly StepForm[]): Record<string, string> {
  const problems: Record<string, string> = {};
  steps.forEach((s, i) => {
    if (delayHoursOf(s) === null) problems[`steps.${i}.delayHours`] = "Enter whole days, and hours from 0 to 23.";
  });
  return problems;
}

function formOf(draft: SequenceDraft): Form {
  return { name: draft.name, isEnabled: draft.isEnabled, steps: stepFormsOf(draft.steps) };
}

/** Whole days and hours, or null when either is not a whole number in range. */
export function delayHoursOf(step: Pick<StepForm, "days" | "hours">): number | null {
  const days = step.days.trim() === "" ? 0 : Number(step.days);
  const hours = step.hours.trim() === "" ? 0 : Number(step.hours);
  if (!Number.isInteger(days) || !Number.isInteger(hours) || days < 0 || hours < 0 || hours > 23) return null;
  return days * 24 + hours;
}

function draftOfForm(form: Form): SequenceDraft {
  return { name: form.name, isEnabled: form.isEnabled, steps: stepDraftsOf(form.steps) };
}

function describeDelay(hours: number): string {
  if (hours === 0) return "As soon as the payment fails";
  const days = Math.floor(hours / 24);
  const rest = hours % 24;
  const parts = [days ? `${days} ${days === 1 ? "day" : "days"}` : "", rest ? `${rest} ${rest === 1 ? "hour" : "hours"}` : ""].filter(Boolean);
  return `${parts.join(" ")} after the payment fails`;
}

const PLACEHOLDER_HELP: Record<Placeholder, string> = {
  customer_name: "The customer's name (\u201cthere\u201d when unknown)",
  amount: "The amount due, such as $49.00",
  currency: "The currency code, such as USD",
  decline_reason: "Why the payment failed, in plain words",
  retry_date: "When Recoup will try the card again",
  update_payment_url: "The link to update the card; alone in a paragraph it becomes a button",
  pay_link_url: "A link to pay this amount now, by card, on a pay page (ADR 0075)",
  merchant_name: "Your sender name (Settings)",
};

function StepCard(props: {
  index: number;
  step: StepForm;
  count: number;
  previousDelay: number | null;
  selected: boolean;
  errors: Record<string, string>;
  onChange: (patch: Partial<StepForm>) => void;
  onMove: (by: -1 | 1) => void;
  onRemove: () => void;
  /** Focus moved into this card; `field` when it is one a placeholder can be inserted into. */
  onFocusField: (field?: Field) => void;
  /** On phones the placeholders come with the selected card (the full list is far below). */
  quickInsert?: ReactNode;
  /** Polaris cards have square corners on the smallest screens. */
  squareCorners: boolean;
  /** Shown, not changed (a campaign that is running). */
  disabled?: boolean;
}) {
  const { index, step, count, previousDelay, selected, errors, onChange, onMove, onRemove, onFocusField, quickInsert, squareCorners, disabled } = props;
  const delay = delayHoursOf(step);
  const error = (field: string) => errors[`steps.${index}.${field}`];
  return (
    <div onFocusCapture={() => onFocusField()} style={{ position: "relative" }}>
      {selected ? (
        // Over the card, not around it: on phones the cards touch the screen's edges.
        <div
          aria-hidden
          style={{
            position: "absolute",
            inset: 0,
            zIndex: 1,
            pointerEvents: "none",
            border: "2px solid var(--p-color-border-focus)",
            borderRadius: squareCorners ? 0 : "var(--p-border-radius-300)",
          }}
        />
      ) : null}
      <Card>
        <BlockStack gap="300">
          <InlineStack align="space-between" blockAlign="center" gap="200">
            <BlockStack gap="050">
              <Text as="h3" variant="headingSm">
                Email {index + 1}
              </Text>
              <Text as="p" variant="bodySm" tone="subdued">
                {delay === null ? "Enter whole days and hours" : describeDelay(delay)}
              </Text>
            </BlockStack>
            <InlineStack gap="100">
              <Button size="slim" onClick={() => onMove(-1)} disabled={disabled || index === 0} accessibilityLabel={`Move email ${index + 1} up`}>
                ↑
              </Button>
              <Button size="slim" onClick={() => onMove(1)} disabled={disabled || index === count - 1} accessibilityLabel={`Move email ${index + 1} down`}>
                ↓
              </Button>
              <Button size="slim" tone="critical" variant="plain" onClick={onRemove} disabled={disabled || count === 1}>
                Remove
              </Button>
            </InlineStack>
          </InlineStack>
          <InlineGrid columns={2} gap="300">
            <TextField
              label="Send after (days)"
              type="number"
              min={0}
              autoComplete="off"
              value={step.days}
              onChange={(days) => onChange({ days })}
              error={error("delayHours")}
              disabled={disabled}
            />
            <TextField label="and hours" type="number" min={0} max={23} autoComplete="off" value={step.hours} onChange={(hours) => onChange({ hours })} disabled={disabled} />
          </InlineGrid>
          {delay !== null && previousDelay !== null && delay < previousDelay ? (
            <Text as="p" variant="bodySm" tone="caution">
              This is earlier than email {index}&apos;s time, so it will go out right after email {index}.
            </Text>
          ) : null}
          <div onFocus={() => onFocusField("subjectTemplate")}>
            <TextField
              id={`${step.key}-subjectTemplate`}
              label="Subject"
              autoComplete="off"
              value={step.subjectTemplate}
              onChange={(subjectTemplate) => onChange({ subjectTemplate })}
              error={error("subjectTemplate")}
              disabled={disabled}
            />
          </div>
          <div onFocus={() => onFocusField("bodyTemplate")}>
            <TextField
              id={`${step.key}-bodyTemplate`}
              label="Email text"
              helpText="A blank line starts a new paragraph. {{update_payment_url}} alone in a paragraph becomes the button."
              multiline={8}
              autoComplete="off"
              value={step.bodyTemplate}
              onChange={(bodyTemplate) => onChange({ bodyTemplate })}
              error={error("bodyTemplate")}
              disabled={disabled}
            />
          </div>
          {selected && !disabled ? quickInsert : null}
        </BlockStack>
      </Card>
    </div>
  );
}

function PlaceholderHelp({ targetLabel, onInsert }: { targetLabel: string; onInsert: (p: Placeholder) => void }) {
  return (
    <Card>
      <BlockStack gap="300">
        <BlockStack gap="100">
          <Text as="h2" variant="headingSm">
            Placeholders
          </Text>
          <Text as="p" variant="bodySm" tone="subdued">
            Each is filled in for every customer. Click one to insert it into {targetLabel}.
          </Text>
        </BlockStack>
        <BlockStack gap="200">
          {PLACEHOLDERS.map((p) => (
            <InlineStack key={p} gap="200" blockAlign="center" wrap={false}>
              <div style={{ flexShrink: 0 }}>
                {/* onMouseDown keeps the field's focus and cursor, where the placeholder goes. */}
                <span onMouseDown={(e) => e.preventDefault()}>
                  <Button size="slim" onClick={() => onInsert(p)} accessibilityLabel={`Insert {{${p}}}`}>
                    {`{{${p}}}`}
                  </Button>
                </span>
              </div>
              <Text as="span" variant="bodySm" tone="subdued">
                {PLACEHOLDER_HELP[p]}
              </Text>
            </InlineStack>
          ))}
        </BlockStack>
      </BlockStack>
    </Card>
  );
}

function QuickInsert({ target, onInsert }: { target: string; onInsert: (p: Placeholder) => void }) {
  return (
    <BlockStack gap="200">
      <InlineStack align="space-between" blockAlign="center">
        <Text as="p" variant="bodySm" tone="subdued">
          Insert into the {target}:
        </Text>
        <Button variant="plain" url="#email-preview">
          See the preview
        </Button>
      </InlineStack>
      <InlineStack gap="100">
        {PLACEHOLDERS.map((p) => (
          <span key={p} onMouseDown={(e) => e.preventDefault()}>
            <Button size="slim" onClick={() => onInsert(p)} accessibilityLabel={`Insert {{${p}}}`}>
              {p}
            </Button>
          </span>
        ))}
      </InlineStack>
    </BlockStack>
  );
}

/** Where "Send test email" sends, said before it is pressed. */
function testRecipientText({ to, source }: TestRecipient): string {
  if (!to) {
    return source === "member"
      ? "Your account has no email address, so tests can't be sent."
      : "Tests go to the reply-to address in Settings; add one to send a test.";
  }
  if (source === "member") return `Tests go to you, at ${to}.`;
  if (source === "reply_to") return `Tests go to your reply-to address, ${to}.`;
  return `Tests go to the workspace owner, at ${to}.`;
}

function PreviewPane(props: {
  basePath: string;
  testEmail: TestRecipient;
  index: number;
  subjectTemplate: string;
  bodyTemplate: string;
  onSendTest: () => void;
  sendingTest: boolean;
  readOnly: boolean;
}) {
  const { basePath, testEmail, index, subjectTemplate, bodyTemplate, onSendTest, sendingTest, readOnly } = props;
  const fetcher = useFetcher<DunningPreviewAction>();
  const { submit } = fetcher;
  const [height, setHeight] = useState(480);

  useEffect(() => {
    const timer = setTimeout(() => {
      submit({ subjectTemplate, bodyTemplate }, { method: "post", action: `${basePath}/dunning/preview`, encType: "application/json" });
    }, 300);
    return () => clearTimeout(timer);
  }, [subjectTemplate, bodyTemplate, submit, basePath]);

  const result = fetcher.data;
  const updating = fetcher.state !== "idle";
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center" gap="200">
          <Text as="h2" variant="headingSm" id="email-preview">
            Preview of email {index + 1}
          </Text>
          {updating ? <Badge tone="info">Updating…</Badge> : null}
        </InlineStack>
        <Text as="p" variant="bodySm" tone="subdued">
          With sample data: Jane Doe owes $49.00.
        </Text>
        {!result ? (
          <SkeletonBodyText lines={8} />
        ) : result.ok ? (
          <BlockStack gap="200">
            <Box padding="200" background="bg-surface-secondary" borderRadius="200">
              <Text as="p" variant="bodySm" breakWord>
                <Text as="span" tone="subdued">
                  Subject:{" "}
                </Text>
                <span data-testid="preview-subject">{result.preview.subject}</span>
              </Text>
            </Box>
            <div style={{ border: "1px solid var(--p-color-border)", borderRadius: 8, overflow: "hidden", opacity: updating ? 0.6 : 1 }}>
              {/* No scripts ever run in it; same-origin only to measure its height. */}
              <iframe
                title={`Preview of email ${index + 1}`}
                sandbox="allow-same-origin"
                srcDoc={result.preview.html}
                style={{ display: "block", width: "100%", height, border: 0 }}
                onLoad={(e) => {
                  const body = e.currentTarget.contentDocument?.body;
                  if (body) setHeight(Math.min(1200, Math.max(240, body.scrollHeight)));
                }}
              />
            </div>
          </BlockStack>
        ) : (
          <Banner tone="critical" title="This email can't be previewed yet">
            <p>{result.message}</p>
          </Banner>
        )}
        <InlineStack align="space-between" blockAlign="center" gap="200">
          <Text as="p" variant="bodySm" tone="subdued" breakWord>
            {testRecipientText(testEmail)}
          </Text>
          <Button onClick={onSendTest} loading={sendingTest} disabled={!result?.ok || !testEmail.to || readOnly}>
            Send test email
          </Button>
        </InlineStack>
      </BlockStack>
    </Card>
  );
}

function DeleteModal(props: { open: boolean; name: string; isActive: boolean; deleting: boolean; error: string | null; onClose: () => void; onDelete: () => void }) {
  const { open, name, isActive, deleting, error, onClose, onDelete } = props;
  return (
    <Modal
      open={open}
      onClose={onClose}
      title={isActive ? "The active sequence can't be deleted" : `Delete \u201c${name}\u201d?`}
      primaryAction={isActive ? undefined : { content: "Delete sequence", destructive: true, loading: deleting, onAction: onDelete }}
      secondaryActions={[{ content: isActive ? "Close" : "Cancel", onAction: onClose }]}
    >
      <Modal.Section>
        <BlockStack gap="300">
          {error ? (
            <Banner tone="critical">
              <p>{error}</p>
            </Banner>
          ) : null}
          {isActive ? (
            <Text as="p">
              New failed payments get this sequence&apos;s emails. Enable another sequence, or switch this one off and save, then delete it.
            </Text>
          ) : (
            <>
              <Text as="p">
                Customers waiting for one of its emails continue with the active sequence, from its next email that is due no earlier. Emails
                already sent stay in each recovery&apos;s timeline.
              </Text>
              <Text as="p">This can&apos;t be undone.</Text>
            </>
          )}
        </BlockStack>
      </Modal.Section>
    </Modal>
  );
}

/** The steps' editing as a page holds it: which email is selected, which field a placeholder goes into, and the moves. */
export interface StepsEditing {
  steps: StepForm[];
  /** The selected email's index, within the list. */
  index: number;
  current: StepForm;
  target: Field;
  select: (index: number, field?: Field) => void;
  updateStep: (index: number, patch: Partial<StepForm>) => void;
  moveStep: (index: number, by: -1 | 1) => void;
  removeStep: (index: number) => void;
  addStep: () => void;
  insertPlaceholder: (placeholder: Placeholder) => void;
}

/**
 * The steps' editing, for a page whose form holds them (`setSteps` updates them there) and whose
 * errors are filed by path (`forget` drops those that no longer apply): the sequence editor and the
 * campaign editor.
 */
export function useStepsEditing(
  steps: StepForm[],
  setSteps: (update: (steps: StepForm[]) => StepForm[]) => void,
  forget: (matches: (path: string) => boolean) => void,
): StepsEditing {
  const [selected, setSelected] = useState(0);
  const [target, setTarget] = useState<Field>("bodyTemplate");
  const pendingFocus = useRef<{ id: string; at: number } | null>(null);

  useEffect(() => {
    const pending = pendingFocus.current;
    if (!pending) return;
    pendingFocus.current = null;
    const el = document.getElementById(pending.id) as HTMLInputElement | HTMLTextAreaElement | null;
    el?.focus();
    el?.setSelectionRange(pending.at, pending.at);
  });

  const updateStep = (index: number, patch: Partial<StepForm>) => {
    setSteps((all) => all.map((s, i) => (i === index ? { ...s, ...patch } : s)));
    const fields = Object.keys(patch).map((k) => (k === "days" || k === "hours" ? "delayHours" : k));
    forget((path) => fields.some((field) => path === `steps.${index}.${field}`));
  };

  // Errors are filed by position: once steps move, they would point at the wrong ones.
  const forgetStepErrors = () => forget((path) => path.startsWith("steps"));

  const moveStep = (index: number, by: -1 | 1) => {
    setSteps((all) => {
      const moved = [...all];
      const [step] = moved.splice(index, 1);
      moved.splice(index + by, 0, step!);
      return moved;
    });
    forgetStepErrors();
    setSelected(index + by);
  };

  const removeStep = (index: number) => {
    setSteps((all) => all.filter((_, i) => i !== index));
    forgetStepErrors();
    setSelected((s) => Math.max(0, s > index ? s - 1 : Math.min(s, steps.length - 2)));
  };

  const addStep = () => {
    const last = steps.at(-1);
    const lastDelay = last ? (delayHoursOf(last) ?? 0) : 0;
    const delay = lastDelay + 72;
    setSteps((all) => [
      ...all,
      {
        key: nextKey(),
        days: String(Math.floor(delay / 24)),
        hours: String(delay % 24),
        subjectTemplate: "A reminder about your {{merchant_name}} payment",
        bodyTemplate: "Hi {{customer_name}},\n\nYour payment of {{amount}} is still outstanding. You can update your card here:\n\n{{update_payment_url}}\n\n{{merchant_name}}",
      },
    ]);
    setSelected(steps.length);
  };

  const insertPlaceholder = (placeholder: Placeholder) => {
    const step = steps[selected];
    if (!step) return;
    const id = `${step.key}-${target}`;
    const el = document.getElementById(id) as HTMLInputElement | HTMLTextAreaElement | null;
    const value = step[target];
    const start = el?.selectionStart ?? value.length;
    const end = el?.selectionEnd ?? value.length;
    const token = `{{${placeholder}}}`;
    updateStep(selected, { [target]: value.slice(0, start) + token + value.slice(end) });
    pendingFocus.current = { id, at: start + token.length };
  };

  const index = Math.min(selected, steps.length - 1);
  return {
    steps,
    index,
    current: steps[index]!,
    target,
    select: (i, field) => {
      setSelected(i);
      if (field) setTarget(field);
    },
    updateStep,
    moveStep,
    removeStep,
    addStep,
    insertPlaceholder,
  };
}

/** The emails, one card each, and "Add email". */
export function StepCards({ editing, errors, disabled }: { editing: StepsEditing; errors: Record<string, string>; disabled?: boolean }) {
  const { smDown, xsOnly } = useHydratedBreakpoints();
  const { steps, target } = editing;
  return (
    <>
      {steps.map((step, index) => (
        <StepCard
          key={step.key}
          index={index}
          step={step}
          count={steps.length}
          previousDelay={index > 0 ? delayHoursOf(steps[index - 1]!) : null}
          selected={index === editing.index}
          errors={errors}
          onChange={(patch) => editing.updateStep(index, patch)}
          onMove={(by) => editing.moveStep(index, by)}
          onRemove={() => editing.removeStep(index)}
          onFocusField={(field) => editing.select(index, field)}
          squareCorners={xsOnly}
          quickInsert={smDown ? <QuickInsert target={target === "subjectTemplate" ? "subject" : "text"} onInsert={editing.insertPlaceholder} /> : null}
          disabled={disabled}
        />
      ))}
      {disabled ? null : (
        <Box paddingInline={{ xs: "400", sm: "0" }}>
          <Button onClick={editing.addStep} disabled={steps.length >= 20}>
            Add email
          </Button>
        </Box>
      )}
    </>
  );
}

/** Beside the emails: the selected one's live preview (rendered by <base>/dunning/preview), its test email and the placeholders. */
export function StepPreviewAside(props: {
  editing: StepsEditing;
  basePath: string;
  testEmail: TestRecipient;
  onSendTest: () => void;
  sendingTest: boolean;
  readOnly: boolean;
  /** The steps can't be changed now: no placeholders to insert. */
  locked?: boolean;
}) {
  const { editing, basePath, testEmail, onSendTest, sendingTest, readOnly, locked } = props;
  const { smDown } = useHydratedBreakpoints();
  return (
    <div style={{ position: "sticky", top: 16 }}>
      <BlockStack gap="400">
        <PreviewPane
          basePath={basePath}
          testEmail={testEmail}
          index={editing.index}
          subjectTemplate={editing.current.subjectTemplate}
          bodyTemplate={editing.current.bodyTemplate}
          onSendTest={onSendTest}
          sendingTest={sendingTest}
          readOnly={readOnly}
        />
        {smDown || locked ? null : (
          <PlaceholderHelp
            targetLabel={`email ${editing.index + 1}'s ${editing.target === "subjectTemplate" ? "subject" : "text"}`}
            onInsert={editing.insertPlaceholder}
          />
        )}
      </BlockStack>
    </div>
  );
}

function Editor(props: {
  sequence: { id: string; isActive: boolean } | null;
  initial: SequenceDraft;
  basePath: string;
  testEmail: TestRecipient;
  /** Why this merchant may look but not change (a member), else null. */
  readOnly: string | null;
}) {
  const { sequence, initial, basePath, testEmail, readOnly } = props;
  const [form, setForm] = useState<Form>(() => formOf(initial));
  const [saved, setSaved] = useState(() => JSON.stringify(draftOfForm(formOf(initial))));
  // From the last save (or the checks before it); a field's error goes when the field changes.
  const { errors, setErrors, forget } = useFieldErrors();
  const save = useFetcher<DunningEditorAction>();
  const test = useFetcher<DunningEditorAction>();
  const remove = useFetcher<DunningEditorAction>();
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const navigate = useNavigate();
  const { toast, showToast } = useToast();
  const firstTime = useFirstTime();
  // What the browser found wrong at the last save (delays it could not read), kept for the answer.
  const checkedInBrowser = useRef<Record<string, string>>({});

  const editing = useStepsEditing(form.steps, (update) => setForm((f) => ({ ...f, steps: update(f.steps) })), forget);

  useCarriedToast(showToast);

  useEffect(() => {
    const result = save.data;
    if (!result || !firstTime(result)) return;
    if (!result.ok) {
      // Every field at once: the server's checks, with the browser's own word on delays it could not read.
      setErrors({ ...result.fieldErrors, ...checkedInBrowser.current });
      showToast(Object.keys(checkedInBrowser.current).length ? "Some fields need another look." : result.message, true);
      return;
    }
    if (result.intent !== "save") return;
    if (!sequence) {
      unsaved.release();
      navigate(`${basePath}/dunning/${result.sequence.id}`, { replace: true, state: { toast: result.toast } });
      return;
    }
    // New steps now have ids: the next save must send them, or it would replace them again.
    const next = formOf(result.draft);
    setForm(next);
    setSaved(JSON.stringify(draftOfForm(next)));
    showToast(result.toast);
  }, [save.data, sequence, navigate, showToast, basePath]);

  useEffect(() => {
    const result = remove.data;
    if (!result || !firstTime(result) || !result.ok) return;
    unsaved.release();
    navigate(`${basePath}/dunning`, { replace: true, state: { toast: result.toast } });
  }, [remove.data, navigate, basePath]);

  useEffect(() => {
    const result = test.data;
    if (result && firstTime(result)) showToast(result.ok ? result.toast : result.message, !result.ok);
  }, [test.data, showToast]);

  const dirty = JSON.stringify(draftOfForm(form)) !== saved;
  const unsaved = useUnsavedChanges(dirty && !readOnly);
  const current = editing.current;

  const onSave = () => {
    // Sent even when a delay is unreadable (as -1, which the server refuses): its answer names every other field that is wrong too.
    checkedInBrowser.current = stepDelayProblems(form.steps);
    setErrors(checkedInBrowser.current);
    save.submit({ intent: "save", draft: draftOfForm(form) }, { method: "post", encType: "application/json" });
  };

  const sendTest = () =>
    test.submit({ intent: "test-email", subjectTemplate: current.subjectTemplate, bodyTemplate: current.bodyTemplate }, { method: "post", encType: "application/json" });

  const stepsError = errors.steps;
  const formError = save.data && !save.data.ok && Object.keys(save.data.fieldErrors).length === 0 ? save.data.message : null;

  return (
    <Page
      title={form.name.trim() || "Untitled sequence"}
      titleMetadata={
        <InlineStack gap="100">
          <SequenceBadge isActive={sequence?.isActive ?? false} isEnabled={form.isEnabled} />
          {dirty ? <Badge tone="attention">Unsaved changes</Badge> : null}
        </InlineStack>
      }
      backAction={{ content: "Dunning", url: `${basePath}/dunning` }}
      primaryAction={{
        content: sequence ? "Save" : "Create sequence",
        onAction: onSave,
        loading: save.state !== "idle",
        disabled: Boolean(readOnly) || (sequence !== null && !dirty),
      }}
      secondaryActions={
        sequence ? [{ content: "Delete sequence", destructive: true, disabled: Boolean(readOnly), onAction: () => setConfirmingDelete(true) }] : undefined
      }
    >
      <Layout>
        {readOnly ? (
          <Layout.Section>
            <Banner tone="info" title="You can preview these emails but not change them">
              <p>{readOnly}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        {formError ? (
          <Layout.Section>
            <Banner tone="critical" title="The sequence wasn't saved">
              <p>{formError}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="300">
                <TextField
                  label="Name"
                  autoComplete="off"
                  value={form.name}
                  onChange={(name) => {
                    setForm((f) => ({ ...f, name }));
                    forget((path) => path === "name");
                  }}
                  error={errors.name}
                />
                <Checkbox
                  label="Enabled"
                  helpText="New failed payments follow the enabled sequence saved most recently."
                  checked={form.isEnabled}
                  onChange={(isEnabled) => setForm((f) => ({ ...f, isEnabled }))}
                />
              </BlockStack>
            </Card>
            {stepsError ? (
              <Banner tone="critical">
                <p>{stepsError}</p>
              </Banner>
            ) : null}
            <StepCards editing={editing} errors={errors} />
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <StepPreviewAside
            editing={editing}
            basePath={basePath}
            testEmail={testEmail}
            onSendTest={sendTest}
            sendingTest={test.state !== "idle"}
            readOnly={Boolean(readOnly)}
          />
        </Layout.Section>
      </Layout>
      {sequence ? (
        <DeleteModal
          open={confirmingDelete}
          name={form.name.trim() || initial.name}
          isActive={sequence.isActive}
          deleting={remove.state !== "idle"}
          error={remove.data && !remove.data.ok && remove.state === "idle" ? remove.data.message : null}
          onClose={() => setConfirmingDelete(false)}
          onDelete={() => remove.submit({ intent: "delete" }, { method: "post", encType: "application/json" })}
        />
      ) : null}
      {toast}
      {unsaved.modal}
    </Page>
  );
}

export function DunningSequenceEditor() {
  const { sequence, draft, basePath, testEmail, readOnly } = useLoaderData<DunningEditorLoader>();
  return <Editor key={sequence?.id ?? "new"} sequence={sequence} initial={draft} basePath={basePath} testEmail={testEmail} readOnly={readOnly} />;
}

export function DunningEditorError({ basePath }: { basePath: string }) {
  return (
    <PageError
      title="Dunning"
      heading="The sequence could not be loaded"
      notFound={{ title: "Sequence not found", heading: "This sequence can't be opened" }}
      backAction={{ content: "Dunning", url: `${basePath}/dunning` }}
    />
  );
}
