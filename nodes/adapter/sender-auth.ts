import { asDropshipError, DropshipError } from '../../core/errors';
import {
  DEFAULT_SIGNATURE_HEADER,
  verifySenderCredential,
  type SenderCredentialCheck,
} from '../../connectors/storefronts/signature';
import type { EndpointReply, RawRequest } from './http-endpoint';
import type { Node, NodeAPI } from './node-red';
import { isLoopbackAddress } from './operator-access';
import { nodeStatus } from './status';

/** How the sender of an inbound route proves itself; `none` only while Node-RED listens on loopback. */
export type SenderAuthScheme = SenderCredentialCheck['scheme'] | 'none';

/** The node properties every inbound route with its own sender credential has (tracking-in, returns). */
export interface SenderAuthConfig {
  senderAuth?: string;
  signatureHeader?: string;
  /** Name of an environment variable holding the current secret (demos, containers), instead of credentials. */
  senderSecretEnv?: string;
}

/** Registered as `password` credentials by each node type that keeps a sender credential. */
export interface SenderAuthCredentials {
  senderSecret?: string;
  previousSenderSecret?: string;
}

/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function senderCheckOf(config: SenderAuthConfig): SenderCredentialCheck | 'none' {
  if (config.senderAuth === 'none') return 'none';
  return {
    scheme: config.senderAuth === 'token' ? 'token' : 'signature',
    header: config.signatureHeader?.trim() || DEFAULT_SIGNATURE_HEADER,
  };
}

/** The current secret (from the environment variable when one is named, else the credentials) and the previous. */
export function senderSecretsOf(config: SenderAuthConfig, credentials: SenderAuthCredentials): string[] {
  const current = config.senderSecretEnv ? process.env[config.senderSecretEnv] : credentials.senderSecret;
  return [current, credentials.previousSenderSecret].filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );
}

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]']);

/**
 * Whether this Node-RED listens on loopback only. Node-RED listens on every interface when `uiHost` is not set,
 * so only a loopback `uiHost` counts.
 */
export function listensOnLoopbackOnly(settings: NodeAPI['settings']): boolean {
  const host = (settings as { uiHost?: unknown }).uiHost;
  return typeof host === 'string' && (LOOPBACK_HOSTS.has(host) || isLoopbackAddress(host));
}

export interface SenderGateOptions {
  check: SenderCredentialCheck | 'none';
  secrets(): string[];
  /** Checks the request's credential; by default the check above (order-in passes its storefront's own). */
  verify?(req: RawRequest, secrets: string[]): void;
  /** Where the secret is set, for the problem sentence: "the node's credentials", "the storefront". */
  secretPlace: string;
}

/** A request refused before its body is parsed: the answer, and the error for the node's exceptions output. */
export interface SenderRefusal {
  reply: EndpointReply;
  error: DropshipError;
}

/** What an inbound route lets through, decided before its body is parsed. */
export interface SenderGate {
  /** Why the route takes no request at all (shown red and logged once when the node starts), if it does not. */
  readonly problem: string | undefined;
  /** The refusal of this request (503 while misconfigured, 401 without a valid credential), or undefined. */
  refusal(req: RawRequest): SenderRefusal | undefined;
}

function refusalOf(status: 401 | 503, error: DropshipError): SenderRefusal {
  return { reply: { status, body: { error: error.toJSON() } }, error };
}

const NOT_SET_UP = refusalOf(
  503,
  new DropshipError('configuration', 'this endpoint is not set up to authenticate its senders'),
);

const LOOPBACK_ONLY = refusalOf(
  401,
  new DropshipError(
    'bad_signature',
    'this endpoint takes requests without a credential only from this computer',
  ),
);

/**
 * The sender check of one inbound route: a route never answers a request it cannot authenticate. Without a
 * secret, or with authentication off while Node-RED listens beyond loopback, the node shows red with the reason,
 * logs it once, and the route answers every request 503; with authentication off on loopback (the operator's
 * explicit choice), a request from anywhere but this computer gets 401.
 */
export function senderGate(RED: NodeAPI, node: Node, options: SenderGateOptions): SenderGate {
  const { check } = options;
  let problem: string | undefined;
  if (check === 'none') {
    if (!listensOnLoopbackOnly(RED.settings))
      problem =
        'sender authentication is off, but Node-RED listens beyond loopback: choose a signature or a token ' +
        `and set the secret in ${options.secretPlace}`;
  } else if (check.scheme === 'signature' && !HEADER_NAME.test(check.header)) {
    problem = `"${check.header}" is not a header name: set the signature header in the node`;
  } else if (options.secrets().length === 0) {
    problem = `no sender secret is set: set it in ${options.secretPlace}`;
  }
  if (problem) {
    node.error(`requests refused: ${problem}`);
    nodeStatus(RED, node).show('failed', 'shared.requestsRefused', { reason: problem });
  }
  const verify =
    options.verify?.bind(options) ??
    ((req: RawRequest, secrets: string[]) => {
      if (check !== 'none') verifySenderCredential(req.rawBody, req.headers, check, secrets);
    });
  return {
    problem,
    refusal(req) {
      if (problem) return NOT_SET_UP;
      if (check === 'none') return req.local === true ? undefined : LOOPBACK_ONLY;
      try {
        verify(req, options.secrets());
        return undefined;
      } catch (err) {
        const error = asDropshipError(err);
        if (error.code !== 'bad_signature') return NOT_SET_UP;
        return refusalOf(401, new DropshipError('bad_signature', error.message));
      }
    },
  };
}
