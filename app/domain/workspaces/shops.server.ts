import { resumeAccountRecoveries } from "~/domain/recovery/engine.server";
import { createWorkspace } from "./workspaces.server";
import { db } from "~/utils/db.server";

/**
 * A shop that authenticates becomes (or links back to) a workspace: the first
 * install creates one named after the shop; a reinstall within the grace period
 * clears `uninstalledAt` (which also cancels the pending erasure) and resumes the
 * recoveries the uninstall paused. After the erasure the shop is unknown again:
 * a reinstall starts clean, as a first install.
 */
export async function linkShop(input: { shopDomain: string; ownerEmail?: string | null }) {
  const existing = await db().shopifyShop.findUnique({ where: { shopDomain: input.shopDomain } });
  if (existing) {
    if (existing.uninstalledAt) {
      // Only the request that clears it resumes (two first requests of a reinstall may race).
      const { count } = await db().shopifyShop.updateMany({ where: { id: existing.id, uninstalledAt: { not: null } }, data: { uninstalledAt: null } });
      if (count) await resumeAccountRecoveries({ workspaceId: existing.workspaceId, account: existing.shopDomain, pausedBy: "shop_uninstalled" });
    }
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
