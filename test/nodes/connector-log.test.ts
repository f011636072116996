import assert from 'node:assert/strict';
import type { Node, NodeAPI } from 'node-red';
import { connectorLogOf, debugLogged } from '../../nodes/adapter/node-red';

/** A node that records what it was asked to log. */
function recordingNode(): { node: Node; lines: string[] } {
  const lines: string[] = [];
  const node = {
    debug: (m: string) => lines.push(`debug ${m}`),
    log: (m: string) => lines.push(`info ${m}`),
    warn: (m: string) => lines.push(`warn ${m}`),
  } as unknown as Node;
  return { node, lines };
}

const withLogging = (logging: unknown): Pick<NodeAPI, 'settings'> =>
  ({ settings: { logging } }) as unknown as Pick<NodeAPI, 'settings'>;

describe('connector log through a node', () => {
  it('reports debug only when some log handler takes debug or trace', () => {
    assert.equal(debugLogged(withLogging({ console: { level: 'info' } })), false);
    assert.equal(debugLogged(withLogging(undefined)), false);
    assert.equal(debugLogged(withLogging({ console: { level: 'warn' }, file: { level: 'debug' } })), true);
    assert.equal(debugLogged(withLogging({ console: { level: 'trace' } })), true);
  });

  it('passes info and warnings always, and debug only when it is logged', () => {
    const quiet = recordingNode();
    const log = connectorLogOf(withLogging({ console: { level: 'info' } }), quiet.node);
    log.debug('d');
    log.info('i');
    log.warn('w');
    assert.deepEqual(quiet.lines, ['info i', 'warn w']);

    const verbose = recordingNode();
    connectorLogOf(withLogging({ console: { level: 'debug' } }), verbose.node).debug('d');
    assert.deepEqual(verbose.lines, ['debug d']);
  });
});
