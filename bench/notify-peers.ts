/**
 * The other side of bench/notify.bench.ts, in its own process as the real services would be: an SMTP server that
 * accepts and counts every message (smtp-server) and the Shopify Admin API fake. Started by the bench with fork();
 * answers its requests over the IPC channel.
 */
import { SMTPServer } from 'smtp-server';
import { startFakeShopify } from '../test/fakes/shopify-admin';

export type PeerRequest = { type: 'addOrders'; count: number } | { type: 'accepted' } | { type: 'stop' };

export type PeerReply =
  | { type: 'ready'; smtpPort: number; shopifyUrl: string; accessToken: string; apiVersion: string }
  | { type: 'orders'; ids: string[] }
  | { type: 'accepted'; count: number };

async function main(): Promise<void> {
  let accepted = 0;
  const smtp = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        accepted += 1;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const smtpPort = (smtp as unknown as { server: { address(): { port: number } } }).server.address().port;
  const shopify = await startFakeShopify();
  const reply = (message: PeerReply): void => {
    process.send?.(message);
  };
  process.on('message', (request: PeerRequest) => {
    if (request.type === 'addOrders') {
      const ids = Array.from({ length: request.count }, (_, i) =>
        shopify.addOrder({
          name: `#${10_000 + i}`,
          locations: [
            {
              name: 'Acme Supply',
              lines: [
                { sku: 'MUG-01', quantity: 2 },
                { sku: 'TEE-01', quantity: 1 },
              ],
            },
          ],
        }),
      );
      reply({ type: 'orders', ids });
    } else if (request.type === 'accepted') {
      reply({ type: 'accepted', count: accepted });
    } else {
      void Promise.all([
        shopify.close(),
        new Promise((resolve) => smtp.close(() => resolve(undefined))),
      ]).then(() => process.exit(0));
    }
  });
  reply({
    type: 'ready',
    smtpPort,
    shopifyUrl: shopify.url,
    accessToken: shopify.accessToken,
    apiVersion: shopify.apiVersion,
  });
}

void main();
