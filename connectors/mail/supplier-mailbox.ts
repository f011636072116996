import type { ImapFlow } from 'imapflow';
import { DropshipError } from '../../core/errors';
import { requireOptionalPackage } from '../../core/optional-package';
import type { ConnectorLog } from '../../core/ports/connector';
import {
  compileMailMatching,
  readSupplierMail,
  type CompiledMailMatching,
  type MailMatchSettings,
  type SupplierMailReading,
} from './supplier-mail';

export interface SupplierMailboxSettings {
  host: string;
  port: number;
  /** TLS from the first byte (port 993). Otherwise STARTTLS is used when the server offers it. */
  secure?: boolean;
  mailbox?: string;
  /** Folder processed mail is moved to; when absent it stays where it is, marked as read by us. */
  processedFolder?: string;
  /** Folder mail that matches no order is moved to; when absent it stays, marked, for an operator to look at. */
  unmatchedFolder?: string;
  /** "auto": IDLE when the server offers it, else polling. "poll": always poll. */
  mode?: 'auto' | 'poll';
  pollIntervalMs?: number;
  /** Quiet time after our own commands before IDLE resumes; new mail in that window is reported when it does. */
  idleDelayMs?: number;
  /** How long to wait before reading again mail whose handler asked to retry (store down). */
  retryDelayMs?: number;
  matching?: MailMatchSettings;
}

export const supplierMailboxSettingsSchema = {
  type: 'object',
  required: ['host', 'port'],
  properties: {
    host: { type: 'string', minLength: 1, title: 'IMAP host' },
    port: { type: 'integer', minimum: 1, maximum: 65535, default: 993, title: 'Port' },
    secure: { type: 'boolean', default: true, title: 'TLS (port 993)' },
    mailbox: { type: 'string', minLength: 1, default: 'INBOX', title: 'Mailbox' },
    processedFolder: { type: 'string', minLength: 1, title: 'Move processed mail to' },
    unmatchedFolder: { type: 'string', minLength: 1, title: 'Move unmatched mail to' },
    mode: { enum: ['auto', 'poll'], default: 'auto', title: 'New mail' },
    pollIntervalMs: {
      type: 'integer',
      minimum: 1000,
      maximum: 3600000,
      default: 60000,
      title: 'Poll every (ms)',
    },
    idleDelayMs: { type: 'integer', minimum: 50, maximum: 15000, default: 500, title: 'IDLE delay (ms)' },
    retryDelayMs: {
      type: 'integer',
      minimum: 1000,
      maximum: 3600000,
      default: 30000,
      title: 'Retry after (ms)',
    },
    matching: {
      type: 'object',
      properties: {
        orderNumberPatterns: { type: 'array', items: { type: 'string', minLength: 1 } },
        poNumberPatterns: { type: 'array', items: { type: 'string', minLength: 1 } },
      },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
} as const;

/** What the handler decided about one mail. */
export type MailDisposition =
  | { outcome: 'processed' }
  /** Matches no order: marked so it is not read again, moved aside if configured, and reported. */
  | { outcome: 'unmatched'; reason: string }
  /** Could not be handled now (store unavailable): left unmarked and read again later. */
  | { outcome: 'retry'; reason: string };

export interface HandledMail {
  uid: number;
  /** Absent when the message could not be parsed at all. */
  reading?: SupplierMailReading;
  disposition: MailDisposition;
}

/** Every mail we have dealt with carries this keyword, so a restart does not read it again. */
export const READ_KEYWORD = '$DropshipRead';
/** Mail that matched no order carries this one too, so an operator can search for it. */
export const UNMATCHED_KEYWORD = '$DropshipUnmatched';

/** Mails fetched per round, so a full mailbox is worked through without holding everything in memory. */
const BATCH = 20;
const MAX_RECONNECT_DELAY_MS = 60_000;

export interface SupplierMailboxOptions {
  settings: SupplierMailboxSettings;
  credentials: { user?: string; password?: string };
  /** Looks up the order and records the parcels; decides what becomes of the mail. */
  onMail: (reading: SupplierMailReading) => Promise<MailDisposition>;
  /** Called after each mail is marked (or left for a retry), e.g. to send unmatched mail to an exceptions output. */
  onHandled?: (handled: HandledMail) => void;
  log: ConnectorLog;
}

/**
 * Reads supplier mail from an IMAP mailbox with imapflow: IDLE when the server offers it (new mail is handled as
 * soon as the server reports it), otherwise a poll every `pollIntervalMs`. Each mail is handled at least once:
 * it is marked (and moved, if configured) only after the handler returned, so a crash in between means it is read
 * again, which the store's deduplication of shipment events makes harmless. Reconnects with backoff.
 */
export class SupplierMailbox {
  private client: ImapFlow | undefined;
  private readonly matching: CompiledMailMatching;
  private running: Promise<HandledMail[]> | undefined;
  private checkAgain = false;
  private stopped = true;
  private pollTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectDelayMs = 1000;
  private currentMode: 'idle' | 'poll' | 'stopped' = 'stopped';

  constructor(private readonly options: SupplierMailboxOptions) {
    this.matching = compileMailMatching(options.settings.matching);
  }

  get mode(): 'idle' | 'poll' | 'stopped' {
    return this.currentMode;
  }

  private get mailbox(): string {
    return this.options.settings.mailbox ?? 'INBOX';
  }

  /** Connects, reads what is waiting, then follows new mail. Rejects when the first connection fails. */
  async start(): Promise<void> {
    this.stopped = false;
    try {
      await this.connect();
    } catch (err) {
      // A first connection that fails is a configuration problem for the caller, not a reason to retry forever.
      await this.stop();
      throw err;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.currentMode = 'stopped';
    for (const timer of [this.pollTimer, this.retryTimer, this.reconnectTimer]) clearTimeout(timer);
    await this.running?.catch(() => undefined);
    const client = this.client;
    this.client = undefined;
    if (client?.usable) await client.logout().catch(() => client.close());
    else client?.close();
  }

  private async connect(): Promise<void> {
    const { settings, credentials } = this.options;
    // imapflow (with its logger) is loaded by the first mailbox that connects, not by every Node-RED.
    const { ImapFlow } = requireOptionalPackage('imapflow', 'Reading a mailbox over IMAP');
    const client = new ImapFlow({
      host: settings.host,
      port: settings.port,
      secure: settings.secure ?? true,
      auth: { user: credentials.user ?? '', pass: credentials.password ?? '' },
      logger: false,
      autoIdleDelay: settings.idleDelayMs ?? 500,
      disableAutoIdle: settings.mode === 'poll',
    });
    client.on('error', (err: Error) => this.options.log.warn(`IMAP ${settings.host}: ${err.message}`));
    client.on('close', () => this.connectionLost(client));
    try {
      await client.connect();
    } catch (err) {
      const failure = err as Error & { authenticationFailed?: boolean; responseText?: string };
      if (!failure.authenticationFailed) throw err;
      throw new DropshipError(
        'configuration',
        `IMAP ${settings.host} refused the login${failure.responseText ? `: ${failure.responseText}` : ''}`,
        [{ path: '/credentials/password', message: 'was refused by the server' }],
        { cause: err },
      );
    }
    this.client = client;
    await client.mailboxOpen(this.mailbox);
    for (const folder of [settings.processedFolder, settings.unmatchedFolder]) {
      if (folder) await client.mailboxCreate(folder).catch(() => undefined); // already there
    }
    const idle = settings.mode !== 'poll' && client.capabilities.has('IDLE');
    this.currentMode = idle ? 'idle' : 'poll';
    this.reconnectDelayMs = 1000;
    this.options.log.info(
      `IMAP ${settings.host}/${this.mailbox}: following new mail by ${idle ? 'IDLE' : 'polling'}`,
    );
    if (idle) client.on('exists', () => void this.checkInBackground());
    else this.schedulePoll();
    await this.checkNow();
  }

  private schedulePoll(): void {
    clearTimeout(this.pollTimer);
    this.pollTimer = setTimeout(() => {
      void this.checkInBackground().finally(() => {
        if (!this.stopped && this.currentMode === 'poll') this.schedulePoll();
      });
    }, this.options.settings.pollIntervalMs ?? 60_000);
  }

  private connectionLost(client: ImapFlow): void {
    if (this.stopped || client !== this.client) return;
    this.client = undefined;
    clearTimeout(this.pollTimer);
    const delay = this.reconnectDelayMs;
    this.reconnectDelayMs = Math.min(MAX_RECONNECT_DELAY_MS, delay * 2);
    this.options.log.warn(`IMAP connection lost; reconnecting in ${delay} ms`);
    this.reconnectTimer = setTimeout(() => {
      this.connect().catch((err: Error) => {
        this.options.log.warn(`IMAP reconnect failed: ${err.message}`);
        this.connectionLost(client);
      });
    }, delay);
  }

  /** A check started by an event or a timer: its failure is logged, and the next event or poll tries again. */
  private async checkInBackground(): Promise<void> {
    try {
      await this.checkNow();
    } catch (err) {
      if (!this.stopped) this.options.log.warn(`IMAP check failed: ${(err as Error).message}`);
    }
  }

  /**
   * Reads every mail not yet marked as read by us. Calls made while a check runs are folded into one more check
   * after it, so a burst of EXISTS notifications costs two checks, not one per mail.
   */
  checkNow(): Promise<HandledMail[]> {
    if (this.running) {
      this.checkAgain = true;
      return this.running;
    }
    this.running = (async () => {
      const handled: HandledMail[] = [];
      try {
        do {
          this.checkAgain = false;
          handled.push(...(await this.readWaitingMail()));
        } while (this.checkAgain && !this.stopped);
      } finally {
        this.running = undefined;
      }
      return handled;
    })();
    return this.running;
  }

  private async readWaitingMail(): Promise<HandledMail[]> {
    const client = this.client;
    if (!client) return [];
    const handled: HandledMail[] = [];
    const retried = new Set<number>();
    for (;;) {
      const found = await client.search({ unKeyword: READ_KEYWORD }, { uid: true });
      const waiting = (found || []).filter((uid) => !retried.has(uid)).sort((a, b) => a - b);
      if (waiting.length === 0) break;
      // Fetch first, act after: imapflow cannot run commands while a fetch is streaming.
      const messages = await client.fetchAll(
        waiting.slice(0, BATCH),
        { uid: true, source: true },
        { uid: true },
      );
      for (const message of messages) {
        const result = await this.handle(message.uid, message.source);
        if (result.disposition.outcome === 'retry') retried.add(message.uid);
        else await this.mark(client, message.uid, result.disposition);
        handled.push(result);
        this.options.onHandled?.(result);
      }
    }
    if (retried.size > 0) {
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(
        () => void this.checkInBackground(),
        this.options.settings.retryDelayMs ?? 30_000,
      );
    }
    return handled;
  }

  private async handle(uid: number, source: Buffer | undefined): Promise<HandledMail> {
    let reading: SupplierMailReading;
    try {
      if (!source) throw new Error('the server returned no message source');
      reading = await readSupplierMail(source, this.matching);
    } catch (err) {
      return {
        uid,
        disposition: { outcome: 'unmatched', reason: `unreadable message: ${(err as Error).message}` },
      };
    }
    try {
      return { uid, reading, disposition: await this.options.onMail(reading) };
    } catch (err) {
      return { uid, reading, disposition: { outcome: 'retry', reason: (err as Error).message } };
    }
  }

  private async mark(client: ImapFlow, uid: number, disposition: MailDisposition): Promise<void> {
    const range = String(uid);
    const unmatched = disposition.outcome === 'unmatched';
    await client.messageFlagsAdd(range, unmatched ? [READ_KEYWORD, UNMATCHED_KEYWORD] : [READ_KEYWORD], {
      uid: true,
    });
    const folder = unmatched ? this.options.settings.unmatchedFolder : this.options.settings.processedFolder;
    if (folder) await client.messageMove(range, folder, { uid: true });
  }
}
