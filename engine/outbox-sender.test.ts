// The outbox sender against a real (tiny, local) SMTP server and real PostgreSQL.
import { afterAll, beforeAll, expect, it } from "vitest";
import net from "node:net";
import type { AddressInfo } from "node:net";
import nodemailer from "nodemailer";
import { createTestDatabase, type TestDatabase } from "../test/support/db.js";
import { enqueueNotification, listNotifications } from "../store/notifications.js";
import { sendPending } from "./outbox-sender.js";
import { silentLogger } from "../telemetry/log.js";

interface Mail { from: string; to: string[]; data: string }

/** Just enough SMTP (RFC 5321) to accept mail: EHLO, MAIL, RCPT, DATA, QUIT. `reject` makes RCPT fail. */
function smtpServer(opts: { reject?: (to: string) => boolean } = {}) {
  const mails: Mail[] = [];
  const server = net.createServer((sock) => {
    let mail: Mail = { from: "", to: [], data: "" };
    let inData = false;
    let buf = "";
    sock.write("220 test ESMTP\r\n");
    sock.on("data", (chunk) => {
      buf += chunk.toString("utf8");
      let i: number;
      while ((i = buf.indexOf("\r\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (inData) {
          if (line === ".") {
            inData = false;
            mails.push(mail);
            mail = { from: "", to: [], data: "" };
            sock.write("250 queued\r\n");
          } else mail.data += line + "\n";
          continue;
        }
        const cmd = line.slice(0, 4).toUpperCase();
        if (cmd === "EHLO" || cmd === "HELO") sock.write("250 test\r\n");
        else if (cmd === "MAIL") (mail.from = line), sock.write("250 ok\r\n");
        else if (cmd === "RCPT") {
          const to = /<([^>]*)>/.exec(line)?.[1] ?? "";
          if (opts.reject?.(to)) sock.write("550 no such user\r\n");
          else mail.to.push(to), sock.write("250 ok\r\n");
        } else if (cmd === "DATA") (inData = true), sock.write("354 go ahead\r\n");
        else if (cmd === "RSET") (mail = { from: "", to: [], data: "" }), sock.write("250 ok\r\n");
        else if (cmd === "QUIT") sock.end("221 bye\r\n");
        else sock.write("250 ok\r\n");
      }
    });
  });
  return new Promise<{ mails: Mail[]; url: string; close(): void }>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve({ mails, url: `smtp://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() })),
  );
}

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.close());

it("sends customer messages once, keeps what has no address, and retries a refused one", async () => {
  const smtp = await smtpServer({ reject: (to) => to === "bounce@example.com" });
  const at = 1796300000;
  await enqueueNotification(db.pool, { key: "k1", caseKey: "invoice:in_1", template: "update_payment_method", to: "ada@example.com", subject: "Please update", body: "Link: https://x", at });
  await enqueueNotification(db.pool, { key: "k1", caseKey: "invoice:in_1", template: "update_payment_method", to: "ada@example.com", subject: "Please update", body: "again", at });
  await enqueueNotification(db.pool, { key: "k2", caseKey: "invoice:in_2", template: "refund_issued", to: null, subject: "Refund", body: "…", at });
  await enqueueNotification(db.pool, { key: "k3", caseKey: "charge:ch_1", template: "ops_escalation", to: null, subject: "[billops] look", body: "…", at });
  await enqueueNotification(db.pool, { key: "k4", caseKey: "invoice:in_4", template: "retry_scheduled", to: "bounce@example.com", subject: "Retry", body: "…", at });
  const transport = nodemailer.createTransport(smtp.url);
  const opts = { pool: db.pool, smtpUrl: smtp.url, from: "billing@example.com", opsEmail: "ops@example.com", logger: silentLogger };
  // Two senders at once must not mail anything twice.
  const [a, b] = await Promise.all([sendPending(opts, transport), sendPending(opts, transport)]);
  expect(a + b).toBe(2);
  expect(smtp.mails.map((m) => m.to[0]).sort()).toEqual(["ada@example.com", "ops@example.com"]);
  expect(smtp.mails.find((m) => m.to[0] === "ada@example.com")!.data).toContain("Subject: Please update");
  const rows = await listNotifications(db.pool);
  const status = Object.fromEntries(rows.map((r) => [r.key, r.status]));
  expect(status).toEqual({ k1: "sent", k2: "kept", k3: "sent", k4: "pending" });
  expect(rows.find((r) => r.key === "k4")!.lastError).toMatch(/550/);
  expect(await sendPending(opts, transport)).toBe(0);
  transport.close();
  smtp.close();
});
