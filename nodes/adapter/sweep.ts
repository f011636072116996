import { asDropshipError, DropshipError } from '../../core/errors';
import type { Node, NodeAPI } from './node-red';
import { nodeStatus } from './status';

export interface SweepOptions<Input> {
  /** What a run is called in the log, on the status and in the Catch message's topic: "routing sweep". */
  name: string;
  /** Milliseconds between runs. */
  everyMs: number;
  /** Milliseconds before the first run (time for the other nodes of the deploy to register); 0: on the next turn. */
  firstAfterMs: number;
  /** One run: `signal` is aborted when the node closes; `input` is what `now` was given (undefined on the timer). */
  run(signal: AbortSignal, input: Input | undefined): Promise<void>;
}

export interface Sweep<Input> {
  /**
   * Runs now, after the run in flight if there is one, and settles with this run: its failure is the caller's to
   * report (an input handler's `done(err)`).
   */
  now(input?: Input): Promise<void>;
}

/**
 * The timer behind every node that resumes work from the store: a first run after `firstAfterMs`, then one every
 * `everyMs`, never two at once (a tick during a run is skipped). A timed run that fails is reported through
 * `node.error` with a message, so a Catch node sees it, and the status says so; the next tick is the retry, and
 * a run that succeeds after a failure puts the status back to waiting. A configuration error (missing
 * credentials, no store selected) is no failure a flow can handle: it shows on the status with its reason and is
 * logged as a warning, so a flow deployed before its secrets are filled in reports no errors. On close the timers stop, the signal is
 * aborted, and the close waits for the run in flight, so that run never outlives the store it uses.
 */
export function startSweep<Input = void>(
  RED: Pick<NodeAPI, '_'>,
  node: Node,
  options: SweepOptions<Input>,
): Sweep<Input> {
  const status = nodeStatus(RED, node);
  const closing = new AbortController();
  let inFlight: Promise<void> | undefined;
  let failed = false;

  const now = (input?: Input): Promise<void> => {
    const run = (inFlight ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => options.run(closing.signal, input))
      .then(() => {
        if (failed && !closing.signal.aborted) status.show('waiting');
        failed = false;
      });
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    inFlight = settled;
    void settled.then(() => {
      if (inFlight === settled) inFlight = undefined;
    });
    return run;
  };

  const tick = (): void => {
    if (inFlight || closing.signal.aborted) return;
    now().catch((err: unknown) => {
      if (closing.signal.aborted) return;
      const error = asDropshipError(err);
      failed = true;
      if (err instanceof DropshipError && err.code === 'configuration') {
        // Missing credentials, no store selected: the operator's to fix in the editor, not a flow's to handle.
        status.show('failed', 'shared.cannotRun', { run: options.name, reason: error.message });
        node.warn(`${options.name} cannot run: ${error.message}`);
      } else {
        status.show('retrying', 'shared.runFailed', { run: options.name, reason: error.message });
        node.error(`${options.name} failed: ${error.message}`, {
          topic: options.name,
          payload: error.toJSON(),
        });
      }
    });
  };

  const timer = setInterval(tick, options.everyMs);
  const first = setTimeout(tick, options.firstAfterMs);
  node.on('close', (done: () => void) => {
    closing.abort();
    clearInterval(timer);
    clearTimeout(first);
    void (inFlight ?? Promise.resolve()).then(() => done());
  });
  return { now };
}
