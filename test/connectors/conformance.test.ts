import assert from 'node:assert/strict';
import { supplierConnectors } from '../../connectors/registry';
import { conformanceHarnesses } from './conformance';
import { conformanceChecks } from './conformance/checks';
import type { ConformancePeer } from './conformance/harness';

/** One connector's checks against its peer: `CONFORMANCE_KIND=x12-sftp` runs only that connector's. */
const only = process.env.CONFORMANCE_KIND;

describe('connector conformance', function () {
  this.timeout(90_000);
  const harnesses = conformanceHarnesses();

  it('has a harness for every registered connector, found by its file name', () => {
    const missing = supplierConnectors()
      .map((c) => c.kind)
      .filter((kind) => !harnesses.some((h) => h.kind === kind));
    assert.deepEqual(missing, [], 'add test/connectors/conformance/<kind>.harness.ts');
  });

  for (const connector of supplierConnectors()) {
    const harness = harnesses.find((h) => h.kind === connector.kind);
    if (!harness || (only && only !== connector.kind)) continue;
    describe(connector.kind, () => {
      let peer: ConformancePeer;
      before(async () => {
        peer = await harness.start();
      });
      after(async () => peer?.stop());
      for (const check of conformanceChecks(connector, harness)) it(check.title, () => check.run(peer));
    });
  }
});
