import net from 'node:net';

/**
 * A TCP relay in front of a real server that can cut the connection once the client has sent a given number
 * of bytes: the way to make "the upload started, then the line died" happen on purpose, so a file connector's
 * outcome-unknown path is exercised against the real sshd.
 */
export class CuttingProxy {
  /** Client-to-server bytes of the last connection. */
  lastClientBytes = 0;
  cutAfterClientBytes: number | undefined;
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  get port(): number {
    return (this.server!.address() as net.AddressInfo).port;
  }

  async start(): Promise<this> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, this.targetHost);
      this.track(client);
      this.track(upstream);
      let sent = 0;
      this.lastClientBytes = 0;
      client.on('data', (chunk: Buffer) => {
        sent += chunk.length;
        this.lastClientBytes = sent;
        if (this.cutAfterClientBytes !== undefined && sent > this.cutAfterClientBytes) {
          client.destroy();
          upstream.destroy();
          return;
        }
        upstream.write(chunk);
      });
      upstream.on('data', (chunk: Buffer) => client.write(chunk));
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}
