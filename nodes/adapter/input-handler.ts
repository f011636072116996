import { util } from '@node-red/util';
import { asDropshipError, invalidInput, type DropshipError } from '../../core/errors';
import type { DoneFunction, Node, NodeMessage, NodeMessageInFlow, SendFunction } from './node-red';

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

/** The message that leaves a node's exceptions output: the input message plus `msg.error`. */
export function exceptionMessage(
  msg: NodeMessage,
  err: unknown,
): NodeMessage & { error: ReturnType<DropshipError['toJSON']> } {
  return { ...msg, error: asDropshipError(err).toJSON() };
}

/** Reads a string id from a message property (dot/bracket paths as in the editor), naming it when missing. */
export function requiredMessageString(msg: NodeMessage, ...names: string[]): string {
  for (const name of names) {
    const value: unknown = util.getMessageProperty(msg, name);
    if (typeof value === 'string' && value.length > 0) return value;
  }
  throw invalidInput('message', [{ path: `msg.${names[0]}`, message: 'is required (a non-empty string)' }]);
}
