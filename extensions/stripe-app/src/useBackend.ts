import { useCallback, useEffect, useState } from "react";
import { callBackend, messageOf, type AppContext } from "./api";

export type Loaded<T> = { status: "loading" } | { status: "error"; message: string } | { status: "ready"; data: T };

/** Loads `path` once per user, account and `extra`; `reload` asks again, `replace` swaps in fresher data. */
export function useBackend<T>(path: string, context: AppContext, extra?: Record<string, string>) {
  const [state, setState] = useState<Loaded<T>>({ status: "loading" });
  const [attempt, setAttempt] = useState(0);
  const userId = context.userContext.id;
  const accountId = context.userContext.account.id;
  const extraKey = JSON.stringify(extra ?? {});

  useEffect(() => {
    let live = true;
    setState({ status: "loading" });
    callBackend<T>(path, context, JSON.parse(extraKey) as Record<string, string>).then(
      (data) => live && setState({ status: "ready", data }),
      (error: unknown) => live && setState({ status: "error", message: messageOf(error) }),
    );
    return () => {
      live = false;
    };
    // The context object is new on every render; what identifies the call is listed here.
  }, [path, userId, accountId, extraKey, attempt]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  const replace = useCallback((data: T) => setState({ status: "ready", data }), []);
  return { state, reload, replace };
}
