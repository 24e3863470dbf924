import { createContext, useContext } from "react";

/**
 * The request's CSP nonce (app/server/front.server.ts makes one per request) for the inline
 * scripts Remix renders. In the browser it is empty: browsers hide nonces from the DOM, and
 * scripts added after hydration are not inline.
 */
const NonceContext = createContext("");

export const NonceProvider = NonceContext.Provider;

export function useNonce(): string {
  return useContext(NonceContext);
}
