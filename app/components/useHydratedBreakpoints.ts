import { useBreakpoints } from "@shopify/polaris";
import { useEffect, useState } from "react";

/**
 * Polaris' breakpoints, but desktop until the page has hydrated: the server cannot know the
 * viewport, and Polaris reads matchMedia on the first client render, so a phone would hydrate
 * different markup than the server sent (React's hydration warnings, seen at 375 px).
 */
export function useHydratedBreakpoints(): ReturnType<typeof useBreakpoints> {
  const breakpoints = useBreakpoints();
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  if (hydrated) return breakpoints;
  // What Polaris itself answers during SSR: every breakpoint false.
  return Object.fromEntries(Object.keys(breakpoints).map((key) => [key, false])) as ReturnType<typeof useBreakpoints>;
}
