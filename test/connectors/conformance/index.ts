import { readdirSync } from 'node:fs';
import type { ConformanceHarness } from './harness';

const SUFFIX = '.harness.ts';

/**
 * The harnesses in this folder, found by file name: `<kind>.harness.ts` exports `harness` for that connector
 * kind. Nothing to register; a file whose export names another kind is refused, so the name cannot lie.
 */
export function conformanceHarnesses(): ConformanceHarness[] {
  return readdirSync(__dirname)
    .filter((file) => file.endsWith(SUFFIX))
    .sort()
    .map((file) => {
      const kind = file.slice(0, -SUFFIX.length);
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- discovery by file name is the point
      const { harness } = require(`./${file}`) as { harness?: ConformanceHarness };
      if (!harness || harness.kind !== kind)
        throw new Error(`${file} must export "harness" with kind "${kind}"`);
      return harness;
    });
}
