import { Link as RemixLink } from "@remix-run/react";
import type { AppProviderProps } from "@shopify/polaris";
import type { ComponentProps } from "react";

type LinkProps = ComponentProps<NonNullable<AppProviderProps["linkComponent"]>>;

/** Polaris' links (Button url, Tabs url, EmptyState action…) as client-side Remix navigations. */
export function PolarisLink({ url, children, external, ...rest }: LinkProps) {
  if (external || /^[a-z][a-z0-9+.-]*:/i.test(url)) {
    return (
      <a href={url} target={external ? "_blank" : undefined} rel={external ? "noopener noreferrer" : undefined} {...rest}>
        {children}
      </a>
    );
  }
  return (
    <RemixLink to={url} {...rest}>
      {children}
    </RemixLink>
  );
}
