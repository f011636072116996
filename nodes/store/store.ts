import path from 'node:path';
import { openStore } from '../../core/store/open-store';
import type { OrderStore } from '../../core/store/order-store';
import type { NodeAPI, NodeDef } from '../adapter/node-red';
import type { StoreConfigNode } from '../adapter/store-access';
import { guardEditorSocket, installErrorAnswers } from '../adapter/operator-routes';
import { registerOrderApi } from './order-api';
import { migrateConfigNode } from '../adapter/config-migrations';
import { errorText } from '../../core/errors';

interface StoreNodeDef extends NodeDef {
  engine: 'sqlite' | 'postgres';
  filename: string;
  synchronous: 'FULL' | 'NORMAL';
  connectionString: string;
  schema: string;
  /** Most connections this instance opens to PostgreSQL (default 10). */
  poolSize: number | string;
}

interface StoreCredentials {
  password?: string;
  apiToken?: string;
}

/** Opens the configured engine; a relative SQLite path lives in the Node-RED user directory. */
function openConfiguredStore(
  RED: NodeAPI,
  config: StoreNodeDef,
  credentials: StoreCredentials,
): Promise<OrderStore> {
  if (config.engine === 'postgres') {
    const poolSize = Number(config.poolSize);
    return openStore({
      engine: 'postgres',
      connectionString: config.connectionString,
      password: credentials.password,
      schema: config.schema || undefined,
      poolSize: Number.isInteger(poolSize) && poolSize > 0 ? poolSize : undefined,
    });
  }
  const userDir = (RED.settings as { userDir?: string }).userDir ?? process.cwd();
  const filename = config.filename || 'dropship.sqlite';
  return openStore({
    engine: 'sqlite',
    filename: filename === ':memory:' ? filename : path.resolve(userDir, filename),
    synchronous: config.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL',
  });
}

export = function register(RED: NodeAPI): void {
  // Every install has a store node: the package's last-resort HTTP error answer and the guard of the editor's
  // socket are installed with it.
  installErrorAnswers(RED);
  guardEditorSocket(RED);
  function DropshipStoreNode(
    this: StoreConfigNode & { credentials: StoreCredentials },
    config: StoreNodeDef,
  ): void {
    config = migrateConfigNode('dropship-store', config);
    RED.nodes.createNode(this, config);
    const opening = openConfiguredStore(RED, config, this.credentials ?? {});
    // A store that cannot open is reported once here; every node using it gets the same rejection.
    opening.catch((err: unknown) => this.error(`cannot open the order store: ${errorText(err)}`));
    this.store = () => opening;
    registerOrderApi(RED, this, this.credentials?.apiToken);
    this.on('close', (done: () => void) => {
      opening.then((store) => store.close()).then(done, () => done());
    });
  }
  RED.nodes.registerType('dropship-store', DropshipStoreNode as never, {
    credentials: { password: { type: 'password' }, apiToken: { type: 'password' } },
  });
};
