import { Fragment, useEffect, useRef, useState, type CSSProperties, type MouseEvent, type ReactNode } from "react";
import {
  inlineTokens,
  schemaAnchor,
  scopesGranting,
  type ApiReferenceData,
  type BodyDoc,
  type FieldRow,
  type ParameterRow,
  type ReferenceGroup,
  type ReferenceOperation,
  type TypeSegment,
} from "~/contracts/api-v1/docs-reference";

// The /docs/api page: plain semantic HTML styled by ~/styles/api-reference.css with Polaris'
// tokens, so it reads the same with or without JavaScript (the copy buttons and the phone
// contents closing after a pick are the only enhancements).

export interface ApiReferenceProps {
  baseUrl: string;
  reference: ApiReferenceData;
  limits: { readPerMinute: number; writePerMinute: number; perHour: number };
  versions: string[];
  current: string;
  /** The anchor the reader went to (set after hydration only): marked in the page and the contents. */
  activeId?: string | null;
  /**
   * With scripts, in-page links go through the app's router: a plain fragment navigation makes
   * Remix's <ScrollRestoration> put the page back where it was (every such history entry shares
   * the "default" key), so the jump would be undone. Without scripts the links are plain anchors.
   */
  onFragmentLink?: (hash: string) => void;
}

/** `code` and [links](/…) from the document's Markdown; everything else is text (React escapes it). */
export function InlineText({ text }: { text: string }) {
  return (
    <>
      {inlineTokens(text).map((token, i) =>
        token.kind === "code" ? (
          <code key={i}>{token.text}</code>
        ) : token.kind === "link" ? (
          <a key={i} href={token.href}>
            {token.text}
          </a>
        ) : (
          <Fragment key={i}>{token.text}</Fragment>
        ),
      )}
    </>
  );
}

/** Paragraphs (blank-line separated) of inline Markdown. */
export function Prose({ text, className }: { text: string | null; className?: string }) {
  if (!text) return null;
  return (
    <div className={className ?? "ar-prose"}>
      {text.split(/\n{2,}/).map((p, i) => (
        <p key={i}>
          <InlineText text={p} />
        </p>
      ))}
    </div>
  );
}

function Method({ method }: { method: string }) {
  return <span className={`ar-method ar-method-${method.toLowerCase()}`}>{method}</span>;
}

function TypeText({ type }: { type: TypeSegment[] }) {
  return (
    <>
      {type.map((seg, i) =>
        "ref" in seg ? (
          <a key={i} href={`#${schemaAnchor(seg.ref)}`} className="ar-typeref">
            {seg.ref}
          </a>
        ) : (
          <Fragment key={i}>{seg.text}</Fragment>
        ),
      )}
    </>
  );
}

/** Enum values, default and limits: the details a description cell adds under the prose. */
function Facts({ row }: { row: Pick<FieldRow, "enum" | "default" | "constraints"> }) {
  if (!row.enum && row.default === null && !row.constraints.length) return null;
  return (
    <ul className="ar-facts">
      {row.enum ? (
        <li>
          {row.enum.length === 1 ? "Only " : "One of "}
          {row.enum.map((v, i) => (
            <Fragment key={v}>
              {i ? ", " : ""}
              <code>{v}</code>
            </Fragment>
          ))}
        </li>
      ) : null}
      {row.default !== null ? (
        <li>
          Default <code>{row.default}</code>
        </li>
      ) : null}
      {row.constraints.map((c) => (
        <li key={c}>
          <InlineText text={c} />
        </li>
      ))}
    </ul>
  );
}

function FieldTable({ rows, mode, caption }: { rows: FieldRow[]; mode: "request" | "response"; caption: string }) {
  return (
    <div className="ar-table-wrap">
      <table className="ar-table ar-fields">
        <caption className="ar-visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Type</th>
            <th scope="col">Description</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={`${i}-${row.name}`} className={row.depth ? "ar-nested" : undefined} style={row.depth ? ({ "--ar-depth": row.depth } as CSSProperties) : undefined}>
              <td className="ar-name">
                {row.depth ? <span aria-hidden="true" className="ar-branch">↳ </span> : null}
                <code>{row.name}</code>
                {mode === "request" && row.required ? <span className="ar-tag ar-tag-required">required</span> : null}
                {mode === "response" && !row.required ? <span className="ar-tag">optional</span> : null}
              </td>
              <td className="ar-type">
                <TypeText type={row.type} />
                {row.nullable ? <span className="ar-tag">nullable</span> : null}
              </td>
              <td className="ar-desc">
                <Prose text={row.description} />
                <Facts row={row} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ParameterTable({ rows }: { rows: ParameterRow[] }) {
  return (
    <div className="ar-table-wrap">
      <table className="ar-table ar-params">
        <caption className="ar-visually-hidden">Parameters</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">In</th>
            <th scope="col">Type</th>
            <th scope="col">Required</th>
            <th scope="col">Description</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((p) => (
            <tr key={`${p.in}-${p.name}`}>
              <td className="ar-name">
                <code>{p.name}</code>
              </td>
              <td className="ar-in">{p.in}</td>
              <td className="ar-type">
                <TypeText type={p.type} />
              </td>
              <td className="ar-req">{p.required ? <span className="ar-tag ar-tag-required">required</span> : "optional"}</td>
              <td className="ar-desc">
                <Prose text={p.description} />
                <Facts row={p} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RawSchema({ raw, label }: { raw: string; label: string }) {
  return (
    <details className="ar-raw">
      <summary>{label}</summary>
      <pre className="ar-code">{raw}</pre>
    </details>
  );
}

function Body({ body, mode, title }: { body: BodyDoc; mode: "request" | "response"; title: ReactNode }) {
  return (
    <div className="ar-block">
      <h4>{title}</h4>
      <p className="ar-returns">
        {body.ref ? (
          <>
            {mode === "request" ? "A " : "Returns a "}
            <a href={`#${schemaAnchor(body.ref)}`}>{body.ref}</a>
            {body.envelope ? (
              <>
                {" object in "}
                <code>data</code>
                {", beside "}
                <a href={`#${schemaAnchor("Meta")}`}>
                  <code>meta</code>
                </a>
                {"."}
              </>
            ) : (
              " object."
            )}
          </>
        ) : body.listOf ? (
          <>
            {"Returns a page of "}
            <a href={`#${schemaAnchor(body.listOf)}`}>{body.listOf}</a>
            {" objects in "}
            <code>data</code>
            {", beside "}
            <code>meta</code>
            {" and "}
            <a href={`#${schemaAnchor("Pagination")}`}>
              <code>pagination</code>
            </a>
            {" (offset pages) or "}
            <a href={`#${schemaAnchor("Cursor")}`}>
              <code>cursor</code>
            </a>
            {" (cursor pages)."}
          </>
        ) : (
          <>
            {mode === "request" ? "JSON: " : "Returns "}
            <TypeText type={body.type} />
            {"."}
          </>
        )}
      </p>
      {body.description && !body.ref ? <Prose text={body.description} /> : null}
      {body.rows.length ? <FieldTable rows={body.rows} mode={mode} caption={mode === "request" ? "Request body fields" : "Response fields"} /> : null}
      <RawSchema raw={body.raw} label="Raw JSON Schema" />
    </div>
  );
}

/** Copies the code beside it; rendered only once scripts run, so no dead button without them. */
function CopyButton({ text, label }: { text: string; label: string }) {
  const [ready, setReady] = useState(false);
  const [copied, setCopied] = useState<"idle" | "copied" | "failed">("idle");
  useEffect(() => setReady(true), []);
  useEffect(() => {
    if (copied === "idle") return;
    const timer = setTimeout(() => setCopied("idle"), 2000);
    return () => clearTimeout(timer);
  }, [copied]);
  if (!ready) return null;
  return (
    <button
      type="button"
      className="ar-copy"
      aria-label={label}
      onClick={() => {
        if (!navigator.clipboard) return setCopied("failed");
        navigator.clipboard.writeText(text).then(
          () => setCopied("copied"),
          () => setCopied("failed"),
        );
      }}
    >
      <span aria-live="polite">{copied === "copied" ? "Copied" : copied === "failed" ? "Select and copy" : "Copy"}</span>
    </button>
  );
}

function authLine(op: ReferenceOperation): ReactNode {
  if (op.auth === "none") return "No API key needed.";
  if (op.auth === "optional") return "API key optional.";
  if (!op.scope) return "Any valid API key.";
  const [needed, ...also] = scopesGranting(op.scope);
  return (
    <>
      API key with the <code>{needed}</code> scope
      {also.length ? " (" : ""}
      {also.map((s, i) => (
        <Fragment key={s}>
          {i ? " or " : ""}
          <code>{s}</code>
        </Fragment>
      ))}
      {also.length ? " also grant it)." : "."}
    </>
  );
}

function Operation({ op, active }: { op: ReferenceOperation; active: boolean }) {
  return (
    <section className={active ? "ar-op ar-current" : "ar-op"} id={op.id} aria-labelledby={`${op.id}-title`}>
      {op.operationId !== op.id ? <span id={op.operationId} className="ar-alias" aria-hidden="true" /> : null}
      <header className="ar-op-head">
        <h3 id={`${op.id}-title`}>
          <a href={`#${op.id}`} className="ar-permalink">
            {op.summary}
          </a>
        </h3>
        <p className="ar-endpoint">
          <Method method={op.method} /> <code className="ar-path">{op.path}</code>
        </p>
        <p className="ar-auth">{authLine(op)}</p>
      </header>
      <Prose text={op.description} />

      {op.curl ? (
        <div className="ar-example">
          <div className="ar-example-head">
            <h4>Example request</h4>
            <CopyButton text={op.curl} label={`Copy the curl example for ${op.method} ${op.path}`} />
          </div>
          <pre className="ar-code ar-curl">{op.curl}</pre>
        </div>
      ) : null}

      {op.parameters.length ? (
        <div className="ar-block">
          <h4>Parameters</h4>
          <ParameterTable rows={op.parameters} />
        </div>
      ) : null}

      {op.requestBody ? <Body body={op.requestBody} mode="request" title="Request body (application/json)" /> : null}
      <Body body={op.response} mode="response" title={`Response ${op.status}`} />

      {op.errors.length ? (
        <div className="ar-block">
          <h4>Errors ({op.errorMediaType})</h4>
          <div className="ar-table-wrap">
            <table className="ar-table ar-errors">
              <caption className="ar-visually-hidden">Errors</caption>
              <thead>
                <tr>
                  <th scope="col">Status</th>
                  <th scope="col">When</th>
                </tr>
              </thead>
              <tbody>
                {op.errors.map((e) => (
                  <tr key={e.status}>
                    <td className="ar-status">
                      <code>{e.status}</code>
                    </td>
                    <td>
                      <InlineText text={e.description} />
                      {e.codes.length ? (
                        <span className="ar-codes">
                          {" · "}
                          {e.codes.map((c, i) => (
                            <Fragment key={c}>
                              {i ? ", " : ""}
                              <code>{c}</code>
                            </Fragment>
                          ))}
                        </span>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      ) : null}
    </section>
  );
}

function Contents({
  groups,
  schemas,
  label,
  activeId,
  onPick,
}: {
  groups: ReferenceGroup[];
  schemas: ApiReferenceData["schemas"];
  label: string;
  activeId: string | null;
  onPick?: () => void;
}) {
  const current = (id: string) => (id === activeId ? ("location" as const) : undefined);
  return (
    <nav aria-label={label} className="ar-toc" onClick={(e) => (e.target as HTMLElement).closest("a") && onPick?.()}>
      <ul>
        <li>
          <a href="#conventions" className="ar-toc-top">
            Conventions
          </a>
        </li>
        {groups.map((g) => (
          <li key={g.id}>
            <a href={`#${g.id}`} className="ar-toc-top" aria-current={current(g.id)}>
              {g.tag}
            </a>
            <ul>
              {g.operations.map((op) => (
                <li key={op.id}>
                  <a href={`#${op.id}`} title={`${op.method} ${op.path}`} aria-current={current(op.id)}>
                    <Method method={op.method} />
                    <span>{op.summary}</span>
                  </a>
                </li>
              ))}
            </ul>
          </li>
        ))}
        <li>
          <a href="#schemas" className="ar-toc-top">
            Schemas
          </a>
          <details className="ar-toc-schemas" open={activeId?.startsWith("schema-") || undefined}>
            <summary>{`${schemas.length} objects`}</summary>
            <ul>
              {schemas.map((s) => (
                <li key={s.id}>
                  <a href={`#${s.id}`} aria-current={current(s.id)}>
                    {s.name}
                  </a>
                </li>
              ))}
            </ul>
          </details>
        </li>
      </ul>
    </nav>
  );
}

export function ApiReference({ baseUrl, reference, limits, versions, current, activeId = null, onFragmentLink }: ApiReferenceProps) {
  const { groups, schemas } = reference;
  const phoneContents = useRef<HTMLDetailsElement>(null);
  const sidebar = useRef<HTMLElement>(null);
  // Keep the current entry in sight in the sidebar (its own scroll only, never the page's).
  useEffect(() => {
    const aside = sidebar.current;
    const link = aside?.querySelector('a[aria-current="location"]');
    if (!aside || !link) return;
    const box = aside.getBoundingClientRect();
    const at = link.getBoundingClientRect();
    if (at.top < box.top || at.bottom > box.bottom) aside.scrollTop += at.top - box.top - box.height / 3;
  }, [activeId]);
  // Only with scripts does the phone's contents stay on screen: they close it after a pick, and an
  // open list that stayed on screen would cover the operation just picked.
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  const operationCount = groups.reduce((n, g) => n + g.operations.length, 0);
  const conventions: Array<[string, string]> = [
    [
      "Authentication",
      "Send an API key as `Authorization: Bearer rk_live_…` or `X-API-Key`. Create one with `npm run cli -- api-key create`, on the settings page, or with `POST /api/v1/api-keys`. A missing or bad key is 401.",
    ],
    [
      "Scopes",
      "Keys carry scopes: `read`, `write`, `admin` (everything), `analytics`, `webhooks`, `email`, or resource forms such as `read:payments`. Some operations take either of two (`webhooks` or `read`). A missing scope is 403 `INSUFFICIENT_SCOPE`, naming it in `error.required_scope`.",
    ],
    [
      "Format and pagination",
      "JSON is snake_case; money is integer minor units (`amount_cents`) with an ISO `currency`. Every answer is `{data, meta: {merchant_id, timestamp}}` (see [Meta](#schema-Meta)). Lists put their items in `data`, newest first, and page as each documents: most by `page` (from 1) and `per_page` (1–100, default 25), answering `pagination: {page, per_page, total, total_pages}`; decline codes and webhook endpoints by `cursor` and `limit` (1–200, default 50), answering `cursor: {next}`. Either kind takes the other when asked by name (`limit` and `cursor` skip the count on deep pages).",
    ],
    [
      "Errors",
      "Errors are `{error: {code, message, type}, trace_id}` (see [Error](#schema-Error)): `code` is stable and upper-case (`VALIDATION_ERROR`, `NOT_FOUND`, …), `type` is Recoup's precise one (`payment_not_found`), `trace_id` is what to quote to support. Validation errors list each field in `error.errors[]`.",
    ],
    [
      "Rate limits",
      `Per key: ${limits.readPerMinute} reads and ${limits.writePerMinute} writes a minute, ${limits.perHour} requests an hour in all. Every answer carries \`X-RateLimit-Limit\`, \`X-RateLimit-Remaining\` and \`X-RateLimit-Reset\`; a 429 says \`Retry-After\`.`,
    ],
    [
      "Idempotency",
      "Every POST accepts an `Idempotency-Key`: the same key with the same request replays the first answer (`Idempotent-Replayed: true`) for 24 hours; with a different request it is 409 `idempotency_key_reused`.",
    ],
    [
      "Versions",
      `Send \`Recoup-Version\` (${versions.map((v) => `\`${v}\``).join(", ")}); without it you get \`${current}\`. The machine-readable document is [/api/v1/openapi.json](/api/v1/openapi.json) (OpenAPI 3.1).`,
    ],
  ];

  const followFragmentLinks = (e: MouseEvent<HTMLDivElement>) => {
    if (!onFragmentLink || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const href = (e.target as HTMLElement).closest("a")?.getAttribute("href");
    if (!href?.startsWith("#") || href.length < 2) return;
    e.preventDefault();
    onFragmentLink(href);
  };

  return (
    // A delegated handler for the in-page links below (each is a real <a>, so the keyboard works too).
    <div className="ar" onClick={followFragmentLinks}>
      <header className="ar-header">
        <h1>Recoup API reference</h1>
        <p>
          REST API v1 · <code>{`${baseUrl}/api/v1`}</code> · {`${operationCount} operations`} ·{" "}
          <a href="/api/v1/openapi.json">OpenAPI 3.1 document</a>
        </p>
      </header>

      <details className={hydrated ? "ar-toc-phone ar-toc-sticky" : "ar-toc-phone"} ref={phoneContents}>
        <summary>Contents</summary>
        <Contents
          groups={groups}
          schemas={schemas}
          label="Contents"
          activeId={activeId}
          onPick={() => {
            if (phoneContents.current) phoneContents.current.open = false;
          }}
        />
      </details>

      <div className="ar-layout">
        <aside className="ar-sidebar" ref={sidebar}>
          <Contents groups={groups} schemas={schemas} label="API reference" activeId={activeId} />
        </aside>

        <main className="ar-main">
          <section id="conventions" className="ar-section" aria-labelledby="conventions-title">
            <h2 id="conventions-title">Conventions</h2>
            <dl className="ar-conventions">
              {conventions.map(([term, text]) => (
                <div key={term}>
                  <dt>{term}</dt>
                  <dd>
                    <InlineText text={text} />
                  </dd>
                </div>
              ))}
            </dl>
          </section>

          {groups.map((group) => (
            <section key={group.id} id={group.id} className="ar-section ar-group" aria-labelledby={`${group.id}-title`}>
              <h2 id={`${group.id}-title`}>{group.tag}</h2>
              {group.operations.map((op) => (
                <Operation key={op.id} op={op} active={op.id === activeId} />
              ))}
            </section>
          ))}

          <section id="schemas" className="ar-section" aria-labelledby="schemas-title">
            <h2 id="schemas-title">Schemas</h2>
            <p className="ar-lede">The objects the operations take and return; a field whose type is a name links to that object.</p>
            {schemas.map((s) => (
              <section key={s.id} id={s.id} className={s.id === activeId ? "ar-op ar-schema ar-current" : "ar-op ar-schema"} aria-labelledby={`${s.id}-title`}>
                <h3 id={`${s.id}-title`}>
                  <a href={`#${s.id}`} className="ar-permalink">
                    {s.name}
                  </a>
                </h3>
                <Prose text={s.description} />
                {s.rows.length ? (
                  <FieldTable rows={s.rows} mode="response" caption={`${s.name} fields`} />
                ) : (
                  <p>
                    <TypeText type={s.type} />
                  </p>
                )}
                {s.usedBy.length ? (
                  <p className="ar-used-by">
                    {"Used by "}
                    {s.usedBy.map((u, i) => (
                      <Fragment key={u.href}>
                        {i ? ", " : ""}
                        <a href={u.href}>{u.label}</a>
                      </Fragment>
                    ))}
                  </p>
                ) : null}
                <RawSchema raw={s.raw} label="Raw JSON Schema" />
              </section>
            ))}
          </section>
        </main>
      </div>
    </div>
  );
}
