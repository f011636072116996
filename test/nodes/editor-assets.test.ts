import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import ts from 'typescript';
import { supplierConnectors } from '../../connectors/registry';
import { withFileConnectionPicker } from '../../nodes/adapter/file-connection';
import { carrierConnectors } from '../../connectors/carriers/registry';
import { credentialDefinitions, type ConnectorDescription } from '../../nodes/adapter/connector-account';

/**
 * The editor side of each node, checked against its runtime: the .html registers the type in the right palette
 * category, every property and credential the runtime reads has an editor default, an i18n label and a help
 * entry, every message key the editor uses exists in the en-US catalogue, and the validators answer in words.
 */

const ROOT = path.join(__dirname, '..', '..');
const MODULE = '@node-red-contrib-dropship/node-red-contrib-dropship';

/** Nodes whose editor follows these conventions; config nodes live in the "config" category. */
/** Config nodes sit in the "config" category; every other node of the package in "dropship". */
const CONFIG_NODES = new Set([
  'dropship-store',
  'dropship-storefront',
  'dropship-supplier',
  'dropship-mailer',
  'dropship-carrier',
  'dropship-portal',
  'dropship-risk',
  'dropship-file-connection',
]);
const isConfig = (type: string): boolean => CONFIG_NODES.has(type);

type Catalogue = Record<string, unknown>;

/**
 * Config nodes whose secrets their connectors declare (credentialFields): the runtime stores their union
 * (credentialDefinitions) and the editor learns it with the connector list.
 */
const CONNECTOR_ACCOUNTS: Record<string, () => readonly ConnectorDescription[]> = {
  // As the dialog receives them: the transport of a file connector is its file connection's.
  'dropship-supplier': () => supplierConnectors().map(withFileConnectionPicker),
  'dropship-carrier': carrierConnectors,
};

interface RuntimeContract {
  properties: string[];
  credentials: Record<string, string>;
}

interface EditorDefinition {
  category: string;
  color: string;
  icon: string;
  inputs?: number;
  outputs?: number;
  defaults: Record<
    string,
    { value: unknown; validate?: (this: Record<string, unknown>, value: unknown, opt: object) => unknown }
  >;
  credentials?: Record<
    string,
    { type: string; validate?: (this: Record<string, unknown>, value: unknown, opt: object) => unknown }
  >;
  paletteLabel: string | (() => string);
  label: (this: Record<string, unknown>) => string;
  inputLabels?: (this: Record<string, unknown>, index: number) => string;
  outputLabels?: (this: Record<string, unknown>, index: number) => string;
}

interface NodeAssets {
  type: string;
  folder: string;
  runtime: RuntimeContract;
  template: string;
  script: string;
  catalogue: Catalogue;
  help: string;
  definition: EditorDefinition;
}

function nodeFolders(): { type: string; folder: string }[] {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    'node-red': { nodes: Record<string, string> };
  };
  return Object.entries(pkg['node-red'].nodes).map(([type, file]) => ({
    type,
    folder: path.basename(path.dirname(file)),
  }));
}

/** The properties the runtime reads (its `extends NodeDef` interface, plus `name`) and the credentials it declares. */
function runtimeContract(file: string): RuntimeContract {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const properties = new Set<string>(['name']);
  const credentials: Record<string, string> = {};
  const visit = (node: ts.Node): void => {
    if (
      ts.isInterfaceDeclaration(node) &&
      node.heritageClauses?.some((h) => h.types.some((t) => t.expression.getText() === 'NodeDef'))
    ) {
      for (const member of node.members) if (member.name) properties.add(member.name.getText());
    }
    if (ts.isCallExpression(node) && node.expression.getText().endsWith('registerType')) {
      const options = node.arguments[2];
      if (options && ts.isObjectLiteralExpression(options)) {
        const creds = options.properties.find((p) => p.name?.getText() === 'credentials');
        if (creds && ts.isPropertyAssignment(creds) && ts.isObjectLiteralExpression(creds.initializer)) {
          for (const cred of creds.initializer.properties) {
            const typeText = ts.isPropertyAssignment(cred)
              ? /type:\s*'(\w+)'/.exec(cred.initializer.getText())?.[1]
              : undefined;
            credentials[cred.name!.getText()] = typeText ?? '';
          }
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { properties: [...properties], credentials };
}

function lookup(catalogue: Catalogue, key: string): unknown {
  return key
    .split('.')
    .reduce<unknown>(
      (value, part) =>
        value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined,
      catalogue,
    );
}

/** RED._ as the editor resolves it: "<module>/<set>:<key>" looked up in that node set's catalogue. */
function translator(
  type: string,
  catalogue: Catalogue,
): (key: string, options?: Record<string, unknown>) => string {
  return (key, options = {}) => {
    const [namespace, messageKey] = key.split(':');
    assert.equal(namespace, `${MODULE}/${type}`, `message key "${key}" uses another node set's namespace`);
    const message = lookup(catalogue, messageKey ?? '');
    assert.equal(
      typeof message,
      'string',
      `message key "${messageKey}" is missing from the ${type} catalogue`,
    );
    return (message as string).replace(/__(\w+)__/g, (_m, name: string) => String(options[name]));
  };
}

/** What GET /dropship/connectors answers (nodes/supplier/supplier.ts), from the connectors this build registers. */
function connectorCatalogue(): { kind: string }[] {
  return supplierConnectors()
    .map(withFileConnectionPicker)
    .map((c) => ({
      kind: c.kind,
      title: c.title,
      description: c.description,
      settingsSchema: c.settingsSchema,
      credentialFields: c.credentialFields,
      fileConnection: c.fileConnection ?? false,
    }));
}

/** What GET /dropship/carriers answers (nodes/carrier/carrier.ts). */
function carrierCatalogue(): { kind: string }[] {
  return carrierConnectors().map((c) => ({
    kind: c.kind,
    title: c.title,
    description: c.description,
    settingsSchema: c.settingsSchema,
    credentialFields: c.credentialFields,
  }));
}

/** The admin API answers the editors fetch, by URL. */
const ADMIN_ANSWERS: Record<string, () => unknown> = {
  'dropship/connectors': connectorCatalogue,
  'dropship/carriers': carrierCatalogue,
};

/** Runs the editor script with a stand-in RED (no nodes in the workspace, no dialog open) and returns its definition. */
function loadDefinition(type: string, script: string, catalogue: Catalogue): EditorDefinition {
  const registered: { type: string; definition: EditorDefinition }[] = [];
  // jQuery with no dialog open: every selection is empty; admin requests answer at once.
  const emptySelection = Object.assign(
    (): object => ({ length: 0, val: () => undefined, prop: () => undefined, attr: () => undefined }),
    {
      getJSON: (url: string) => ({
        then: (answered: (body: unknown) => unknown) => {
          const answer = ADMIN_ANSWERS[url];
          assert.ok(answer, `the editor asks ${url}, which the test does not know`);
          answered(answer());
          return {};
        },
      }),
    },
  );
  const RED = {
    _: translator(type, catalogue),
    nodes: {
      registerType: (name: string, definition: EditorDefinition) =>
        registered.push({ type: name, definition }),
      node: () => null,
      eachNode: () => undefined,
      eachConfig: () => undefined,
    },
    editor: { validateNode: () => undefined },
    view: { redraw: () => undefined },
    settings: { httpNodeRoot: '/' },
  };
  vm.runInNewContext(script, { RED, $: emptySelection, URL });
  assert.equal(registered.length, 1, `${type}.html registers ${registered.length} types`);
  assert.equal(registered[0]!.type, type);
  return registered[0]!.definition;
}

function readAssets(type: string, folder: string): NodeAssets {
  const dir = path.join(ROOT, 'nodes', folder);
  const html = readFileSync(path.join(dir, `${folder}.html`), 'utf8');
  const template = new RegExp(
    `<script type="text/html" data-template-name="${type}">([\\s\\S]*?)</script>`,
  ).exec(html)?.[1];
  const script = /<script type="text\/javascript">([\s\S]*?)<\/script>/.exec(html)?.[1];
  assert.ok(template, `${folder}.html has no edit template for ${type}`);
  assert.ok(script, `${folder}.html has no script`);
  const catalogue = JSON.parse(
    readFileSync(path.join(dir, 'locales', 'en-US', `${folder}.json`), 'utf8'),
  ) as Catalogue;
  return {
    type,
    folder,
    runtime: runtimeContract(path.join(dir, `${folder}.ts`)),
    template,
    script,
    catalogue,
    help: readFileSync(path.join(dir, 'locales', 'en-US', `${folder}.html`), 'utf8'),
    definition: loadDefinition(type, sharedEditorScripts(html) + script, catalogue),
  };
}

/** The package's shared editor helpers (resources/) that the page loads with <script src>, run first as in the editor. */
function sharedEditorScripts(html: string): string {
  return [...html.matchAll(new RegExp(`<script src="resources/${MODULE}/([\\w.-]+)"></script>`, 'g'))]
    .map((m) => readFileSync(path.join(ROOT, 'resources', m[1]!), 'utf8'))
    .join('\n');
}

/** The source of the settings form in resources/dropship-editor.js, as the editor defines it. */
function settingsFormSource(): string {
  const page: { DropshipEditor?: { settingsForm: (t: unknown) => unknown } } = {};
  vm.runInNewContext(readFileSync(path.join(ROOT, 'resources', 'dropship-editor.js'), 'utf8'), page);
  assert.ok(page.DropshipEditor, 'resources/dropship-editor.js defines no DropshipEditor');
  return String(page.DropshipEditor.settingsForm);
}

/** The text of each <dt> in a help section, without its type annotation. */
function helpTerms(section: string): string[] {
  return [...section.matchAll(/<dt[^>]*>([^<]*)/g)].map((m) => m[1]!.trim());
}

function helpSection(help: string, title: string): string | undefined {
  return new RegExp(`<h3>${title}</h3>([\\s\\S]*?)(?=<h3>|</script>)`).exec(help)?.[1];
}

function defaultsOf(definition: EditorDefinition): Record<string, unknown> {
  return Object.fromEntries(Object.entries(definition.defaults).map(([key, d]) => [key, d.value]));
}

describe('node editor assets', () => {
  const folders = nodeFolders();

  it('covers every node the package registers, each in its own folder', () => {
    assert.ok(folders.length >= 9, `only ${folders.length} nodes found in package.json`);
    assert.equal(new Set(folders.map((f) => f.folder)).size, folders.length);
  });

  for (const { type, folder } of folders) {
    describe(type, () => {
      let assets: NodeAssets;
      before(() => {
        assets = readAssets(type, folder);
      });

      it(`registers in the "${isConfig(type) ? 'config' : 'dropship'}" category with the package colour and its own icon`, () => {
        const { definition } = assets;
        assert.equal(definition.category, isConfig(type) ? 'config' : 'dropship');
        assert.equal(definition.color, '#94CFC2');
        assert.ok(
          existsSync(path.join(ROOT, 'nodes', folder, 'icons', definition.icon)),
          `icon ${definition.icon} is missing`,
        );
        const paletteLabel =
          typeof definition.paletteLabel === 'function' ? definition.paletteLabel() : definition.paletteLabel;
        assert.ok(paletteLabel && !paletteLabel.includes('.'), `palette label "${paletteLabel}"`);
        assert.ok(definition.label.call(defaultsOf(definition)).length > 0);
      });

      it('has an editor default, an i18n label and a help entry for every property the runtime reads', () => {
        const details = helpSection(assets.help, 'Details');
        assert.ok(details, 'the help has no Details section');
        const documented = helpTerms(details);
        for (const property of assets.runtime.properties) {
          assert.ok(property in assets.definition.defaults, `no editor default for "${property}"`);
          const label = lookup(assets.catalogue, `${type}.label.${property}`);
          assert.equal(typeof label, 'string', `no label ${type}.label.${property}`);
          assert.ok(
            documented.includes(label as string),
            `the help's Details do not describe "${label as string}" (${property})`,
          );
        }
      });

      it('declares the runtime credentials with the same types, each labelled and described', () => {
        const connectors = CONNECTOR_ACCOUNTS[type];
        if (connectors) {
          // The editor learns the secrets with the connector list, which a settings check loads.
          const node = { ...defaultsOf(assets.definition), id: 'n1', type };
          assets.definition.defaults.settings!.validate!.call(node, {}, {});
          const expected = credentialDefinitions(connectors());
          // (A copy: the editor script runs in its own realm.)
          assert.deepEqual(JSON.parse(JSON.stringify(assets.definition.credentials)), expected);
          const documented = helpTerms(helpSection(assets.help, 'Secrets') ?? '');
          for (const connector of connectors())
            for (const field of connector.credentialFields)
              assert.ok(
                documented.includes(field.label),
                `the help's Secrets do not describe "${field.label}" (${connector.kind} ${field.name})`,
              );
          assert.match(
            assets.template,
            new RegExp(`id="${type}-credentials"`),
            'no place for the credentials',
          );
          return;
        }
        const documented = helpTerms(helpSection(assets.help, 'Details') ?? '');
        const editorCredentials = assets.definition.credentials ?? {};
        assert.deepEqual(
          Object.keys(editorCredentials).sort(),
          Object.keys(assets.runtime.credentials).sort(),
        );
        for (const [name, kind] of Object.entries(assets.runtime.credentials)) {
          assert.equal(editorCredentials[name]!.type, kind, `credential ${name}`);
          const label = lookup(assets.catalogue, `${type}.label.${name}`) as string;
          assert.equal(typeof label, 'string', `no label ${type}.label.${name}`);
          assert.ok(documented.includes(label), `the help's Details do not describe "${label}" (${name})`);
          assert.match(
            assets.template,
            new RegExp(`id="node-(config-)?input-${name}"`),
            `no input for credential ${name}`,
          );
        }
      });

      it('uses only message keys that exist in its catalogue', () => {
        const templateKeys = [...assets.template.matchAll(/data-i18n="([^"]+)"/g)].flatMap((m) =>
          m[1]!.split(';').map((k) => k.replace(/^\[\w+\]/, '')),
        );
        assert.ok(templateKeys.length > 0);
        const sections = new Set(Object.keys((assets.catalogue[type] as Catalogue) ?? {}));
        // Literal keys passed to t() in the script, e.g. 'errors.path' or 'outputs.sent', and in the shared
        // settings form when the node shows one (it looks its messages up with the node's t).
        const script = assets.script.includes('DropshipEditor.settingsForm(')
          ? assets.script + settingsFormSource()
          : assets.script;
        const scriptKeys = [...script.matchAll(/'([a-zA-Z]+(?:\.[\w-]+)+)'/g)]
          .map((m) => m[1]!)
          .filter((k) => sections.has(k.split('.')[0]!));
        for (const key of templateKeys) {
          assert.ok(key.startsWith(`${type}.`), `template key "${key}" is outside the ${type} namespace`);
          assert.equal(typeof lookup(assets.catalogue, key), 'string', `template key "${key}" is missing`);
        }
        for (const key of scriptKeys)
          assert.equal(
            typeof lookup(assets.catalogue, `${type}.${key}`),
            'string',
            `script key "${key}" is missing`,
          );
      });

      it('has help with a summary and, for flow nodes, labelled Inputs and Outputs for every port', () => {
        assert.match(assets.help, new RegExp(`<script type="text/html" data-help-name="${type}">\\s*<p>`));
        if (isConfig(type)) return;
        const { definition } = assets;
        const inputs = helpSection(assets.help, 'Inputs');
        const outputs = helpSection(assets.help, 'Outputs');
        assert.ok(inputs?.includes('class="message-properties"'), 'no Inputs message properties');
        assert.ok(outputs?.includes('class="node-ports"'), 'no Outputs port list');
        const ports = outputs!.match(/<li>/g)?.length ?? 0;
        assert.equal(ports, definition.outputs, 'one help entry per output');
        const node = defaultsOf(definition);
        assert.ok(definition.inputLabels!.call(node, 0).length > 0);
        for (let port = 0; port < definition.outputs!; port++) {
          const label = definition.outputLabels!.call(node, port);
          assert.ok(
            outputs!.includes(`<li>${label}`),
            `output ${port + 1} "${label}" is not the label the help uses`,
          );
        }
      });

      it('accepts its own defaults and explains, in words, every value it refuses', () => {
        const node = { ...defaultsOf(assets.definition), id: 'n1', type };
        for (const [property, def] of Object.entries(assets.definition.defaults)) {
          if (!def.validate) continue;
          const verdict = def.validate.call(node, def.value, {});
          if (verdict === true) continue;
          // Only fields a new node cannot have filled in yet may refuse their default, and they say why.
          const messages = Array.isArray(verdict) ? verdict : [verdict];
          for (const message of messages)
            assert.match(String(message), /\s/, `${property}: "${String(message)}" is not a sentence`);
        }
      });
    });
  }

  describe('validation messages', () => {
    const cases: {
      type: string;
      property: string;
      value: unknown;
      node?: Record<string, unknown>;
      expect: RegExp;
    }[] = [
      {
        type: 'dropship-supplier',
        property: 'supplierId',
        value: 'ACME Wholesale',
        expect: /lower-case letters, digits and -/,
      },
      { type: 'dropship-supplier', property: 'supplierId', value: '', expect: /Enter a supplier id/ },
      {
        type: 'dropship-store',
        property: 'connectionString',
        value: 'postgres://shop:secret@db/orders',
        node: { engine: 'postgres' },
        expect: /Password field/,
      },
      {
        type: 'dropship-store',
        property: 'connectionString',
        value: 'mysql://db/orders',
        node: { engine: 'postgres' },
        expect: /starts with postgres:\/\//,
      },
      {
        type: 'dropship-store',
        property: 'schema',
        value: 'Orders-2',
        node: { engine: 'postgres' },
        expect: /lower-case letters/,
      },
      {
        type: 'dropship-storefront',
        property: 'shopDomain',
        value: 'https://shop.example.com',
        node: { platform: 'shopify' },
        expect: /myshopify\.com/,
      },
      {
        type: 'dropship-storefront',
        property: 'locationId',
        value: '123456789',
        node: { platform: 'shopify' },
        expect: /gid:\/\/shopify\/Location\/123456789/,
      },
      {
        type: 'dropship-storefront',
        property: 'webhookUrl',
        value: 'dropship.example.com/orders',
        node: { platform: 'shopify' },
        expect: /starting with https:\/\//,
      },
      {
        type: 'dropship-storefront',
        property: 'secretEnv',
        value: '1SECRET',
        node: { secretEnv: '1SECRET' },
        expect: /variable name/,
      },
      { type: 'dropship-mailer', property: 'port', value: '70000', expect: /1 to 65535/ },
      {
        type: 'dropship-mailer',
        property: 'from',
        value: 'orders at shop',
        expect: /is not an e-mail address/,
      },
      { type: 'dropship-order-in', property: 'path', value: 'orders', expect: /starts with \// },
      {
        type: 'dropship-order-in',
        property: 'storefront',
        value: '',
        node: { platform: 'shopify' },
        expect: /Shopify storefront/,
      },
      {
        type: 'dropship-order-in',
        property: 'storefront',
        value: '',
        node: { platform: 'generic' },
        expect: /storefront holding the sender's secret/,
      },
      {
        type: 'dropship-order-in',
        property: 'signatureHeader',
        value: 'X Signature',
        expect: /header name/,
      },
      {
        type: 'dropship-tracking-in',
        property: 'signatureHeader',
        value: 'X-Sig: 1',
        expect: /header name/,
      },
      {
        type: 'dropship-returns',
        property: 'senderSecretEnv',
        value: '1SECRET',
        expect: /variable name/,
      },
      { type: 'dropship-order-in', property: 'store', value: '', expect: /Choose the order store/ },
      { type: 'dropship-tracking-in', property: 'path', value: '/track ing', expect: /no spaces/ },
      {
        type: 'dropship-tracking-in',
        property: 'settleSeconds',
        value: '-1',
        node: { source: 'files' },
        expect: /Wait until unchanged: enter a whole number from 0 to 3600/,
      },
      {
        type: 'dropship-inventory-in',
        property: 'settleSeconds',
        value: '2.5',
        node: { source: 'files' },
        expect: /Wait until unchanged: enter a whole number from 0 to 3600/,
      },
      {
        type: 'dropship-dispatch',
        property: 'maxAttempts',
        value: '0',
        expect: /Tries: enter a whole number from 1 to 100/,
      },
      {
        type: 'dropship-dispatch',
        property: 'maxDelaySeconds',
        value: '2',
        node: { baseDelaySeconds: 5 },
        expect: /at least as long as the first wait/,
      },
      { type: 'dropship-notify', property: 'milestones', value: [], expect: /Tick at least one/ },
      {
        type: 'dropship-notify',
        property: 'templates',
        value: { shipped: { subject: 'Shipped', text: '', html: '' } },
        expect: /Shipped: fill in Plain text, HTML/,
      },
    ];
    const definitions = new Map<string, EditorDefinition>();
    /** The verdict on a config node's settings, `node` naming its connector or carrier. */
    const settingsVerdict = (type: string, node: Record<string, unknown>, settings: unknown): unknown => {
      const definition = definitions.get(type)!;
      const self = { ...defaultsOf(definition), ...node };
      definition.defaults.settings!.validate!.call(self, settings, {}); // the first call fetches the schemas
      // Copied out of the editor's realm, so deepEqual compares values rather than prototypes.
      return JSON.parse(
        JSON.stringify(definition.defaults.settings!.validate!.call(self, settings, {})),
      ) as unknown;
    };
    const supplierSettings = (connector: string, settings: unknown): unknown =>
      settingsVerdict('dropship-supplier', { connector }, settings);
    before(() => {
      for (const { type, folder } of nodeFolders())
        definitions.set(type, readAssets(type, folder).definition);
    });

    for (const { type, property, value, node, expect } of cases) {
      it(`${type} refuses ${property} = ${JSON.stringify(value)} saying what to do`, () => {
        const definition = definitions.get(type)!;
        const self = { ...defaultsOf(definition), id: 'n1', type, ...node };
        const verdict = definition.defaults[property]!.validate!.call(self, value, {});
        assert.match(String(verdict), expect);
      });
    }

    it("checks a supplier's settings against its connector's schema, naming each field by its titles", () => {
      assert.deepEqual(supplierSettings('rest-json', { url: 'ftp://supplier.example/po', timeoutMs: 5 }), [
        'Order endpoint URL: enter a full web address starting with https:// (or http://), e.g. https://supplier.example.com/orders.',
        'Timeout (ms): enter a number from 100 to 120000.',
      ]);
      const csv = supplierSettings('csv-sftp', {
        outboundFolder: 'orders',
        columns: [{ header: 'SKU', field: 'sku', value: 'x' }, { header: '' }],
      });
      assert.deepEqual(csv, [
        'Columns 1: fill in exactly one of Field | Value.',
        'Columns 2 › Header: this value is required.',
        'Columns 2: fill in exactly one of Field | Value.',
      ]);
      assert.deepEqual(
        supplierSettings('email', {
          smtp: { host: 'smtp.example.com', port: 587 },
          from: 'orders',
          to: 'po@supplier.example',
        }),
        ['From: enter an e-mail address such as orders@supplier.example.'],
      );
    });

    it("checks a carrier account's settings against the carrier's schema; ${NAME} stands for a variable", () => {
      const carrierSettings = (carrier: string, settings: unknown): unknown =>
        settingsVerdict('dropship-carrier', { carrier }, settings);
      assert.deepEqual(carrierSettings('ups', { baseUrl: 'ftp://onlinetools.ups.com', timeoutMs: 50 }), [
        'API base URL: enter a full web address starting with https:// (or http://), e.g. https://onlinetools.ups.com.',
        'Timeout (ms): enter a number from 100 to 120000.',
      ]);
      assert.deepEqual(carrierSettings('ups', { transactionSource: 'x'.repeat(65) }), [
        'Transaction source: use at most 64 characters.',
      ]);
      assert.equal(carrierSettings('ups', { baseUrl: '${UPS_API_URL}', timeoutMs: 8000 }), true);
      for (const { kind } of carrierCatalogue()) assert.equal(carrierSettings(kind, {}), true, kind);
    });

    it('accepts working supplier settings, and says what an empty form of each connector still needs', () => {
      assert.equal(
        supplierSettings('rest-json', {
          url: 'https://supplier.example/po',
          auth: 'bearer',
          acceptedValues: ['ok'],
        }),
        true,
      );
      assert.equal(
        supplierSettings('csv-sftp', {
          transport: { type: 'local', root: '/srv/orders' },
          outboundFolder: 'orders',
          columns: [
            { header: 'SKU', field: 'sku' },
            { header: 'Note', value: 'drop ship' },
          ],
        }),
        true,
      );
      for (const { kind } of connectorCatalogue()) {
        const problems = supplierSettings(kind, {});
        assert.ok(
          Array.isArray(problems) && problems.every((p) => /: this value is required\.$/.test(String(p))),
          `${kind}: ${String(problems)}`,
        );
      }
    });

    it('accepts the values of a working set-up', () => {
      const accept = (
        type: string,
        property: string,
        value: unknown,
        node: Record<string, unknown> = {},
      ): void => {
        const definition = definitions.get(type)!;
        assert.equal(
          definition.defaults[property]!.validate!.call({ ...defaultsOf(definition), ...node }, value, {}),
          true,
          `${type}.${property}`,
        );
      };
      accept('dropship-supplier', 'supplierId', 'acme-wholesale');
      accept('dropship-store', 'connectionString', 'postgres://dropship@db.example.com:5432/dropship', {
        engine: 'postgres',
      });
      accept('dropship-storefront', 'shopDomain', 'my-shop.myshopify.com', { platform: 'shopify' });
      accept('dropship-storefront', 'locationId', 'gid://shopify/Location/123456789', {
        platform: 'shopify',
      });
      accept('dropship-storefront', 'baseUrl', '${DROPSHIP_SANDBOX_SHOPIFY_URL}', { platform: 'shopify' });
      accept('dropship-storefront', 'webhookUrl', 'https://dropship.example.com/dropship/shopify/orders');
      accept('dropship-mailer', 'from', 'My Shop <orders@myshop.example>');
      accept('dropship-mailer', 'port', '465');
      accept('dropship-order-in', 'path', '/hooks/shopify-orders');
      accept('dropship-order-in', 'storefront', '', { platform: 'generic', senderAuth: 'none' });
      accept('dropship-order-in', 'storefront', '', { platform: 'generic', listen: false });
      accept('dropship-order-in', 'signatureHeader', 'X-Erp-Signature');
      accept('dropship-tracking-in', 'senderSecretEnv', 'SUPPLIER_TRACKING_SECRET');
      accept('dropship-notify', 'templates', { shipped: { subject: 'S', text: 'T', html: '<p>H</p>' } });
      // Flows saved before a property existed leave it out; the runtime then uses its default.
      accept('dropship-notify', 'milestones', undefined);
      accept('dropship-notify', 'sweepSeconds', undefined);
      accept('dropship-dispatch', 'maxAttempts', '');
      accept('dropship-store', 'filename', '');
      accept('dropship-order-in', 'storefront', '', { platform: undefined, listen: false });
    });
  });
});
