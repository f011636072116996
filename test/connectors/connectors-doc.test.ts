import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { supplierConnectors } from '../../connectors/registry';

/** docs/connectors.md gives every settings key and every credential name of every shipped supplier connector. */
describe('docs/connectors.md', () => {
  const doc = readFileSync(path.join(__dirname, '..', '..', 'docs', 'connectors.md'), 'utf8');

  for (const connector of supplierConnectors()) {
    it(`names every settings key and credential of ${connector.kind}`, () => {
      // REST's keys are explained with what they do, in the section on configuring it without code.
      const heading =
        connector.kind === 'rest-json' ? '### REST JSON without code' : `### \`${connector.kind}\``;
      const start = doc.indexOf(heading);
      assert.ok(start >= 0, `no section "${heading}"`);
      const end = doc.indexOf('\n### ', start + heading.length);
      const section = doc.slice(start, end < 0 ? undefined : end);
      const keys = Object.keys((connector.settingsSchema as { properties: object }).properties);
      const missing = keys.filter((key) => !new RegExp('`' + key + '[`.\\[]').test(section));
      assert.deepEqual(missing, [], `settings keys of ${connector.kind} missing from its table`);
      const rows = doc
        .split('\n')
        .filter((line) => line.startsWith('|') && line.includes(`\`${connector.kind}\``));
      for (const field of connector.credentialFields)
        assert.ok(
          rows.some((row) => row.includes(`\`${field.name}\``)),
          `credential ${field.name} of ${connector.kind} is not in the credential names table`,
        );
    });
  }
});
