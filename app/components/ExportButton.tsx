import { BlockStack, Button, ProgressBar, Text } from "@shopify/polaris";
import { useRef, useState, type MouseEvent } from "react";

type Progress = { state: "idle" } | { state: "running"; rows: number; total: number | null } | { state: "done"; rows: number } | { state: "failed" };

/** Records in a chunk of CSV: CRLF ends a record (a line break inside a quoted cell is a bare LF or CR). */
function recordsIn(text: string): number {
  let count = 0;
  for (let i = text.indexOf("\r\n"); i !== -1; i = text.indexOf("\r\n", i + 2)) count += 1;
  return count;
}

/**
 * "Export CSV": a plain download link (it works without JavaScript); with it, the file is fetched
 * here so the merchant sees "N of M rows" against the server's `X-Total-Rows`, then saved through
 * a Blob URL (docs/decisions/0079).
 */
export function ExportButton({ url, filename, label = "Export CSV" }: { url: string; filename: string; label?: string }) {
  const [progress, setProgress] = useState<Progress>({ state: "idle" });
  const running = useRef(false);

  const start = async () => {
    if (running.current) return;
    running.current = true;
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      if (!response.ok || !response.body) throw new Error(`Export answered ${response.status}`);
      const header = response.headers.get("X-Total-Rows");
      const total = header !== null && /^\d+$/.test(header) ? Number(header) : null;
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      const chunks: Uint8Array[] = [];
      let records = 0;
      // A chunk may end between the CR and the LF of one record's end: that CR waits for the next chunk.
      let carry = "";
      setProgress({ state: "running", rows: 0, total });
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        const text = carry + decoder.decode(value, { stream: true });
        carry = text.endsWith("\r") ? "\r" : "";
        records += recordsIn(text);
        // The header is a record too.
        setProgress({ state: "running", rows: Math.max(0, records - 1), total });
      }
      const rows = Math.max(0, records - 1);
      const href = URL.createObjectURL(new Blob(chunks as BlobPart[], { type: "text/csv;charset=utf-8" }));
      const a = document.createElement("a");
      a.href = href;
      a.download = filename;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(href), 10_000);
      setProgress({ state: "done", rows });
    } catch {
      setProgress({ state: "failed" });
    } finally {
      running.current = false;
    }
  };

  // The link's own click (Remix's and the browser's) is replaced by the fetch, before either sees it.
  const intercept = (event: MouseEvent) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    event.stopPropagation();
    void start();
  };

  return (
    <BlockStack gap="100" inlineAlign="end">
      <span onClickCapture={intercept}>
        <Button url={url} download={filename} loading={progress.state === "running"}>
          {label}
        </Button>
      </span>
      <div aria-live="polite">
        {progress.state === "running" ? (
          <div style={{ minWidth: 180 }}>
            <BlockStack gap="100">
              <ProgressBar progress={progress.total ? Math.min(100, (progress.rows / progress.total) * 100) : 0} size="small" />
              <Text as="span" variant="bodySm" tone="subdued">
                {progress.total !== null ? `${progress.rows} of ${progress.total} rows` : `${progress.rows} rows`}
              </Text>
            </BlockStack>
          </div>
        ) : null}
        {progress.state === "done" ? (
          <Text as="span" variant="bodySm" tone="subdued">
            Exported {progress.rows} {progress.rows === 1 ? "row" : "rows"}
          </Text>
        ) : null}
        {progress.state === "failed" ? (
          <Text as="span" variant="bodySm" tone="critical">
            The export did not finish. Try again.
          </Text>
        ) : null}
      </div>
    </BlockStack>
  );
}
