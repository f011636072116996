import type { AddressInfo, Socket } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

export type SmtpSupplierMode = 'ok' | 'defer-451' | 'refuse-550' | 'hang-after-data';

/**
 * A supplier's mailbox behind npm smtp-server on 127.0.0.1: AUTH PLAIN/LOGIN with one account, every message
 * parsed with mailparser. Orders are counted by Message-ID, as a supplier's order desk recognises a resend.
 */
export class SmtpSupplier {
  readonly messages: ParsedMail[] = [];
  readonly raw: string[] = [];
  mode: SmtpSupplierMode = 'ok';
  private server: SMTPServer | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(
    readonly username = 'orders@dropship.test',
    readonly password = 'smtp-secret',
  ) {}

  get port(): number {
    return (this.server as unknown as { server: { address(): AddressInfo } }).server.address().port;
  }

  /** Distinct orders received: messages with distinct Message-IDs. */
  get orderCount(): number {
    return new Set(this.messages.map((m) => m.messageId)).size;
  }

  async start(): Promise<this> {
    this.server = new SMTPServer({
      secure: false,
      disabledCommands: ['STARTTLS'],
      authMethods: ['PLAIN', 'LOGIN'],
      allowInsecureAuth: true,
      logger: false,
      onAuth: (auth, _session, callback) => {
        if (auth.username === this.username && auth.password === this.password)
          callback(null, { user: auth.username });
        else callback(new Error('Invalid username or password'));
      },
      onRcptTo: (_address, _session, callback) => {
        if (this.mode === 'defer-451')
          return callback(Object.assign(new Error('Mailbox busy, try later'), { responseCode: 451 }));
        if (this.mode === 'refuse-550')
          return callback(Object.assign(new Error('No such mailbox'), { responseCode: 550 }));
        callback();
      },
      onData: (stream: SMTPServerDataStream, _session: SMTPServerSession, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          this.raw.push(raw);
          // Takes the message and never answers the final ".": the client cannot know it arrived.
          if (this.mode === 'hang-after-data') return;
          simpleParser(raw).then(
            (mail) => {
              this.messages.push(mail);
              callback();
            },
            (err: Error) => callback(err),
          );
        });
      },
    });
    const inner = (this.server as unknown as { server: import('node:net').Server }).server;
    inner.on('connection', (socket: Socket) => {
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
