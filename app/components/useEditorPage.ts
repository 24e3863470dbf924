// What the sequence and campaign editors share around their forms: field errors that a change
// forgets, answers acted on once, and the toast carried over a navigation.
import { useLocation } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";

/** Field errors by path; `forget(matches)` drops those of the paths a change touched. */
export function useFieldErrors() {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const forget = (matches: (path: string) => boolean) =>
    setErrors((current) => (Object.keys(current).some(matches) ? Object.fromEntries(Object.entries(current).filter(([path]) => !matches(path))) : current));
  return { errors, setErrors, forget };
}

/** True the first time an answer is seen: effects re-run when the loader revalidates, and act once. */
export function useFirstTime() {
  const handled = useRef(new WeakSet<object>());
  return (result: object) => !handled.current.has(result) && Boolean(handled.current.add(result));
}

/** Shows the toast a navigation carried in its state (a save that created the page's record). */
export function useCarriedToast(showToast: (message: string) => void) {
  const location = useLocation();
  useEffect(() => {
    const carried = (location.state as { toast?: string } | null)?.toast;
    if (carried) showToast(carried);
  }, [location.state, showToast]);
}
