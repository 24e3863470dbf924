import { useBlocker, type BlockerFunction } from "@remix-run/react";
import { Modal, Text } from "@shopify/polaris";
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from "react";

/**
 * Warns before a form with unsaved edits is left: a link or back button inside the app asks
 * "Discard unsaved changes?" (Remix's blocker), closing or reloading the tab gets the browser's own
 * question (beforeunload). `release()` lets the next navigation through without asking: a save that
 * moves to the record it created, a delete that goes back to the list.
 */
export function useUnsavedChanges(dirty: boolean): { release: () => void; modal: ReactNode } {
  const dirtyNow = useRef(dirty);
  dirtyNow.current = dirty;
  const released = useRef(false);
  useEffect(() => {
    if (!dirty) released.current = false;
  }, [dirty]);

  const shouldBlock = useCallback<BlockerFunction>(
    ({ currentLocation, nextLocation }) =>
      dirtyNow.current && !released.current && (currentLocation.pathname !== nextLocation.pathname || currentLocation.search !== nextLocation.search),
    [],
  );
  const blocker = useBlocker(shouldBlock);

  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => {
      if (released.current) return;
      event.preventDefault();
      // Chrome before 119 and some others still need returnValue set to show the dialog.
      event.returnValue = "";
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);

  // Saved (or undone) while the question was open: nothing is lost by going on.
  useEffect(() => {
    if (blocker.state === "blocked" && !dirty) blocker.proceed();
  }, [blocker, dirty]);

  const release = useCallback(() => {
    released.current = true;
  }, []);

  const modal = (
    <Modal
      open={blocker.state === "blocked"}
      onClose={() => blocker.reset?.()}
      title="Discard unsaved changes?"
      primaryAction={{ content: "Discard changes", destructive: true, onAction: () => blocker.proceed?.() }}
      secondaryActions={[{ content: "Keep editing", onAction: () => blocker.reset?.() }]}
    >
      <Modal.Section>
        <Text as="p">You changed this page without saving. Leave it and those changes are lost.</Text>
      </Modal.Section>
    </Modal>
  );
  return { release, modal };
}

/** Several forms on one page (the settings' sections), one warning: each reports whether it has unsaved edits. */
export const DirtyForms = createContext<((form: string, dirty: boolean) => void) | null>(null);

/** The page's side: whether any of its forms has unsaved edits, and `report`, for `<DirtyForms.Provider value={report}>`. */
export function useDirtyForms(): { anyDirty: boolean; report: (form: string, dirty: boolean) => void } {
  const [dirtyForms, setDirtyForms] = useState<ReadonlySet<string>>(() => new Set());
  const report = useCallback((form: string, dirty: boolean) => {
    setDirtyForms((current) => {
      if (current.has(form) === dirty) return current;
      const next = new Set(current);
      if (dirty) next.add(form);
      else next.delete(form);
      return next;
    });
  }, []);
  return { anyDirty: dirtyForms.size > 0, report };
}

/** A form's side: tells the page whether it has unsaved edits (nothing outside a page that asks). */
export function useReportDirty(form: string, dirty: boolean) {
  const report = useContext(DirtyForms);
  useEffect(() => {
    report?.(form, dirty);
  }, [report, form, dirty]);
  useEffect(() => () => report?.(form, false), [report, form]);
}
