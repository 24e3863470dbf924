import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, isRouteErrorResponse, useActionData, useLoaderData, useNavigation, useRouteError } from "@remix-run/react";
import { useEffect, useRef, useState, type CSSProperties } from "react";
import { recordClick } from "~/domain/dunning/messages.server";
import { DEFAULT_ACCENT } from "~/utils/branding";
import { customerPageView } from "~/domain/card-update/customer-page.server";
import { findRecoveryByToken, startPaymentUpdate } from "~/domain/card-update/update-payment.server";
import { statusOf } from "~/http/errors";
import { log } from "~/utils/logger.server";
import styles from "~/styles/recover.css?url";
import { AppError } from "~/domain/errors";

// The page a customer reaches from a dunning email: no login, the signed token is the key.

const EXPIRED = "This link has expired or was already used";

// No favicon request: one less round trip on a phone, one less 404.
export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "icon", href: "data:," },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.confirmUrl ? "Confirm your payment" : "Update your payment method"} · ${data.merchant}` : EXPIRED },
  { name: "robots", content: "noindex, nofollow" },
];

export const headers = () => ({ "Cache-Control": "private, no-store" });

type Recovery = Awaited<ReturnType<typeof findRecoveryByToken>>;

async function recoveryOr404(token: string | undefined): Promise<Recovery> {
  try {
    return await findRecoveryByToken(token ?? "");
  } catch (error) {
    if (error instanceof AppError && error.code === "token_not_found") throw data(EXPIRED, { status: 404 });
    throw error;
  }
}

export async function loader({ params, request }: LoaderFunctionArgs) {
  const recovery = await recoveryOr404(params.token);
  const trackingId = new URL(request.url).searchParams.get("m");
  // A tracking hiccup must never cost the customer the page.
  if (trackingId) await recordClick(trackingId).catch((error) => log.warn("recording a click failed", { error }));
  return customerPageView(recovery);
}

function customerError(error: unknown): string {
  if (error instanceof AppError) {
    if (error.code === "token_not_found") return `${EXPIRED}.`;
    // Written for the customer ("already made", "closed").
    if (error.code === "recovery_closed") return error.message;
    if (error.code === "not_configured") return "Card updates can't be taken online for this payment right now.";
  }
  log.error("opening an update-payment session failed", { error });
  return "We couldn't open the secure payment page just now. Please try again in a minute.";
}

export async function action({ params }: ActionFunctionArgs) {
  try {
    const next = await startPaymentUpdate({ recoveryToken: params.token ?? "" });
    return "notice" in next ? data({ notice: next.notice, error: null }) : redirect(next.redirectTo, 302);
  } catch (error) {
    const status = error instanceof AppError ? statusOf(error) : 502;
    return data({ error: customerError(error) }, { status });
  }
}

function Shell({ accent = DEFAULT_ACCENT, children }: { accent?: string; children: React.ReactNode }) {
  return (
    <main className="rc-page" style={{ "--accent": accent } as CSSProperties}>
      <div className="rc-card">{children}</div>
    </main>
  );
}

/**
 * The merchant's logo, or their name when it cannot load (a broken image says nothing). The
 * server-rendered image may fail before React is there to hear it: checked again on mount.
 */
function MerchantLogo({ src, merchant }: { src: string; merchant: string }) {
  const [failed, setFailed] = useState(false);
  const image = useRef<HTMLImageElement>(null);
  useEffect(() => {
    const img = image.current;
    if (img?.complete && img.naturalWidth === 0) setFailed(true);
  }, []);
  if (failed) return <p className="rc-merchant">{merchant}</p>;
  return <img ref={image} src={src} alt={merchant} className="rc-merchant" onError={() => setFailed(true)} />;
}

/** How to reach the merchant: their reply-to address as a mail link, else their name alone. */
function Contact({ merchant, email, lead }: { merchant: string; email: string | null; lead: string }) {
  return (
    <p className="rc-text">
      {lead}{" "}
      {email ? (
        <>
          email {merchant} at{" "}
          <a className="rc-link" href={`mailto:${email}`}>
            {email}
          </a>
          .
        </>
      ) : (
        <>please contact {merchant} directly.</>
      )}
    </p>
  );
}

export default function RecoverPayment() {
  const { merchant, amount, state, reason, accent, logoUrl, confirmUrl, paymentHost, contactEmail } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const submitting = useNavigation().state !== "idle";

  return (
    <Shell accent={accent}>
      {logoUrl ? (
        <MerchantLogo src={logoUrl} merchant={merchant} />
      ) : (
        <p className="rc-merchant">{merchant}</p>
      )}
      {state === "open" ? (
        <>
          <h1 className="rc-title">{confirmUrl ? "Confirm this payment with your bank" : "Your payment didn't go through"}</h1>
          <p className="rc-amount">{amount}</p>
          <p className="rc-amount-label">Amount due to {merchant}</p>
          {reason ? <p className="rc-reason">{reason}</p> : null}
          <p className="rc-text">
            {confirmUrl
              ? "Your bank asks you to approve this payment before it can go through. It only takes a moment."
              : "Update your payment method and we'll retry the payment for you. It takes less than a minute."}
          </p>
          {result && "notice" in result ? <p className="rc-text" role="status">{result.notice}</p> : null}
          {result?.error ? (
            <>
              <p className="rc-error" role="alert">
                {result.error}
              </p>
              <Contact merchant={merchant} email={contactEmail} lead="To pay another way," />
            </>
          ) : null}
          {confirmUrl ? (
            <a className="rc-button" href={confirmUrl} rel="noreferrer">
              Confirm the payment
            </a>
          ) : (
            <Form method="post" className="rc-form">
              <button
                type="submit"
                className="rc-button"
                aria-disabled={submitting}
                onClick={(event) => submitting && event.preventDefault()}
              >
                {submitting ? "Opening secure page…" : "Update payment method"}
              </button>
            </Form>
          )}
          <p className="rc-fineprint">
            {confirmUrl ? `You'll approve it on a secure page hosted by ${paymentHost}.` : `You'll enter your card details on a secure page hosted by ${paymentHost}. ${merchant} never sees your full card number.`}
          </p>
        </>
      ) : state === "recovered" ? (
        <>
          <h1 className="rc-title">Nothing to pay — this payment was already made</h1>
          <p className="rc-text">
            Your payment of {amount} to {merchant} went through. Thank you! There&apos;s nothing more to do.
          </p>
        </>
      ) : (
        <>
          <h1 className="rc-title">This payment request is closed</h1>
          <p className="rc-text">There&apos;s nothing to do on this page any more.</p>
          <Contact merchant={merchant} email={contactEmail} lead="If you have a question about your account," />
        </>
      )}
    </Shell>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  return (
    <Shell>
      <h1 className="rc-title">{notFound ? EXPIRED : "Something went wrong on our side"}</h1>
      <p className="rc-text">
        {notFound
          ? "If you still need to update your payment method, use the link in the most recent email you received, or contact the business that sent it."
          : "Please try again in a few minutes."}
      </p>
    </Shell>
  );
}
