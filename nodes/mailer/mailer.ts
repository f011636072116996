import type { Transporter } from 'nodemailer';
import type { MailerConfigNode } from '../adapter/config-nodes';
import type { NodeAPI, NodeDef } from '../adapter/node-red';
import { migrateConfigNode } from '../adapter/config-migrations';

interface MailerNodeDef extends NodeDef {
  host: string;
  port: number | string;
  secure: boolean;
  from: string;
  replyTo: string;
}

export = function registerMailerNode(RED: NodeAPI): void {
  function DropshipMailerNode(this: MailerConfigNode, config: MailerNodeDef): void {
    config = migrateConfigNode('dropship-mailer', config);
    RED.nodes.createNode(this, config);
    const { user, password } = this.credentials ?? {};
    // nodemailer is loaded, and the pool opened, by the first mail: a flow that never notifies by e-mail pays
    // nothing for it.
    let transport: Promise<Transporter> | undefined;
    const pool = (): Promise<Transporter> =>
      (transport ??= import('nodemailer').then(({ createTransport }) =>
        createTransport({
          host: config.host || '127.0.0.1',
          port: Number(config.port) || 587,
          secure: Boolean(config.secure),
          auth: user ? { user, pass: password ?? '' } : undefined,
          pool: true,
          maxConnections: 2,
        }),
      ));
    this.sendMail = async (message) => {
      const mailer = await pool();
      await mailer.sendMail({
        from: config.from,
        replyTo: config.replyTo || undefined,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId: message.messageId,
      });
    };
    this.on('close', () => void transport?.then((t) => t.close()));
  }
  RED.nodes.registerType('dropship-mailer', DropshipMailerNode as never, {
    credentials: { user: { type: 'text' }, password: { type: 'password' } },
  });
};
