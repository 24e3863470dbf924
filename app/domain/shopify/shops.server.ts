import { createWorkspace } from "~/domain/workspaces/workspaces.server";
import { db } from "~/utils/db.server";

/**
 * A shop that authenticates becomes (or links back to) a workspace: the first
 * install creates one named after the shop; a reinstall clears `uninstalledAt`
 * (which also cancels the pending erasure).
 */
export async function linkShop(input: { shopDomain: string; ownerEmail?: string | null }) {
  const existing = await db().shopifyShop.findUnique({ where: { shopDomain: input.shopDomain } });
  if (existing) {
    if (existing.uninstalledAt) await db().shopifyShop.update({ where: { id: existing.id }, data: { uninstalledAt: null } });
    return existing.workspaceId;
  }
  const { workspace } = await createWorkspace({ name: input.shopDomain.replace(/\.myshopify\.com$/, ""), ownerEmail: input.ownerEmail ?? null });
  try {
    await db().shopifyShop.create({ data: { shopDomain: input.shopDomain, workspaceId: workspace.id } });
    return workspace.id;
  } catch (error) {
    // Two first requests raced: keep the winner's workspace, drop ours.
    const winner = await db().shopifyShop.findUnique({ where: { shopDomain: input.shopDomain } });
    if (!winner) throw error;
    await db().workspace.delete({ where: { id: workspace.id } });
    return winner.workspaceId;
  }
}

export async function workspaceForShop(shopDomain: string): Promise<string | null> {
  const shop = await db().shopifyShop.findUnique({ where: { shopDomain } });
  return shop && !shop.uninstalledAt ? shop.workspaceId : null;
}
