import { asDropshipError, DropshipError, invalidInput, type DropshipErrorCode } from '../../core/errors';
import type { DoneFunction, Node, NodeAPI, NodeMessage, NodeMessageInFlow, SendFunction } from './node-red';
import type { NodeStatus } from './status';

/**
 * Registers an async input handler. Node-RED does not catch rejected promises from input handlers, so every
 * outcome is reported through done(): success, or the error for Catch nodes.
 */
export function onInput(
  node: Node,
  handler: (msg: NodeMessageInFlow, send: SendFunction) => Promise<void>,
): void {
  node.on('input', (msg: NodeMessageInFlow, send: SendFunction, done: DoneFunction) => {
    handler(msg, send).then(
      () => done(),
      (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
    );
  });
}

/**
 * Problems with what a message or a request carries (or with the order or PO it names), as opposed to failures of
 * the node or of a service it needs (configuration, the store, a supplier that cannot be reached).
 */
const MESSAGE_PROBLEMS: ReadonlySet<DropshipErrorCode> = new Set<DropshipErrorCode>([
  'invalid_input',
  'bad_signature',
  'not_found',
  'conflict',
  'unroutable',
  'supplier_permanent',
  'delivery_failed',
  'cancel_failed',
  'acknowledgement_overdue',
]);

/**
 * The rule every node follows (docs/operator-guide.md, "Errors: exceptions output or Catch"): a message the node
 * cannot use because of what it carries goes out of its exceptions output; a failure of the node itself or of a
 * service it needs is thrown on, to `done(err)` (an input) or `node.error` with a message (a sweep, a webhook), so
 * Catch nodes see it. Returns for a message problem, throws anything else.
 */
export function rethrowUnlessMessageProblem(err: unknown): asserts err is DropshipError {
  if (!(err instanceof DropshipError && isMessageProblem(err))) throw err;
}

export function isMessageProblem(err: unknown): boolean {
  return err instanceof DropshipError && MESSAGE_PROBLEMS.has(err.code);
}

/** The message that leaves a node's exceptions output: the input message plus `msg.error`. */
export function exceptionMessage(
  msg: NodeMessage,
  err: unknown,
): NodeMessage & { error: ReturnType<DropshipError['toJSON']> } {
  return { ...msg, error: asDropshipError(err).toJSON() };
}

/**
 * Reads a string id from a message property, naming it when missing. The paths are read by the running
 * Node-RED's own `RED.util` (dot and bracket paths exactly as its editor and core nodes read them, in 4 and 5).
 */
export function requiredMessageString(
  RED: Pick<NodeAPI, 'util'>,
  msg: NodeMessage,
  ...names: string[]
): string {
  for (const name of names) {
    let value: unknown;
    try {
      value = RED.util.getMessageProperty(msg, name);
    } catch {
      // A path through something that is not an object (`payload.id` of a message without a payload object)
      // throws a TypeError in Node-RED: for the sender it is the same mistake as a missing id.
      continue;
    }
    if (typeof value === 'string' && value.length > 0) return value;
  }
  throw invalidInput('message', [{ path: `msg.${names[0]}`, message: 'is required (a non-empty string)' }]);
}

/**
 * The rule applied in an input handler's catch: a message problem goes out of the exceptions output (output
 * `exceptionsAt` of `outputs`) with the reason on the status; anything else is thrown on to `done(err)`.
 */
export function refuseMessage(
  msg: NodeMessage,
  err: unknown,
  exit: { status: NodeStatus; send: SendFunction; outputs: number; exceptionsAt: number },
): void {
  rethrowUnlessMessageProblem(err);
  exit.status.show('failed', 'shared.refused', { reason: err.message });
  const out: (NodeMessage | null)[] = Array.from({ length: exit.outputs }, () => null);
  out[exit.exceptionsAt] = exceptionMessage(msg, err);
  exit.send(out);
}
