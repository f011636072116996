import type SMTPPool from 'nodemailer/lib/smtp-pool';

/**
 * Connections kept open to the mail server by default. Each connection sends one e-mail at a time and every
 * e-mail takes at least two round trips (the pipelined envelope, then the message), so the connections bound
 * how many e-mails per second go out: to a provider 30 ms away two carry about 30 a second, far from a burst of
 * shipment notices. Five is Nodemailer's own default and what sending services accept; the node's setting
 * lowers it for a provider that allows fewer.
 */
export const DEFAULT_MAILER_CONNECTIONS = 5;
export const MAX_MAILER_CONNECTIONS = 50;

/** The mailer node's saved settings that shape its SMTP transport. */
export interface MailerTransportSettings {
  host?: string;
  port?: number | string;
  secure?: boolean;
  /** Pooled connections, 1 to MAX_MAILER_CONNECTIONS; empty or out of range is the default. */
  connections?: number | string;
}

function connectionsOf(value: number | string | undefined): number {
  const n = typeof value === 'string' && value.trim() === '' ? Number.NaN : Number(value);
  return Number.isInteger(n) && n >= 1 && n <= MAX_MAILER_CONNECTIONS ? n : DEFAULT_MAILER_CONNECTIONS;
}

/** The pooled SMTP transport the mailer node sends through (the notify bench uses the same). */
export function mailerTransportOptions(
  settings: MailerTransportSettings,
  credentials: { user?: string; password?: string } = {},
): SMTPPool.Options {
  return {
    host: settings.host || '127.0.0.1',
    port: Number(settings.port) || 587,
    secure: Boolean(settings.secure),
    auth: credentials.user ? { user: credentials.user, pass: credentials.password ?? '' } : undefined,
    pool: true,
    maxConnections: connectionsOf(settings.connections),
  };
}
