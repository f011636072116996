import assert from 'node:assert/strict';
import net from 'node:net';
import nodemailer from 'nodemailer';
import { SmtpSink } from './smtp-sink';

describe('SmtpSink (the tests’ mail server)', () => {
  it('lives on when a client is killed mid-message (its connection reset), and takes the next message', async () => {
    const sink = await new SmtpSink().start();
    try {
      const socket = net.connect(sink.port, '127.0.0.1');
      const said = (pattern: RegExp): Promise<void> =>
        new Promise((resolve) => {
          const onData = (chunk: Buffer): void => {
            if (!pattern.test(String(chunk))) return;
            socket.off('data', onData);
            resolve();
          };
          socket.on('data', onData);
        });
      await said(/^220 /m);
      socket.write('EHLO client.test\r\n');
      await said(/^250 /m);
      socket.write('MAIL FROM:<shop@example.test>\r\n');
      await said(/^250 /m);
      socket.resetAndDestroy(); // what the kernel does for a process killed with unread data: a TCP reset
      await new Promise((r) => setTimeout(r, 100));

      const transport = nodemailer.createTransport({
        host: '127.0.0.1',
        port: sink.port,
        secure: false,
        ignoreTLS: true,
      });
      await transport.sendMail({
        from: 'shop@example.test',
        to: 'ada@example.test',
        subject: 'After',
        text: 'x',
      });
      transport.close();
      assert.deepEqual(
        sink.messages.map((m) => m.parsed.subject),
        ['After'],
      );
    } finally {
      await sink.stop();
    }
  });
});
