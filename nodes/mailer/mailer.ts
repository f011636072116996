import type { Transporter } from 'nodemailer';
import type { MailerConfigNode } from '../adapter/config-nodes';
import type { NodeAPI, NodeDef } from '../adapter/node-red';
import { migrateConfigNode } from '../adapter/config-migrations';
import { mailerTransportOptions, type MailerTransportSettings } from './transport-options';
import { connectionTestHandler } from '../adapter/connection-test';
import { mountOnce } from '../adapter/mount-once';
import { operatorAdminRequest } from '../adapter/operator-routes';
import { requireOptionalPackage } from '../../core/optional-package';

interface MailerNodeDef extends NodeDef {
  host: string;
  port: number | string;
  secure: boolean;
  from: string;
  replyTo: string;
  /** Pooled connections to the server; empty is the default (transport-options.ts). */
  connections?: number | string;
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
      (transport ??= Promise.resolve().then(() =>
        requireOptionalPackage('nodemailer', 'Sending e-mail').createTransport(
          mailerTransportOptions(config, { user, password }),
        ),
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
  // "Test connection" in the dialog: connect, EHLO and log in with the dialog's server and account; no mail.
  if (mountOnce(RED.httpAdmin, '/dropship/mailers/test'))
    RED.httpAdmin.post(
      '/dropship/mailers/test',
      RED.auth.needsPermission('dropship-mailer.write'),
      operatorAdminRequest(RED),
      connectionTestHandler(RED, 'dropship-mailer', async ({ fields, credentials }) => {
        const settings = fields as MailerTransportSettings;
        const { user, password } = credentials;
        const transport = requireOptionalPackage('nodemailer', 'Sending e-mail').createTransport({
          ...mailerTransportOptions(settings, { user, password }),
          pool: false,
          connectionTimeout: 10_000,
          greetingTimeout: 10_000,
          socketTimeout: 10_000,
        });
        const server = `${settings.host || '127.0.0.1'}:${Number(settings.port) || 587}`;
        try {
          await transport.verify();
        } finally {
          transport.close();
        }
        return user
          ? `The mail server ${server} accepted the login of ${user}.`
          : `The mail server ${server} accepted the connection (no login set).`;
      }),
    );
  RED.nodes.registerType('dropship-mailer', DropshipMailerNode as never, {
    credentials: { user: { type: 'text' }, password: { type: 'password' } },
  });
};
