import type { Request, Response } from 'express';
import { asDropshipError, DropshipError } from '../../core/errors';
import type { MailerConfigNode } from '../adapter/config-nodes';
import { ownHttpAddress } from '../adapter/connector-account';
import { mountOnce } from '../adapter/mount-once';
import type { Node, NodeAPI, NodeDef } from '../adapter/node-red';
import { operatorAdminRequest } from '../adapter/operator-routes';
import { registerPortal } from '../adapter/portal-registry';
import { storeOf } from '../adapter/store-access';
import { mountPortal, operatorHandoff } from './portal-routes';

interface PortalNodeDef extends NodeDef {
  store: string;
  mailer: string;
  /** The address suppliers reach this Node-RED at (https://shop.example); empty: this machine's own. */
  publicUrl: string;
  sessionHours: number | string;
  codeMinutes: number | string;
}

const PORTAL_PATH = '/dropship/portal';

const numberOr = (value: unknown, fallback: number, min: number, max: number): number => {
  const n = Number(value);
  return Number.isFinite(n) && n >= min && n <= max ? n : fallback;
};

export = function registerPortalNode(RED: NodeAPI): void {
  /** The deployed portal node, for the admin routes (one portal per Node-RED). */
  let current: { node: Node; config: PortalNodeDef } | undefined;

  function DropshipPortalNode(this: Node, config: PortalNodeDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const mailer = RED.nodes.getNode(config.mailer) as MailerConfigNode | null;
    const publicUrl = (config.publicUrl || ownHttpAddress(RED.settings)).replace(/\/+$/, '');
    const baseUrl = `${publicUrl}${PORTAL_PATH}`;
    const sendMail: MailerConfigNode['sendMail'] = (message) => {
      if (!mailer)
        return Promise.reject(
          new DropshipError('configuration', 'the supplier portal has no mailer', [
            { path: 'mailer', message: 'select a dropship-mailer' },
          ]),
        );
      return mailer.sendMail(message);
    };
    if (!mailer) node.error('the supplier portal has no mailer: select a dropship-mailer');
    registerPortal(node, { baseUrl, sendMail });
    current = { node, config };
    node.on('close', () => {
      if (current?.node === node) current = undefined;
    });
    mountPortal(RED, node, {
      path: PORTAL_PATH,
      store: () => storeOf(RED, node, config.store),
      sendMail,
      sessionHours: numberOr(config.sessionHours, 12, 1, 720),
      codeMinutes: numberOr(config.codeMinutes, 15, 5, 60),
      secure: baseUrl.startsWith('https:'),
    });
  }

  RED.nodes.registerType('dropship-portal', DropshipPortalNode as never);

  const portalStore = () => {
    if (!current) throw new DropshipError('not_found', 'no dropship-portal node is deployed');
    return storeOf(RED, current.node, current.config.store);
  };
  const answer = (res: Response, work: () => Promise<unknown>): void => {
    work().then(
      (body) => res.set('Cache-Control', 'no-store').json(body),
      (err: unknown) => {
        const error = asDropshipError(err);
        const status = error.code === 'not_found' ? 404 : error.code === 'invalid_input' ? 400 : 500;
        res
          .status(status)
          .set('Cache-Control', 'no-store')
          .json({ error: { code: error.code, message: status === 500 ? 'internal error' : error.message } });
      },
    );
  };
  const supplierIdOf = (req: Request): string => {
    const id = (req.body as { supplierId?: unknown } | undefined)?.supplierId;
    if (typeof id !== 'string' || !/^[\w.-]{1,64}$/.test(id))
      throw new DropshipError('invalid_input', 'supplierId is required', [
        { path: 'supplierId', message: 'required' },
      ]);
    return id;
  };

  // The operator's side, in the portal node's dialog: recent activity, acting for a supplier, revoking its links.
  if (mountOnce(RED.httpAdmin, '/dropship/portal-admin/activity'))
    RED.httpAdmin.get(
      '/dropship/portal-admin/activity',
      RED.auth.needsPermission('dropship-portal.read'),
      operatorAdminRequest(RED),
      (req: Request, res: Response) =>
        answer(res, async () => {
          const supplierId = typeof req.query.supplierId === 'string' ? req.query.supplierId : undefined;
          return (await portalStore()).listActions({ supplierId, limit: 50 });
        }),
    );
  if (mountOnce(RED.httpAdmin, '/dropship/portal-admin/act'))
    RED.httpAdmin.post(
      '/dropship/portal-admin/act',
      RED.auth.needsPermission('dropship-portal.write'),
      operatorAdminRequest(RED),
      (req: Request, res: Response) =>
        answer(res, async () => {
          const operator = (req as Request & { user?: { username?: string } }).user?.username ?? 'local';
          const path = await operatorHandoff(await portalStore(), supplierIdOf(req), operator, new Date());
          const root = ((RED.settings as { httpNodeRoot?: string | false }).httpNodeRoot || '/').replace(
            /\/$/,
            '',
          );
          return { url: `${root}${PORTAL_PATH}${path}` };
        }),
    );
  if (mountOnce(RED.httpAdmin, '/dropship/portal-admin/revoke'))
    RED.httpAdmin.post(
      '/dropship/portal-admin/revoke',
      RED.auth.needsPermission('dropship-portal.write'),
      operatorAdminRequest(RED),
      (req: Request, res: Response) =>
        answer(res, async () => ({
          revokedLinks: await (await portalStore()).revokeAccess(supplierIdOf(req), new Date()),
        })),
    );
};
