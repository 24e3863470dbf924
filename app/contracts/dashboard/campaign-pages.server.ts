import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { can, refusalMessage } from "~/domain/access/roles";
import {
  createCampaign,
  createFromTemplate,
  getCampaign,
  listCampaigns,
  listTemplates,
  MAX_STEPS,
  transition,
  updateCampaign,
  type CampaignView,
} from "~/domain/campaigns/campaigns.server";
import {
  CAMPAIGN_STATUSES,
  CAMPAIGN_TRIGGERS,
  CampaignFiltersSchema,
  CUSTOMER_SEGMENTS,
  EDITABLE_STATUSES,
  HIGH_VALUE_MAJOR_UNITS,
  NEW_CUSTOMER_DAYS,
  REPEAT_FAILURE_DAYS,
  TRANSITIONS,
  type CampaignCommand,
  type CampaignFilters,
  type CampaignStatus,
  type CampaignTrigger,
  type CustomerSegment,
} from "~/domain/campaigns/model";
import { checkOverlap, simulateCampaign } from "~/domain/campaigns/simulate.server";
import { DEFAULT_SEQUENCE } from "~/domain/dunning/default-sequence";
import { sendTestEmail, testEmailRecipient } from "~/domain/dunning/preview.server";
import { SequenceDraftSchema } from "~/domain/campaigns/sequences.server";
import { addStepPlaceholderIssues } from "~/domain/dunning/templates";
import { AppError } from "~/domain/errors";
import { DECLINE_CATEGORIES, DECLINE_CATEGORY_DESCRIPTIONS, type DeclineCategory } from "~/domain/recovery/decline-codes";
import { getWorkspace } from "~/domain/workspaces/workspaces.server";
import { readJson } from "~/http/body.server";
import { currencyExponent, formatMoney } from "~/utils/money";
import { actionFailure, requirePermission, type Actor } from "~/contracts/dashboard/dashboard-session.server";

// The campaign pages (the list with its templates, the editor with its lifecycle and simulation),
// server side: what the campaign domain answers, in the merchant's words, and the editor's form
// read back into the domain's draft. The emails' preview is the sequence editor's
// (<base>/dunning/preview); who may change a campaign is who may change dunning emails
// (docs/decisions/0010-team-roles.md).

export interface CampaignCaller extends Actor {
  workspaceId: string;
  userId: string | null;
}
type CallerOf = (request: Request) => Promise<CampaignCaller>;

const PER_PAGE = 25;

// ---------------------------------------------------------------------------------------------
// Words

const TRIGGER_WORDS: Record<CampaignTrigger, { label: string; help: string }> = {
  payment_failed: { label: "Any failed payment", help: "Every failed payment, whatever the reason." },
  any_decline: { label: "Any decline", help: "Every declined payment: the same payments as \u201cAny failed payment\u201d." },
  soft_decline: {
    label: "Temporary decline",
    help: "Declines a retry can fix: insufficient funds, limits, the bank unavailable. Retries often win these on their own.",
  },
  card_expired: { label: "Expired card", help: "Payments declined because the card on file has expired." },
  repeated_failure: { label: "Repeated failure", help: `Customers whose payment also failed in the previous ${REPEAT_FAILURE_DAYS} days.` },
  high_value_churn: {
    label: "High-value payment",
    help: `Payments of ${HIGH_VALUE_MAJOR_UNITS} or more in their currency (such as $${HIGH_VALUE_MAJOR_UNITS}.00 or \u20ac${HIGH_VALUE_MAJOR_UNITS}).`,
  },
  card_expiring: { label: "Card about to expire", help: "Cards about to expire, before any payment fails. Recoup doesn't enroll customers this way yet." },
  pre_dunning: { label: "Before a payment is due", help: "Reminders before a renewal, for cards that may fail. Recoup doesn't enroll customers this way yet." },
  manual: { label: "Manual", help: "No failed payment enrolls on its own." },
};

const CATEGORY_LABELS: Record<DeclineCategory, string> = {
  soft_retry: "Temporary",
  hard_customer: "Customer must act",
  terminal: "Card won't work again",
  unknown: "Unrecognised",
};

const SEGMENT_WORDS: Record<CustomerSegment, { label: string; help: string }> = {
  new: { label: "New customers", help: `Customers for less than ${NEW_CUSTOMER_DAYS} days.` },
  established: { label: "Established customers", help: `Customers for ${NEW_CUSTOMER_DAYS} days or more.` },
  high_value: { label: "High-value payments", help: `Payments of ${HIGH_VALUE_MAJOR_UNITS} or more in their currency.` },
  repeat_failure: { label: "Failed before", help: `Another payment failed in the previous ${REPEAT_FAILURE_DAYS} days.` },
};

const STATUS_WORDS: Record<CampaignStatus, string> = {
  draft: "A draft enrolls nobody. Simulate it on your recent failed payments, then activate it.",
  active: "New failed payments it claims get its emails.",
  paused: "It enrolls nobody new, and its customers' waiting emails hold until you activate it again.",
  completed: "It enrolls nobody new; customers already in it get the rest of its emails.",
  archived: "It enrolls nobody, and its customers get no more of its emails.",
};

const COMMAND_LABELS: Record<CampaignCommand, string> = { activate: "Activate", pause: "Pause", complete: "Complete", archive: "Archive" };

function lockedWords(status: CampaignStatus): string | null {
  if (EDITABLE_STATUSES.includes(status)) return null;
  if (status === "active") return "This campaign is active, so its targeting and emails can't change while it runs. Pause it to edit.";
  return `This campaign is ${status}, so its targeting and emails stay as they were. To change them, start a new campaign.`;
}

function transitionToast(command: CampaignCommand, name: string): string {
  const quoted = `\u201c${name}\u201d`;
  switch (command) {
    case "activate":
      return `${quoted} is active: new failed payments it claims get its emails.`;
    case "pause":
      return `${quoted} is paused: nobody new joins, and its waiting emails hold.`;
    case "complete":
      return `${quoted} is completed: nobody new joins; customers in it get the rest of its emails.`;
    case "archive":
      return `${quoted} is archived.`;
  }
}

const TRIGGER_OPTIONS = CAMPAIGN_TRIGGERS.map((value) => ({ value, ...TRIGGER_WORDS[value] }));

function triggerLabel(trigger: string): string {
  return TRIGGER_WORDS[trigger as CampaignTrigger]?.label ?? trigger;
}

// ---------------------------------------------------------------------------------------------
// The list

/** The list's tabs: "current" is every campaign but the archived ones. */
export const CAMPAIGN_TABS = ["current", ...CAMPAIGN_STATUSES] as const;
export type CampaignTab = (typeof CAMPAIGN_TABS)[number];

const ListQuerySchema = z.object({
  status: z.enum(CAMPAIGN_TABS).catch("current"),
  q: z.string().trim().max(200).catch(""),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
});

function rowOf(c: CampaignView) {
  return {
    id: c.id,
    name: c.name,
    status: c.status,
    trigger: triggerLabel(c.trigger),
    priority: c.priority,
    totalSteps: c.totalSteps,
    results: { enrolled: c.results.enrolled, recovered: c.results.recovered, recoveryRate: c.results.recoveryRate },
  };
}

/**
 * Every campaign but the archived ones, a page of them. listCampaigns filters on one status, so
 * this reads the workspace's campaigns whole (a few dozen at most in practice) and pages them here.
 */
export function campaignListLoader(callerOf: CallerOf, basePath: string) {
  return async ({ request }: LoaderFunctionArgs) => {
    const caller = await callerOf(request);
    const query = ListQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
    const search = query.q || undefined;
    // "Current" is every campaign but the archived ones.
    const status = query.status === "current" ? CAMPAIGN_STATUSES.filter((s) => s !== "archived") : query.status;
    const listed = await listCampaigns({ workspaceId: caller.workspaceId, status, search, page: { mode: "offset", page: query.page, perPage: PER_PAGE } });
    const { items } = listed;
    const total = listed.total ?? items.length;
    return {
      campaigns: items.map(rowOf),
      tab: query.status,
      search: query.q,
      page: query.page,
      totalPages: Math.max(1, Math.ceil(total / PER_PAGE)),
      total,
      templates: listTemplates().map((t) => ({ id: t.id, name: t.name, description: t.description, trigger: triggerLabel(t.trigger), totalSteps: t.totalSteps })),
      readOnly: can(caller.role, "manage_dunning") ? null : refusalMessage("manage_dunning", caller.ownerLabel),
      basePath,
    };
  };
}

export type CampaignListLoader = ReturnType<typeof campaignListLoader>;

const ListActionSchema = z.object({ intent: z.literal("from-template"), templateId: z.string().trim().min(1).max(100) });

/** "Start from a template": a draft copy of it, whose editor the page then opens. */
export function campaignListAction(callerOf: CallerOf, basePath: string) {
  return async ({ request }: ActionFunctionArgs) => {
    const caller = await callerOf(request);
    try {
      const body = await readJson(request, ListActionSchema);
      requirePermission(caller, "manage_dunning");
      const created = await createFromTemplate({ workspaceId: caller.workspaceId, templateId: body.templateId });
      // The router follows the redirect itself (a fetcher's redirect is a navigation): the editor
      // says what happened, from `?created=template`.
      return redirect(`${basePath}/campaigns/${created.id}?created=template`);
    } catch (error) {
      return actionFailure(error);
    }
  };
}

export type CampaignListAction = ReturnType<typeof campaignListAction>;

// ---------------------------------------------------------------------------------------------
// The editor's form: strings as typed, read back into the domain's filters and steps.

const LIST_FIELDS = { currencies: "currencies", declineCodes: "decline_codes", psps: "psps", plans: "plans" } as const;
const FORM_FIELD_OF: Record<keyof CampaignFilters, string> = {
  min_amount_cents: "minAmount",
  max_amount_cents: "maxAmount",
  currencies: "currencies",
  decline_categories: "declineCategories",
  decline_codes: "declineCodes",
  psps: "psps",
  customer_segments: "customerSegments",
  plans: "plans",
};

const text = (max: number) => z.string().max(max, { error: "That's longer than this field takes." }).default("");

const FiltersFormSchema = z.object({
  minAmount: text(30),
  maxAmount: text(30),
  amountCurrency: z
    .string()
    .trim()
    .regex(/^[A-Za-z]{3}$/, { error: "Enter a three-letter currency code, such as USD." })
    .transform((c) => c.toUpperCase()),
  currencies: text(2_000),
  declineCategories: z.array(z.enum(DECLINE_CATEGORIES)).default([]),
  declineCodes: text(10_000),
  psps: text(2_000),
  customerSegments: z.array(z.enum(CUSTOMER_SEGMENTS)).default([]),
  plans: text(20_000),
});
type FiltersFormInput = z.infer<typeof FiltersFormSchema>;
export type FiltersForm = z.input<typeof FiltersFormSchema>;

/** "usd, EUR\ngbp" → ["usd", "EUR", "gbp"]: commas or new lines, blanks dropped, each once. */
function listOf(value: string): string[] {
  return [...new Set(value.split(/[,\n]/).map((s) => s.trim()).filter(Boolean))];
}

/** "25" or "25.50" in the currency's major units → minor units; null when it isn't such an amount. */
function minorOf(value: string, currency: string): number | null | "decimals" {
  const match = /^(\d{1,12})(?:\.(\d+))?$/.exec(value);
  if (!match) return null;
  const exponent = currencyExponent(currency);
  const fraction = match[2] ?? "";
  if (fraction.replace(/0+$/, "").length > exponent) return "decimals";
  return Number(match[1]) * 10 ** exponent + Number(fraction.slice(0, exponent).padEnd(exponent, "0") || "0");
}

function majorOf(minor: number, currency: string): string {
  const exponent = currencyExponent(currency);
  return (minor / 10 ** exponent).toFixed(exponent);
}

/** The form's filters as the domain's, with a problem per form field in the merchant's words. */
function filtersOf(form: FiltersFormInput): { filters: CampaignFilters; problems: Array<{ field: string; message: string }> } {
  const problems: Array<{ field: string; message: string }> = [];
  const amount = (field: "minAmount" | "maxAmount") => {
    const value = form[field].trim();
    if (!value) return undefined;
    const minor = minorOf(value, form.amountCurrency);
    if (minor === "decimals") {
      const exponent = currencyExponent(form.amountCurrency);
      problems.push({ field, message: exponent ? `${form.amountCurrency} amounts have at most ${exponent} decimals.` : `${form.amountCurrency} has no decimals: enter a whole amount.` });
      return undefined;
    }
    if (minor === null) problems.push({ field, message: "Enter an amount such as 25 or 25.50, without the currency sign." });
    return minor ?? undefined;
  };
  const lists = Object.fromEntries(
    Object.entries(LIST_FIELDS).map(([field, key]) => {
      const items = listOf(form[field as keyof typeof LIST_FIELDS]);
      return [key, items.length ? items : undefined];
    }),
  );
  const candidate = {
    min_amount_cents: amount("minAmount"),
    max_amount_cents: amount("maxAmount"),
    ...lists,
    decline_categories: form.declineCategories.length ? [...new Set(form.declineCategories)] : undefined,
    customer_segments: form.customerSegments.length ? [...new Set(form.customerSegments)] : undefined,
  };
  const filters = Object.fromEntries(Object.entries(candidate).filter(([, v]) => v !== undefined));
  const parsed = CampaignFiltersSchema.safeParse(filters);
  if (parsed.success) return { filters: parsed.data, problems };
  for (const issue of parsed.error.issues) {
    const key = issue.path[0] as keyof CampaignFilters;
    const field = FORM_FIELD_OF[key] ?? "form";
    if (problems.some((p) => p.field === field)) continue;
    const value = issue.path.length > 1 ? (filters[key] as unknown[] | undefined)?.[issue.path[1] as number] : undefined;
    let message = issue.message;
    if (issue.code === "custom" && key === "min_amount_cents") message = "The smallest amount is above the largest, so no payment could match.";
    else if (issue.code === "too_big" && issue.path.length === 1 && (key === "min_amount_cents" || key === "max_amount_cents")) message = "That amount is too large.";
    else if (issue.code === "too_big" && issue.path.length === 1) message = "List at most 50.";
    else if (issue.code === "too_big") message = `\u201c${String(value).slice(0, 40)}\u2026\u201d is too long.`;
    else if (key === "currencies") message = `\u201c${String(value)}\u201d isn't a currency code: use three letters, such as USD or EUR.`;
    problems.push({ field, message });
  }
  return { filters: {}, problems };
}

const FiltersSchema = FiltersFormSchema.superRefine((form, ctx) => {
  for (const p of filtersOf(form).problems) ctx.addIssue({ code: "custom", path: [p.field], message: p.message });
}).transform((form) => ({ value: filtersOf(form).filters, amountCurrency: form.amountCurrency }));

const TriggerSchema = z.enum(CAMPAIGN_TRIGGERS, { error: "Choose what enrolls a customer in this campaign." });
const PRIORITY_WORDS = "Enter a whole number from 0 to 10000 (lower goes first).";
const PrioritySchema = z
  .union([z.string(), z.number()])
  .transform((v) => String(v).trim())
  .pipe(z.string().regex(/^\d{1,5}$/, { error: PRIORITY_WORDS }).transform(Number))
  .pipe(z.number().max(10_000, { error: PRIORITY_WORDS }));

const StepSchema = SequenceDraftSchema.shape.steps.element;
const TargetingSchema = z.object({ trigger: TriggerSchema, priority: PrioritySchema, filters: FiltersSchema });

/** The editor's campaign as it saves it: name, targeting, and every email whole, in order. */
const CampaignFormSchema = TargetingSchema.extend({
  name: z.string({ error: "Name the campaign." }).trim().min(1, { error: "Name the campaign." }).max(200, { error: "Keep the name under 200 characters." }),
  steps: z
    .array(StepSchema)
    .min(1, { error: "A campaign needs at least one email." })
    .max(MAX_STEPS, { error: `A campaign can have at most ${MAX_STEPS} emails.` }),
}).superRefine((form, ctx) => addStepPlaceholderIssues(form.steps, ctx));

/** What a simulation needs of the form: its targeting and when each email goes. */
const SimulationFormSchema = TargetingSchema.extend({
  steps: z
    .array(z.object({ delayHours: StepSchema.shape.delayHours }))
    .min(1, { error: "A campaign needs at least one email." })
    .max(MAX_STEPS, { error: `A campaign can have at most ${MAX_STEPS} emails.` }),
});

const LookbackSchema = z
  .union([z.string(), z.number()])
  .transform((v) => String(v).trim())
  .pipe(z.string().regex(/^\d{1,3}$/, { error: "Enter a number of days from 1 to 365." }).transform(Number))
  .pipe(z.number().min(1, { error: "Enter a number of days from 1 to 365." }).max(365, { error: "Enter a number of days from 1 to 365." }));

export interface CampaignForm {
  name: string;
  trigger: CampaignTrigger;
  priority: string;
  filters: { [K in keyof FiltersForm]-?: NonNullable<FiltersForm[K]> };
  steps: Array<{ id?: string; delayHours: number; subjectTemplate: string; bodyTemplate: string }>;
}

/**
 * A campaign as the editor's form holds it. Amounts show in `amountCurrency` when the merchant
 * just chose one, else in the first currency the campaign is for, else the workspace's.
 */
function formOf(
  view: Pick<CampaignView, "name" | "trigger" | "priority" | "filters"> & { steps: ReadonlyArray<CampaignForm["steps"][number]> },
  currency: { workspace: string; amounts?: string },
): CampaignForm {
  const f = view.filters;
  const amountCurrency = (currency.amounts ?? f.currencies?.[0] ?? currency.workspace).toUpperCase();
  const amount = (minor: number | undefined) => (minor === undefined ? "" : majorOf(minor, amountCurrency));
  return {
    name: view.name,
    trigger: (CAMPAIGN_TRIGGERS as readonly string[]).includes(view.trigger) ? (view.trigger as CampaignTrigger) : "payment_failed",
    priority: String(view.priority),
    filters: {
      minAmount: amount(f.min_amount_cents),
      maxAmount: amount(f.max_amount_cents),
      amountCurrency,
      currencies: (f.currencies ?? []).map((c) => c.toUpperCase()).join(", "),
      declineCategories: f.decline_categories ?? [],
      declineCodes: (f.decline_codes ?? []).join(", "),
      psps: (f.psps ?? []).join(", "),
      customerSegments: f.customer_segments ?? [],
      plans: (f.plans ?? []).join(", "),
    },
    steps: view.steps.map((s) => ({ id: s.id, delayHours: s.delayHours, subjectTemplate: s.subjectTemplate, bodyTemplate: s.bodyTemplate })),
  };
}

// ---------------------------------------------------------------------------------------------
// The editor

function notFoundAs404<T>(promise: Promise<T>): Promise<T> {
  return promise.catch((error) => {
    if (error instanceof AppError && error.code === "campaign_not_found") throw data(error.message, { status: 404 });
    throw error;
  });
}

function campaignOf(view: CampaignView) {
  const allowed = (Object.keys(TRANSITIONS) as CampaignCommand[]).filter((c) => (TRANSITIONS[c] as readonly string[]).includes(view.status));
  return {
    id: view.id,
    status: view.status,
    statusWords: STATUS_WORDS[view.status],
    locked: lockedWords(view.status),
    commands: allowed.map((command) => ({ command, label: COMMAND_LABELS[command] })),
    results: view.results,
  };
}

export function campaignEditorLoader(callerOf: CallerOf, basePath: string) {
  return async ({ request, params }: LoaderFunctionArgs) => {
    const caller = await callerOf(request);
    const id = params.id ?? "";
    const [workspace, testEmail, view] = await Promise.all([
      getWorkspace(caller.workspaceId),
      testEmailRecipient({ workspaceId: caller.workspaceId, userId: caller.userId }),
      id === "new" ? null : notFoundAs404(getCampaign({ workspaceId: caller.workspaceId, id })),
    ]);
    // A new campaign starts as the standard recovery: every failed payment, the default emails.
    const form = formOf(view ?? { name: "New campaign", trigger: "payment_failed", priority: 100, filters: {}, steps: DEFAULT_SEQUENCE.steps }, { workspace: workspace.currency });
    return {
      campaign: view ? campaignOf(view) : null,
      form,
      testEmail,
      // A member sees the editor with its changes switched off, and why, as on the sequence editor.
      readOnly: can(caller.role, "manage_dunning") ? null : refusalMessage("manage_dunning", caller.ownerLabel),
      options: {
        triggers: TRIGGER_OPTIONS,
        categories: DECLINE_CATEGORIES.map((value) => ({ value, label: CATEGORY_LABELS[value], help: DECLINE_CATEGORY_DESCRIPTIONS[value] })),
        segments: CUSTOMER_SEGMENTS.map((value) => ({ value, ...SEGMENT_WORDS[value] })),
      },
      basePath,
    };
  };
}

export type CampaignEditorLoader = ReturnType<typeof campaignEditorLoader>;

const EditorActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("save"), form: z.record(z.string(), z.unknown()) }),
  z.object({ intent: z.literal("transition"), command: z.enum(Object.keys(TRANSITIONS) as [CampaignCommand, ...CampaignCommand[]]) }),
  z.object({ intent: z.literal("simulate"), form: z.record(z.string(), z.unknown()), lookbackDays: z.union([z.string(), z.number()]) }),
  z.object({ intent: z.literal("test-email"), subjectTemplate: z.string(), bodyTemplate: z.string() }),
]);

async function save(caller: CampaignCaller, id: string | null, form: z.infer<typeof CampaignFormSchema>) {
  const draft = {
    name: form.name,
    trigger: form.trigger,
    filters: form.filters.value,
    priority: form.priority,
    steps: form.steps.map((s) => ({ id: s.id, channel: "email", delay_hours: s.delayHours, subject_template: s.subjectTemplate, body_template: s.bodyTemplate })),
  };
  if (!id) return createCampaign({ workspaceId: caller.workspaceId, draft: { ...draft, steps: draft.steps.map(({ id: _id, ...s }) => s) } });
  try {
    return await updateCampaign({ workspaceId: caller.workspaceId, id, patch: draft });
  } catch (error) {
    // A step id we don't know: the campaign changed in another tab since this page loaded.
    if (error instanceof AppError && error.code === "validation_failed") {
      throw new AppError("conflict", "This campaign was changed somewhere else while you were editing. Reload the page to get the latest version.");
    }
    throw error;
  }
}

async function simulate(caller: CampaignCaller, id: string | null, raw: unknown, lookback: unknown) {
  const form = SimulationFormSchema.parse(raw);
  const lookbackDays = z.object({ lookbackDays: LookbackSchema }).parse({ lookbackDays: lookback }).lookbackDays;
  // Another workspace's id is a 404 here too, not a simulation that leaves nothing out.
  if (id) await getCampaign({ workspaceId: caller.workspaceId, id });
  const proposal = { workspaceId: caller.workspaceId, trigger: form.trigger, filters: form.filters.value, priority: form.priority, campaignId: id ?? undefined, lookbackDays };
  const [simulation, overlap] = await Promise.all([
    simulateCampaign({ ...proposal, steps: form.steps.map((s) => ({ delayHours: s.delayHours })) }),
    checkOverlap(proposal),
  ]);
  return {
    simulation: { ...simulation, recovered: simulation.recoveredAmounts.map((a) => formatMoney(a.amountCents, a.currency)) },
    overlap,
  };
}

export function campaignEditorAction(callerOf: CallerOf) {
  return async ({ request, params }: ActionFunctionArgs) => {
    const caller = await callerOf(request);
    const id = params.id === "new" ? null : (params.id ?? null);
    try {
      // Twenty steps of long emails fit; the default 256 KiB might not.
      const body = await readJson(request, EditorActionSchema, 1024 * 1024);
      if (body.intent === "simulate") {
        // Nothing is written or sent: a member may simulate too.
        return { ok: true as const, intent: "simulate" as const, ...(await simulate(caller, id, body.form, body.lookbackDays)) };
      }
      requirePermission(caller, "manage_dunning");
      if (body.intent === "test-email") {
        const sent = await sendTestEmail({ workspaceId: caller.workspaceId, userId: caller.userId, subjectTemplate: body.subjectTemplate, bodyTemplate: body.bodyTemplate });
        const toast = sent.transport === "smtp" ? `Sent to ${sent.to}` : `Email isn't set up on this server (SMTP_URL), so nothing was sent to ${sent.to}.`;
        return { ok: true as const, intent: "test-email" as const, toast };
      }
      if (body.intent === "transition") {
        if (!id) throw new AppError("campaign_not_found", "Create the campaign before changing its status.");
        const view = await transition({ workspaceId: caller.workspaceId, id, command: body.command });
        return { ok: true as const, intent: "transition" as const, toast: transitionToast(body.command, view.name), status: view.status };
      }
      const form = CampaignFormSchema.parse(body.form);
      const view = await save(caller, id, form);
      const workspace = await getWorkspace(caller.workspaceId);
      return {
        ok: true as const,
        intent: "save" as const,
        toast: id ? "Campaign saved" : "Campaign created as a draft",
        campaign: { id: view.id },
        form: formOf(view, { workspace: workspace.currency, amounts: form.filters.amountCurrency }),
      };
    } catch (error) {
      return actionFailure(error);
    }
  };
}

export type CampaignEditorAction = ReturnType<typeof campaignEditorAction>;
