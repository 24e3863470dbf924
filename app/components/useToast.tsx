import { useCallback, useEffect, useState } from "react";

export type ShowToast = (message: string, error?: boolean) => void;

/**
 * A small toast at the bottom of the page (the dashboard has no Polaris Frame, which its Toast
 * needs): `showToast(message, error?)`, gone after 5 s or on dismiss.
 */
export function useToast(): { toast: JSX.Element; showToast: ShowToast } {
  const [toast, setToast] = useState<{ message: string; error: boolean; at: number } | null>(null);
  useEffect(() => {
    if (!toast) return;
    const timer = setTimeout(() => setToast(null), 5000);
    return () => clearTimeout(timer);
  }, [toast]);
  const show = useCallback((message: string, error = false) => setToast({ message, error, at: Date.now() }), []);
  // The live region is always there, so that screen readers announce what appears in it.
  const node = (
    <div role="status" aria-live="polite" style={{ position: "fixed", insetInline: 0, bottom: 24, display: "flex", justifyContent: "center", pointerEvents: "none", zIndex: 600 }}>
      {toast ? (
        <div
          key={toast.at}
          style={{
            pointerEvents: "auto",
            maxWidth: "min(480px, calc(100% - 32px))",
            display: "flex",
            gap: 12,
            alignItems: "center",
            padding: "10px 12px 10px 16px",
            borderRadius: 10,
            background: toast.error ? "var(--p-color-bg-fill-critical)" : "var(--p-color-bg-inverse)",
            color: "var(--p-color-text-inverse)",
            boxShadow: "var(--p-shadow-600)",
          }}
        >
          <span style={{ overflowWrap: "anywhere" }}>{toast.message}</span>
          <button type="button" aria-label="Dismiss" onClick={() => setToast(null)} style={{ all: "unset", cursor: "pointer", padding: "0 4px", fontSize: 18, lineHeight: 1 }}>
            ×
          </button>
        </div>
      ) : null}
    </div>
  );
  return { toast: node, showToast: show };
}
