import { Session } from "@shopify/shopify-api";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";
import { decrypt, encrypt } from "~/utils/crypto.server";
import { db } from "~/utils/db.server";

/**
 * Shopify's Prisma session storage, with the access and refresh tokens
 * encrypted at rest (AES-256-GCM, ENCRYPTION_KEY) on the way in and out.
 */
export class EncryptedPrismaSessionStorage implements SessionStorage {
  private readonly inner = new PrismaSessionStorage(db() as never, { tableName: "shopifySession" });

  private seal(session: Session): Session {
    const sealed = new Session(session.toObject());
    if (session.accessToken) sealed.accessToken = encrypt(session.accessToken);
    if (session.refreshToken) sealed.refreshToken = encrypt(session.refreshToken);
    return sealed;
  }

  private open(session: Session | undefined): Session | undefined {
    if (!session) return undefined;
    const opened = new Session(session.toObject());
    if (session.accessToken) opened.accessToken = decrypt(session.accessToken);
    if (session.refreshToken) opened.refreshToken = decrypt(session.refreshToken);
    return opened;
  }

  storeSession(session: Session) {
    return this.inner.storeSession(this.seal(session));
  }
  async loadSession(id: string) {
    return this.open(await this.inner.loadSession(id));
  }
  deleteSession(id: string) {
    return this.inner.deleteSession(id);
  }
  deleteSessions(ids: string[]) {
    return this.inner.deleteSessions(ids);
  }
  async findSessionsByShop(shop: string) {
    return (await this.inner.findSessionsByShop(shop)).map((s) => this.open(s)!);
  }
}
