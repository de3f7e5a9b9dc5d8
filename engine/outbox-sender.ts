// Sends the outbox by SMTP when SMTP_URL is set; without it, messages stay in the outbox (GET /notifications).
import nodemailer, { type Transporter } from "nodemailer";
import type pg from "pg";
import type { Logger } from "../telemetry/log.js";
import { claimPendingNotifications, markNotification } from "../store/notifications.js";
import { startPeriodic } from "./periodic.js";

export interface SenderOptions {
  pool: pg.Pool;
  smtpUrl: string;
  from: string;
  /** Where operations alerts (ops_* templates) go; without it they stay in the outbox. */
  opsEmail?: string;
  intervalMs?: number;
  logger: Logger;
}

const MAX_ATTEMPTS = 5;

/** One pass over what is due; returns how many messages were sent. */
export async function sendPending(o: SenderOptions, transport: Transporter): Promise<number> {
  let sent = 0;
  for (const n of await claimPendingNotifications(o.pool, 20)) {
    const to = n.template.startsWith("ops_") ? o.opsEmail : n.to;
    if (!to) {
      // Nobody to send it to (no email on the customer, no operations address): keep it visible in the outbox.
      await markNotification(o.pool, n.id, "kept");
      continue;
    }
    try {
      await transport.sendMail({ from: o.from, to, subject: n.subject, text: n.body, headers: { "X-Billops-Case": n.caseKey, "X-Billops-Key": n.key } });
      await markNotification(o.pool, n.id, "sent");
      sent++;
    } catch (err) {
      const message = (err as Error).message;
      o.logger.warn({ case: n.caseKey, notification: n.id, err: message }, "notification not sent");
      await markNotification(o.pool, n.id, n.attempts >= MAX_ATTEMPTS ? "failed" : "pending", message);
    }
  }
  return sent;
}

export function startNotificationSender(o: SenderOptions) {
  const transport = nodemailer.createTransport(o.smtpUrl);
  const loop = startPeriodic(
    async () => {
      await sendPending(o, transport);
    },
    { intervalMs: o.intervalMs ?? 2000, logger: o.logger, name: "notification sender" },
  );
  return {
    async stop() {
      await loop.stop();
      transport.close();
    },
  };
}
