// The SMS port of alerts (ADR 0077): the domain says what to text whom; the provider that sends it
// (app/providers/twilio) plugs in here from the composition root (app/wiring.server.ts).

/** A provider refused or could not be reached. `permanent`: sending the same message again cannot help (an invalid number). */
export class SmsError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = "SmsError";
  }
}

export interface SmsSender {
  /** Null when it can send; otherwise why not, in words an operator acts on. */
  notConfigured(): string | null;
  /** Sends one message to an E.164 number: the provider's id for it. */
  send(input: { to: string; body: string }): Promise<{ id: string }>;
  /** A message with exactly this body sent to `to` lately, if the provider has one: what a retry after a crash asks first. */
  findSent(input: { to: string; body: string }): Promise<{ id: string } | null>;
}

let registered: SmsSender | null = null;

export function registerSmsSender(sender: SmsSender): void {
  registered = sender;
}

/** The registered sender, or why there is none. */
export function smsSender(): { sender: SmsSender } | { reason: string } {
  if (!registered) return { reason: "No SMS provider is set up on this server." };
  const reason = registered.notConfigured();
  return reason ? { reason } : { sender: registered };
}
