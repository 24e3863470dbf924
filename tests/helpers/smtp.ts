import { afterAll, beforeAll, beforeEach } from "vitest";
import { closeEmailTransports } from "~/utils/email.server";
import { resetEnv } from "~/utils/env.server";
import { startSmtpServer, type FakeSmtp } from "../fakes/smtp-server";

/**
 * A real SMTP server for the test file, and Recoup's SMTP_URL pointing at it from the file's
 * beforeAll on and again before each test (so a test may unset it to keep mail in the outbox).
 * After the file: SMTP_URL unset, the cached transports closed, the server stopped.
 *   const smtp = useFakeSmtp();
 *   … const mail = await smtp.waitFor((m) => m.subject === "…");
 */
export function useFakeSmtp(): Omit<FakeSmtp, "close"> {
  let server: FakeSmtp | undefined;
  const started = () => {
    if (!server) throw new Error("useFakeSmtp(): the SMTP server starts in beforeAll");
    return server;
  };
  const configure = () => {
    process.env.SMTP_URL = started().url;
    resetEnv();
  };
  beforeAll(async () => {
    server = await startSmtpServer();
    configure();
  });
  beforeEach(configure);
  afterAll(async () => {
    delete process.env.SMTP_URL;
    resetEnv();
    closeEmailTransports();
    await server?.close();
  });
  return {
    get url() {
      return started().url;
    },
    get messages() {
      return started().messages;
    },
    get recipients() {
      return started().recipients;
    },
    waitFor: (predicate, timeoutMs) => started().waitFor(predicate, timeoutMs),
    failNext: (count) => started().failNext(count),
    pauseAfter: (count) => started().pauseAfter(count),
    dropNext: () => started().dropNext(),
    rejectRecipient: (address, code, text) => started().rejectRecipient(address, code, text),
    acceptRecipient: (address) => started().acceptRecipient(address),
    countsByMessageId: () => started().countsByMessageId(),
  };
}
