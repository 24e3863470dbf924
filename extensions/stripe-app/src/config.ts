/**
 * Where the views find Recoup's backend. Change it together with
 * `ui_extension.content_security_policy.connect-src` in /stripe-app.json: the
 * Dashboard refuses any request outside that list.
 */
export const BACKEND_URL = "https://recoup.example.com/api/stripe-app";
