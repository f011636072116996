import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import helper from 'node-red-node-test-helper';
import { DropshipError } from '../../core/errors';
import {
  applyConfigMigrations,
  CONFIG_MIGRATIONS,
  currentConfigVersion,
  migrateConfigNode,
  savedConfigVersion,
  type ConfigMigration,
} from '../../nodes/adapter/config-migrations';
import type { StorefrontConfigNode, SupplierConfigNode } from '../../nodes/adapter/config-nodes';
import storeNode from '../../nodes/store/store';
import storefrontNode from '../../nodes/storefront/storefront';
import supplierNode from '../../nodes/supplier/supplier';
import mailerNode from '../../nodes/mailer/mailer';
import carrierNode from '../../nodes/carrier/carrier';

helper.init(require.resolve('node-red'));

/** A made-up second format of the mailer (host renamed to server), to exercise the steps. */
const RENAME_HOST: ConfigMigration = {
  from: 1,
  description: 'host is called server',
  migrate: ({ host, ...rest }) => ({ ...rest, server: host }),
};

describe('config node versions and migrations', () => {
  describe('savedConfigVersion', () => {
    it('reads a flow saved before versions existed (no version, empty) as version 1', () => {
      assert.equal(savedConfigVersion('dropship-store', { engine: 'sqlite' }), 1);
      assert.equal(savedConfigVersion('dropship-store', { version: '' }), 1);
      assert.equal(savedConfigVersion('dropship-store', { version: '2' }), 2);
    });

    it('refuses a version that is not a whole number from 1, naming the field', () => {
      for (const version of [0, 1.5, 'two']) {
        assert.throws(
          () => savedConfigVersion('dropship-mailer', { version }),
          (err: unknown) =>
            err instanceof DropshipError &&
            err.code === 'configuration' &&
            err.details[0]?.path === '/version' &&
            err.message.includes('dropship-mailer'),
        );
      }
    });
  });

  describe('applyConfigMigrations', () => {
    it('brings an unversioned config through every step and stamps the current version', () => {
      const saved = { name: 'Shop e-mail', host: 'smtp.example.com', port: 587 };
      const migrated = applyConfigMigrations('dropship-mailer', saved, [RENAME_HOST]);
      assert.deepEqual(migrated, { name: 'Shop e-mail', server: 'smtp.example.com', port: 587, version: 2 });
      assert.deepEqual(
        saved,
        { name: 'Shop e-mail', host: 'smtp.example.com', port: 587 },
        'input untouched',
      );
    });

    it('leaves a config already at the current version as it is', () => {
      const saved = { server: 'smtp.example.com', version: 2 };
      assert.deepEqual(applyConfigMigrations('dropship-mailer', saved, [RENAME_HOST]), saved);
    });

    it('refuses a config saved by a newer release instead of misreading it', () => {
      assert.throws(
        () => applyConfigMigrations('dropship-mailer', { name: 'Shop e-mail', version: 3 }, [RENAME_HOST]),
        /dropship-mailer "Shop e-mail" was saved by a newer release \(version 3; this release reads up to 2\)/,
      );
    });

    it('has steps numbered one after another from version 1 for every config node type', () => {
      for (const [type, steps] of Object.entries(CONFIG_MIGRATIONS)) {
        steps.forEach((step, index) => assert.equal(step.from, index + 1, `${type} step ${index}`));
        assert.equal(currentConfigVersion(steps), steps.length + 1);
      }
    });

    it('keeps a watchdog policy saved as JSON text (before the form) as the same object', () => {
      const policy = { conditions: { po_unacknowledged: { thresholdHours: 8 } } };
      const saved = { id: 'w1', type: 'dropship-watchdog', store: 's1', policy: JSON.stringify(policy) };
      assert.deepEqual(migrateConfigNode('dropship-watchdog', saved), { ...saved, policy, version: 2 });
      assert.deepEqual(migrateConfigNode('dropship-watchdog', { ...saved, policy: '' }).policy, {});
      // Text that is not JSON stays text, so the node reports it instead of running on the built-in policy.
      assert.equal(migrateConfigNode('dropship-watchdog', { ...saved, policy: '{oops' }).policy, '{oops');
      const current = { ...saved, policy, version: 2 };
      assert.deepEqual(migrateConfigNode('dropship-watchdog', current), current);
    });

    it("moves a tracking in node's inline SFTP or local folder into a file connection it carries until converted", () => {
      const sftp = {
        id: 't1',
        type: 'dropship-tracking-in',
        source: 'sftp',
        sftpHost: 'sftp.acme.example',
        sftpPort: '2222',
        sftpUser: 'shop',
        sftpHostKey: `SHA256:${'a'.repeat(43)}`,
        folderRoot: '',
        inboundFolder: 'in',
      };
      assert.deepEqual(migrateConfigNode('dropship-tracking-in', sftp), {
        id: 't1',
        type: 'dropship-tracking-in',
        source: 'files',
        connection: '',
        legacyConnection: {
          kind: 'sftp',
          host: 'sftp.acme.example',
          port: '2222',
          username: 'shop',
          hostKeySha256: `SHA256:${'a'.repeat(43)}`,
        },
        inboundFolder: 'in',
        version: 2,
      });
      const local = { id: 't2', type: 'dropship-tracking-in', source: 'local', folderRoot: '' };
      assert.deepEqual(
        migrateConfigNode<Record<string, unknown>>('dropship-tracking-in', local).legacyConnection,
        {
          kind: 'folder',
          root: '.',
        },
      );
      // Another source: the unused inline fields go, nothing else changes.
      const imap = { id: 't3', type: 'dropship-tracking-in', source: 'imap', sftpHost: '', sftpPort: 22 };
      assert.deepEqual(migrateConfigNode('dropship-tracking-in', imap), {
        id: 't3',
        type: 'dropship-tracking-in',
        source: 'imap',
        version: 2,
      });
    });

    it("moves a stock in node's inline SFTP or local folder into a file connection it carries until converted", () => {
      const sftp = {
        id: 'i1',
        type: 'dropship-inventory-in',
        source: 'sftp',
        host: 'sftp.acme.example',
        port: 22,
        username: 'shop',
        hostKeySha256: '',
        root: 'feeds',
      };
      assert.deepEqual(migrateConfigNode('dropship-inventory-in', sftp), {
        id: 'i1',
        type: 'dropship-inventory-in',
        source: 'files',
        connection: '',
        legacyConnection: {
          kind: 'sftp',
          host: 'sftp.acme.example',
          port: 22,
          username: 'shop',
          hostKeySha256: '',
          root: 'feeds',
        },
        version: 2,
      });
      const local = { id: 'i2', type: 'dropship-inventory-in', source: 'local', root: '/var/feeds' };
      assert.deepEqual(
        migrateConfigNode<Record<string, unknown>>('dropship-inventory-in', local).legacyConnection,
        {
          kind: 'folder',
          root: '/var/feeds',
        },
      );
    });

    it("moves a file supplier's transport out of its settings (object or JSON text) into a file connection", () => {
      const transport = {
        type: 'sftp',
        host: 'sftp.acme.example',
        port: 22,
        username: 'shop',
        baseDir: 'edi',
        timeoutMs: 9000,
      };
      const saved = {
        id: 's1',
        type: 'dropship-supplier',
        connector: 'x12-sftp',
        settings: { transport, outboundFolder: 'out' },
      };
      const expected = {
        id: 's1',
        type: 'dropship-supplier',
        connector: 'x12-sftp',
        settings: { outboundFolder: 'out' },
        connection: '',
        legacyConnection: {
          kind: 'sftp',
          host: 'sftp.acme.example',
          port: 22,
          username: 'shop',
          timeoutMs: 9000,
          root: 'edi',
        },
        version: 2,
      };
      assert.deepEqual(migrateConfigNode('dropship-supplier', saved), expected);
      assert.deepEqual(
        migrateConfigNode('dropship-supplier', { ...saved, settings: JSON.stringify(saved.settings) }),
        expected,
      );
      const local = { ...saved, settings: { transport: { type: 'local', root: '/srv/edi' } } };
      assert.deepEqual(
        migrateConfigNode<Record<string, unknown>>('dropship-supplier', local).legacyConnection,
        {
          kind: 'folder',
          root: '/srv/edi',
        },
      );
      // A REST supplier has no transport: only the version changes; unreadable text is left for the node to report.
      const rest = {
        id: 's2',
        type: 'dropship-supplier',
        connector: 'rest-json',
        settings: { url: 'https://x.example' },
      };
      assert.deepEqual(migrateConfigNode('dropship-supplier', rest), { ...rest, version: 2 });
      assert.equal(migrateConfigNode('dropship-supplier', { ...rest, settings: '{oops' }).settings, '{oops');
    });

    it('stamps today’s unversioned config nodes as version 1 without changing them', () => {
      const saved = { id: 'c1', type: 'dropship-store', engine: 'sqlite', filename: 'dropship.sqlite' };
      assert.deepEqual(migrateConfigNode('dropship-store', saved), { ...saved, version: 1 });
    });
  });

  describe('in Node-RED', () => {
    let userDir: string;
    before(async () => {
      userDir = mkdtempSync(path.join(tmpdir(), 'dropship-versions-'));
      helper.settings({ userDir });
      await new Promise<void>((resolve) => helper.startServer(resolve));
    });
    afterEach(async () => {
      await helper.unload();
    });
    after(async () => {
      await new Promise<void>((resolve) => helper.stopServer(resolve));
      helper.settings({});
      rmSync(userDir, { recursive: true, force: true });
    });

    /** The config nodes as flows saved today store them: no version property. */
    function unversionedFlow(version?: number): ({ id: string; type: string } & Record<string, unknown>)[] {
      const stamp = version === undefined ? {} : { version };
      return [
        {
          id: 'store',
          type: 'dropship-store',
          engine: 'sqlite',
          filename: 'versions.sqlite',
          synchronous: 'FULL',
          ...stamp,
        },
        {
          id: 'shop',
          type: 'dropship-storefront',
          platform: 'shopify',
          shopDomain: 'your-shop.myshopify.com',
          secretEnv: '',
          ...stamp,
        },
        {
          id: 'supplier',
          type: 'dropship-supplier',
          supplierId: 'acme',
          connector: 'rest-json',
          settings: { url: 'https://api.acme.example/orders' },
          ...stamp,
        },
        {
          id: 'mailer',
          type: 'dropship-mailer',
          host: '127.0.0.1',
          port: 2525,
          from: 'shop@example.test',
          ...stamp,
        },
        { id: 'ups-account', type: 'dropship-carrier', carrier: 'ups', settings: {}, ...stamp },
      ];
    }

    it('loads config nodes saved without a version and reads their settings as before', async () => {
      await helper.load(
        [storeNode, storefrontNode, supplierNode, mailerNode, carrierNode],
        unversionedFlow(),
      );
      const supplier = helper.getNode('supplier') as unknown as SupplierConfigNode;
      const shop = helper.getNode('shop') as unknown as StorefrontConfigNode;
      assert.equal(supplier.settingsError, undefined);
      assert.equal(supplier.settings?.url, 'https://api.acme.example/orders');
      assert.equal(shop.shopDomain, 'your-shop.myshopify.com');
      assert.ok(helper.getNode('store'));
      assert.ok(helper.getNode('mailer'));
      assert.ok(helper.getNode('ups-account'));
    });

    it('does not start a config node saved by a newer release', async () => {
      await helper.load(
        [storeNode, storefrontNode, supplierNode, mailerNode, carrierNode],
        unversionedFlow(99),
      );
      for (const id of ['store', 'shop', 'supplier', 'mailer', 'ups-account'])
        assert.equal(helper.getNode(id), null, id);
    });
  });
});
