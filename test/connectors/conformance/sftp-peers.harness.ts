import { readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { DispatchRequest } from '../../../core/ports/supplier-connector';
import { csvSftpConnector } from '../../../connectors/suppliers/csv-sftp/csv-sftp';
import { x12SftpConnector } from '../../../connectors/suppliers/x12-sftp/x12-sftp';
import { SftpTransport } from '../../../connectors/transports/sftp-transport';
import { startSftpServer } from '../../servers/sftp-server';
import { CuttingProxy } from '../peers/cutting-proxy';
import { connectorContext } from '../support/context';
import { sampleDispatchRequest } from '../support/dispatch-request';
import type { ConformanceHarness, ConformancePeer } from './harness';

type SftpTransportSettings = {
  type: 'sftp';
  host: string;
  port: number;
  username: string;
  timeoutMs: number;
};

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A file connector's peer: the real OpenSSH sshd. Failures: a closed port (transient), a wrong password
 * (permanent), and a connection cut by a relay half-way through the upload (outcome unknown). The cut point is
 * measured, not guessed: between the bytes of a login-and-look session and those of a complete send.
 */
async function sftpPeer(
  settingsFor: (transport: SftpTransportSettings) => Record<string, unknown>,
  send: (
    request: DispatchRequest,
    settings: Record<string, unknown>,
    credentials: Record<string, string>,
  ) => Promise<unknown>,
  outboundFolder: string,
  poNumberIn: (content: string) => string | undefined,
): Promise<ConformancePeer> {
  const server = await startSftpServer();
  const proxy = await new CuttingProxy(server.host, server.port).start();
  const transport = (port: number): SftpTransportSettings => ({
    type: 'sftp',
    host: server.host,
    port,
    username: server.username,
    timeoutMs: 3000,
  });
  const settings = settingsFor(transport(server.port));
  const credentials = { password: server.password };
  const outbound = path.join(server.root, outboundFolder);
  const files = (): string[] => {
    try {
      return readdirSync(outbound).filter((f) => !f.startsWith('.'));
    } catch {
      return [];
    }
  };
  const deliveries = async (): Promise<string[]> =>
    files().flatMap((f) => poNumberIn(readFileSync(path.join(outbound, f), 'utf8')) ?? []);
  return {
    settings,
    credentials,
    deliveries,
    ordersCreated: async () => new Set(await deliveries()).size,
    async fail(mode, request) {
      if (mode === 'transient') return { settings: settingsFor(transport(await closedPort())), credentials };
      if (mode === 'permanent') return { settings, credentials: { password: 'wrong-password' } };
      const viaProxy = settingsFor(transport(proxy.port));
      proxy.cutAfterClientBytes = undefined;
      const probe = await SftpTransport.connect(transport(proxy.port), credentials);
      await probe.exists(outboundFolder, 'probe.edi');
      await probe.close();
      const loginAndLook = proxy.lastClientBytes;
      const calibration = sampleDispatchRequest({
        ...request.purchaseOrder,
        number: `${request.purchaseOrder.number.slice(0, -1)}9`,
      });
      await send(calibration, viaProxy, credentials);
      const wholeSend = proxy.lastClientBytes;
      for (const file of files())
        if (file.includes(calibration.purchaseOrder.number)) rmSync(path.join(outbound, file));
      proxy.cutAfterClientBytes = Math.floor((loginAndLook + wholeSend) / 2);
      return { settings: viaProxy, credentials };
    },
    async recover() {
      proxy.cutAfterClientBytes = undefined;
    },
    async stop() {
      await proxy.stop();
      await server.stop();
    },
  };
}

export const x12SftpHarness: ConformanceHarness = {
  kind: 'x12-sftp',
  start: () =>
    sftpPeer(
      (transport) => ({
        transport,
        envelope: {
          senderQualifier: 'ZZ',
          senderId: 'DROPSHIPCO',
          receiverQualifier: 'ZZ',
          receiverId: 'ACMESUPPLY',
        },
        outboundFolder: 'to-supplier',
        inboundFolder: 'from-supplier',
        archiveFolder: 'from-supplier/archive',
        errorFolder: 'from-supplier/error',
      }),
      (request, settings, credentials) =>
        x12SftpConnector.sendPurchaseOrder(request, connectorContext(settings as never, credentials)),
      'to-supplier',
      (content) => /~BEG\*00\*DS\*([^*~]+)\*/.exec(content)?.[1],
    ),
  invalidSettings: (valid) => [
    {
      settings: {
        ...valid,
        envelope: { ...(valid.envelope as object), senderId: 'A-SENDER-ID-LONGER-THAN-15' },
      },
      field: '/envelope/senderId',
    },
    { settings: { ...valid, outboundFolder: '../etc' }, field: '/outboundFolder' },
    { settings: { ...valid, inboundFolder: '/absolute' }, field: '/inboundFolder' },
    { settings: { ...valid, settleSeconds: -1 }, field: '/settleSeconds' },
    { settings: { ...valid, settleSeconds: 'soon' }, field: '/settleSeconds' },
    {
      settings: { ...valid, envelope: { ...(valid.envelope as object), elementSeparator: 'A' } },
      field: '/envelope/elementSeparator',
    },
    { settings: { ...valid, transport: { type: 'ftp', host: 'x' } }, field: '/transport' },
  ],
};

export const csvSftpHarness: ConformanceHarness = {
  kind: 'csv-sftp',
  start: () =>
    sftpPeer(
      (transport) => ({ transport, outboundFolder: 'orders' }),
      (request, settings, credentials) =>
        csvSftpConnector.sendPurchaseOrder(request, connectorContext(settings as never, credentials)),
      'orders',
      (content) => /\r\n([^,\r\n]+),/.exec(content)?.[1],
    ),
  invalidSettings: (valid) => [
    { settings: { ...valid, columns: [] }, field: '/columns' },
    { settings: { ...valid, columns: [{ header: 'X', field: 'customerEmail' }] }, field: '/columns/0/field' },
    { settings: { ...valid, delimiter: '#' }, field: '/delimiter' },
    { settings: { ...valid, fileNamePattern: '../{poNumber}.csv' }, field: '/fileNamePattern' },
  ],
};
