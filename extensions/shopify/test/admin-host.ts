import { createRemoteReceiver, KIND_COMPONENT, type RemoteReceiverAttachableChild } from "@remote-ui/core";
import * as admin from "@shopify/ui-extensions/admin";

// A stand-in for the Shopify admin's side of a UI extension, for tests: it calls the module's default
// export as the admin does ({channel, components}, api), receives the remote-ui tree over that channel
// and lets a test read it. The root is strict and limited to the admin's own components, as the
// admin's is, so a component the admin would refuse fails the test too.

/** Every component the admin renders for an admin extension (the package exports each as its name). */
export const ADMIN_COMPONENTS: string[] = Object.values(admin as Record<string, unknown>).filter((v): v is string => typeof v === "string");

export interface HostNode {
  type: string;
  props: Record<string, unknown>;
  children: Array<HostNode | string>;
}

function toNode(child: RemoteReceiverAttachableChild): HostNode | string {
  if (child.kind !== KIND_COMPONENT) return child.text;
  return { type: child.type, props: child.props as Record<string, unknown>, children: child.children.map(toNode) };
}

export function textOf(node: HostNode | string): string {
  return typeof node === "string" ? node : node.children.map(textOf).join("");
}

function descendants(node: HostNode): HostNode[] {
  return node.children.flatMap((c) => (typeof c === "string" ? [] : [c, ...descendants(c)]));
}

type RenderExtension = (connection: { channel: unknown; components: unknown }, api: unknown) => unknown;

export async function renderInAdmin(extension: unknown, api: unknown) {
  const receiver = createRemoteReceiver();
  await (extension as RenderExtension)({ channel: receiver.receive, components: ADMIN_COMPONENTS }, api);
  const root = (): HostNode => ({ type: "Root", props: {}, children: receiver.attached.root.children.map(toNode) });
  return {
    /** The tree as the admin holds it now. */
    root,
    text: () => textOf(root()),
    findAll: (type: string) => descendants(root()).filter((n) => n.type === type),
    find: (type: string) => descendants(root()).find((n) => n.type === type) ?? null,
    types: () => new Set(descendants(root()).map((n) => n.type)),
  };
}
