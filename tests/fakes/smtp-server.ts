// A real SMTP server for tests (smtp-server), so that nodemailer's SMTP transport runs for real.
//   const smtp = await startSmtpServer();
//   process.env.SMTP_URL = smtp.url; resetEnv();
//   … const mail = await smtp.waitFor((m) => m.subject === "…");
//   await smtp.close();
import type { AddressInfo, Socket } from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface FakeSmtp {
  /** smtp://127.0.0.1:<port> */
  url: string;
  /** Every message received, parsed, in order of arrival. */
  messages: ParsedMail[];
  /** Envelope recipients (RCPT TO) of each message, index for index with `messages`. */
  recipients: string[][];
  /** The first received message matching `predicate`, waiting for it up to timeoutMs (default 5 s). */
  waitFor(predicate: (mail: ParsedMail) => boolean, timeoutMs?: number): Promise<ParsedMail>;
  /** The next `count` messages are refused with a 451 (a temporary failure, as a busy relay would answer). */
  failNext(count?: number): void;
  /**
   * After the next `count` messages, every message is kept as soon as its data has arrived and its
   * `250` withheld until `resume()`: every sender stalls inside its SMTP exchange, whatever its speed.
   * `arrived` resolves with the first message held.
   */
  pauseAfter(count: number): { arrived: Promise<ParsedMail>; resume(): void };
  /** The next message is kept, then its connection is cut before the 250: the sender cannot know it was taken. */
  dropNext(): void;
  /**
   * RCPT TO this address is refused with `code` (default 550 5.1.1, a mailbox that does not exist;
   * a 4xx is a temporary refusal) until `acceptRecipient`. Refused messages are not received.
   */
  rejectRecipient(address: string, code?: number, text?: string): void;
  acceptRecipient(address: string): void;
  /** How many times each Message-ID was received (every message received counts). */
  countsByMessageId(): Map<string, number>;
  close(): Promise<void>;
}

export async function startSmtpServer(): Promise<FakeSmtp> {
  const messages: ParsedMail[] = [];
  const recipients: string[][] = [];
  let failures = 0;
  let drops = 0;
  const refusedRecipients = new Map<string, { code: number; text: string }>();
  const sockets = new Map<number, Socket>();
  let pause: { after: number; arrive(mail: ParsedMail | null): void; resumed: Promise<void> } | null = null;

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onRcptTo(address, _session, callback) {
      const refusal = refusedRecipients.get(address.address.toLowerCase());
      if (refusal) return callback(Object.assign(new Error(refusal.text), { responseCode: refusal.code }));
      callback();
    },
    onData(stream, session, callback) {
      if (failures > 0) {
        failures -= 1;
        stream.resume();
        stream.on("end", () => callback(Object.assign(new Error("Try again later"), { responseCode: 451 })));
        return;
      }
      let held: typeof pause = null;
      if (pause) {
        if (pause.after > 0) pause.after -= 1;
        else held = pause;
      }
      simpleParser(stream)
        .then(async (mail) => {
          recipients.push(session.envelope.rcptTo.map((r) => r.address));
          messages.push(mail);
          if (drops > 0) {
            drops -= 1;
            sockets.get(session.remotePort)?.destroy();
            return;
          }
          if (held) {
            held.arrive(mail);
            await held.resumed;
          }
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  // Each client's socket by its port (what a session knows of its connection), for dropNext.
  server.server.on("connection", (socket: Socket) => {
    const remote = socket.remotePort!;
    sockets.set(remote, socket);
    socket.once("close", () => sockets.delete(remote));
  });

  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    recipients,
    async waitFor(predicate, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.find(predicate);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no matching email within ${timeoutMs} ms (${messages.length} received)`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    failNext(count = 1) {
      failures += count;
    },
    pauseAfter(count) {
      let arrive: (mail: ParsedMail | null) => void = () => {};
      let resume = () => {};
      const arrived = new Promise<ParsedMail>((resolve, reject) => (arrive = (mail) => (mail ? resolve(mail) : reject(new Error("the SMTP server closed before a held message arrived")))));
      const resumed = new Promise<void>((resolve) => (resume = resolve));
      pause = { after: count, arrive, resumed };
      return {
        arrived,
        resume: () => {
          pause = null;
          resume();
        },
      };
    },
    dropNext() {
      drops += 1;
    },
    rejectRecipient(address, code = 550, text = "5.1.1 No such user here") {
      refusedRecipients.set(address.toLowerCase(), { code, text });
    },
    acceptRecipient(address) {
      refusedRecipients.delete(address.toLowerCase());
    },
    countsByMessageId() {
      const counts = new Map<string, number>();
      for (const mail of messages) if (mail.messageId) counts.set(mail.messageId, (counts.get(mail.messageId) ?? 0) + 1);
      return counts;
    },
    close: () =>
      new Promise<void>((resolve) => {
        pause?.arrive(null);
        server.close(() => resolve());
      }),
  };
}
