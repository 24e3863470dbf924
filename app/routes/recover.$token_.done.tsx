import type { LinksFunction, MetaFunction } from "@remix-run/node";
import { Link, useParams } from "@remix-run/react";
import styles from "~/styles/recover.css?url";

// Where Stripe's portal sends the customer back (`/recover/<token>/done`). Not nested under
// recover.$token: once the new card has landed the link is spent, and that page would say so.

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "icon", href: "data:," },
];

export const meta: MetaFunction = () => [{ title: "Thank you" }, { name: "robots", content: "noindex, nofollow" }];

export default function RecoverDone() {
  const { token } = useParams();
  return (
    <main className="rc-page">
      <div className="rc-card">
        <h1 className="rc-title">Thank you!</h1>
        <p className="rc-text">We&apos;ll retry your payment shortly with your updated payment method. You don&apos;t need to do anything else, and you can close this page.</p>
        <p className="rc-fineprint">
          Didn&apos;t finish updating?{" "}
          <Link className="rc-link" to={`/recover/${token}`} reloadDocument>
            Go back
          </Link>
        </p>
      </div>
    </main>
  );
}
