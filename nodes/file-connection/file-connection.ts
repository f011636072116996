import { checkTransport } from '../../connectors/transports';
import { asDropshipError } from '../../core/errors';
import { connectionTestHandler } from '../adapter/connection-test';
import {
  fileConnectionOf,
  userDirOf,
  type FileConnectionConfigNode,
  type FileConnectionSecrets,
  type FileConnectionSettings,
} from '../adapter/file-connection';
import { adoptLegacySecrets } from '../adapter/file-connection-legacy';
import { mountOnce } from '../adapter/mount-once';
import type { NodeAPI, NodeDef } from '../adapter/node-red';
import { operatorAdminRequest } from '../adapter/operator-routes';

interface FileConnectionNodeDef extends NodeDef {
  kind: FileConnectionSettings['kind'];
  host: string;
  port: number | string;
  username: string;
  hostKeySha256: string;
  root: string;
  /**
   * The node (`<type>:<id>`) whose own SFTP secrets this connection took over when the editor moved that node's
   * settings into it (empty otherwise): read once, then kept as this connection's credentials.
   */
  secretsFrom: string;
}

function settingsOf(config: Partial<FileConnectionNodeDef>): FileConnectionSettings {
  return {
    kind: config.kind ?? 'sftp',
    host: config.host,
    port: config.port,
    username: config.username,
    hostKeySha256: config.hostKeySha256,
    root: config.root,
  };
}

export = function registerFileConnectionNode(RED: NodeAPI): void {
  function DropshipFileConnectionNode(this: FileConnectionConfigNode, config: FileConnectionNodeDef): void {
    RED.nodes.createNode(this, config);
    const secrets: FileConnectionSecrets = adoptLegacySecrets(
      RED,
      this.id,
      config.secretsFrom,
      this.credentials,
    );
    try {
      this.connection = fileConnectionOf(
        settingsOf(config),
        secrets,
        userDirOf(RED),
        `file connection ${config.name || config.id}`,
      );
    } catch (err) {
      this.connectionError = asDropshipError(err).message;
      this.error(this.connectionError);
    }
  }
  RED.nodes.registerType('dropship-file-connection', DropshipFileConnectionNode as never, {
    credentials: {
      password: { type: 'password' },
      privateKey: { type: 'password' },
      passphrase: { type: 'password' },
    },
  });

  // "Test connection" in the dialog: log in, or find the folder; nothing is listed or written.
  if (mountOnce(RED.httpAdmin, '/dropship/file-connections/test'))
    RED.httpAdmin.post(
      '/dropship/file-connections/test',
      RED.auth.needsPermission('dropship-file-connection.write'),
      operatorAdminRequest(RED),
      connectionTestHandler(RED, 'dropship-file-connection', async ({ fields, credentials }) => {
        const connection = fileConnectionOf(
          settingsOf(fields),
          credentials,
          userDirOf(RED),
          'file connection',
        );
        return checkTransport(connection.transport, connection.credentials);
      }),
    );
};
