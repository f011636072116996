import type { Request, Response } from 'express';
import { asDropshipError } from '../../core/errors';
import type { ConnectorLog } from '../../core/ports/connector';
import type { NodeAPI } from './node-red';

/** How long a "Test connection" may take before the dialog is told it timed out. */
export const CONNECTION_TEST_TIMEOUT_MS = 15_000;

/** Node-RED's stand-in for a password the editor has not changed (editor: populateCredentialsInputs). */
const UNCHANGED_PASSWORD = '__PWRD__';

/** What the dialog sends: its current, possibly undeployed, fields and secrets, and the config node's id. */
export interface ConnectionTestRequest {
  /** The edited config node's id: where an unchanged password is taken from. */
  id?: string;
  /** The dialog's fields (settings, host, platform...), as the node type defines them. */
  fields: Record<string, unknown>;
  /** The secrets as typed, with Node-RED's placeholder replaced by the stored value. */
  credentials: Record<string, string | undefined>;
  signal: AbortSignal;
  log: ConnectorLog;
}

/**
 * The secrets to test with: what the dialog shows, except that a password left unchanged (Node-RED shows it as
 * `__PWRD__`, never the value) is the one stored for this node. A secret the dialog does not show is not used.
 */
export function dialogCredentials(
  typed: unknown,
  stored: Record<string, unknown> | undefined,
): Record<string, string | undefined> {
  const credentials: Record<string, string | undefined> = {};
  if (!typed || typeof typed !== 'object') return credentials;
  for (const [name, value] of Object.entries(typed as Record<string, unknown>)) {
    if (typeof value !== 'string') continue;
    const kept = stored?.[name];
    credentials[name] =
      value === UNCHANGED_PASSWORD ? (typeof kept === 'string' ? kept : undefined) : value || undefined;
  }
  return credentials;
}

/**
 * A dialog value with each whole-value `${NAME}` replaced by that environment variable, as Node-RED does when
 * the flow starts, so the test sees what the deployed node will.
 */
export function withEnvironment(value: unknown): unknown {
  if (typeof value === 'string') {
    const name = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(value)?.[1];
    return name === undefined ? value : (process.env[name] ?? '');
  }
  if (Array.isArray(value)) return value.map(withEnvironment);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, withEnvironment(v)]));
  return value;
}

/** An error as the dialog shows it: one line of words, never a stack or a file path. */
export function connectionTestMessage(err: unknown): string {
  const message = asDropshipError(err).message.split('\n')[0]!.trim();
  return (message || 'the test failed without a reason').slice(0, 400);
}

const silent: ConnectorLog = { debug: () => undefined, info: () => undefined, warn: () => undefined };

/**
 * The handler of a config node's `POST /dropship/<kind>/test` route: runs its connection test with the dialog's
 * current settings and secrets and answers `{ ok, message }` in words. Mount it behind
 * `RED.auth.needsPermission('<type>.write')` (only editors allowed to change flows). Only JSON is accepted, so
 * a form posted from another site cannot trigger it; the test is cut off after CONNECTION_TEST_TIMEOUT_MS.
 */
export function connectionTestHandler(
  RED: NodeAPI,
  /** The config node type whose dialog calls this route: only such a node's stored secrets are used. */
  nodeType: string,
  test: (request: ConnectionTestRequest) => Promise<string>,
): (req: Request, res: Response) => void {
  return (req, res) => {
    if (!req.is('application/json') || !req.body || typeof req.body !== 'object' || Array.isArray(req.body)) {
      res.status(415).json({ ok: false, message: 'send the dialog as a JSON object' });
      return;
    }
    const { credentials: typed, id: rawId, ...fields } = req.body as Record<string, unknown>;
    // A node id as the editor makes them, of a deployed node of this type: no other node's secrets are used.
    const id = typeof rawId === 'string' && /^[0-9a-f.]{1,32}$/i.test(rawId) ? rawId : undefined;
    let ownType = false;
    RED.nodes.eachNode((node) => {
      if (node.id === id && node.type === nodeType) ownType = true;
    });
    const stored =
      ownType && id !== undefined
        ? (RED.nodes.getCredentials(id) as Record<string, unknown> | undefined)
        : undefined;
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new Error(`no answer within ${CONNECTION_TEST_TIMEOUT_MS / 1000} s`));
      }, CONNECTION_TEST_TIMEOUT_MS);
    });
    Promise.race([
      test({
        id,
        fields: withEnvironment(fields) as Record<string, unknown>,
        credentials: dialogCredentials(typed, stored),
        signal: controller.signal,
        log: silent,
      }),
      timedOut,
    ])
      .then(
        (message) => res.json({ ok: true, message }),
        (err: unknown) => res.json({ ok: false, message: connectionTestMessage(err) }),
      )
      .finally(() => {
        clearTimeout(timer);
        controller.abort();
      });
  };
}
