import type { AddressInfo, Server, Socket } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  /** The message exactly as the client sent it after DATA: headers as they were on the wire. */
  raw: string;
  parsed: ParsedMail;
  envelope: { from: string; to: string[] };
}

interface Refusal {
  code: number;
  message: string;
  remaining: number;
}

/**
 * A mail server for tests: npm smtp-server on 127.0.0.1 (random port, no TLS, no auth) that keeps every message
 * it accepts, raw and parsed with mailparser. `refuse()` makes it answer the next recipients with a 4xx
 * (try later) or 5xx (never) reply, as a greylisting or a missing mailbox would.
 */
export class SmtpSink {
  readonly messages: ReceivedMail[] = [];
  /** Every RCPT TO the server saw, accepted or refused: how many delivery attempts reached it. */
  rcptAttempts = 0;
  /** Runs once a message is in, before the server answers 250 (to hold the reply, or crash the client). */
  beforeAccept: ((mail: ReceivedMail) => Promise<void>) | undefined;
  private refusal: Refusal | undefined;
  private server: SMTPServer | undefined;
  private readonly sockets = new Set<Socket>();

  get port(): number {
    return (this.innerServer().address() as AddressInfo).port;
  }

  /** Answers the next `times` recipients with `code message` instead of accepting them. */
  refuse(code: number, message: string, times = 1): this {
    this.refusal = { code, message, remaining: times };
    return this;
  }

  private innerServer(): Server {
    // smtp-server keeps its net.Server as `server`; its types do not say so.
    return (this.server as unknown as { server: Server }).server;
  }

  async start(): Promise<this> {
    this.server = new SMTPServer({
      secure: false,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo: (_address, _session, callback) => {
        this.rcptAttempts += 1;
        const refusal = this.refusal;
        if (refusal && refusal.remaining > 0) {
          refusal.remaining -= 1;
          callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
          return;
        }
        callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
          const to = session.envelope.rcptTo.map((r) => r.address);
          // Recorded before the final reply, so a client that was told "250" finds the message here.
          simpleParser(raw)
            .then(async (parsed) => {
              const mail = { raw, parsed, envelope: { from, to } };
              this.messages.push(mail);
              await this.beforeAccept?.(mail);
            })
            .then(
              () => callback(),
              (err: Error) => callback(err),
            );
        });
      },
    });
    // A client killed mid-message (the crash tests' kill -9) resets its connection; the server lives on, as a real
    // one does. Anything else is still an error of the test.
    this.server.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') throw err;
    });
    this.innerServer().on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}
