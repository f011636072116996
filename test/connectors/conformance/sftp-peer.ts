import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { DispatchRequest } from '../../../core/ports/supplier-connector';
import { SftpTransport } from '../../../connectors/transports/sftp-transport';
import { sampleDispatchRequest } from '../support/dispatch-request';
import { CuttingProxy, freePort, startSftpServer } from '../peers';
import type { ConformancePeer, PurchaseOrderContent } from './harness';

export type SftpTransportSettings = {
  type: 'sftp';
  host: string;
  port: number;
  username: string;
  timeoutMs: number;
};

/** A file in the supplier's folder, read as the supplier reads it. */
export type ReadFile = (
  content: string,
) => Promise<{ kind: 'order' | 'cancellation'; content: PurchaseOrderContent } | undefined>;

export interface SftpPeerOptions {
  settingsFor: (transport: SftpTransportSettings) => Record<string, unknown>;
  send: (
    request: DispatchRequest,
    settings: Record<string, unknown>,
    credentials: Record<string, string>,
  ) => Promise<unknown>;
  outboundFolder: string;
  /** Reads one file of the outbound folder; undefined for files that are not purchase orders (our 997s). */
  readFile: ReadFile;
  /** The supplier's answers, uploaded to the folder we read: a file name and its text. */
  answers?: {
    folder: string;
    acknowledgement(
      request: DispatchRequest,
      outcome: 'accepted' | 'rejected',
    ): { name: string; text: string };
    shipNotice(request: DispatchRequest, trackingNumber: string): { name: string; text: string };
  };
}

/**
 * A file connector's peer: the real OpenSSH sshd. Documents are the files in the outbound folder, each known by
 * its name. Failures: a closed port (transient), a wrong password (permanent), and a connection cut by a relay
 * half-way through the upload (outcome unknown). The cut point is measured, not guessed: between the bytes of a
 * login-and-look session and those of a complete send.
 */
export async function sftpPeer(options: SftpPeerOptions): Promise<ConformancePeer> {
  const { settingsFor, send, outboundFolder } = options;
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
  const read = async (): Promise<
    { id: string; kind: 'order' | 'cancellation'; content: PurchaseOrderContent }[]
  > => {
    const found = [];
    for (const name of files()) {
      const file = await options.readFile(readFileSync(path.join(outbound, name), 'utf8'));
      if (file) found.push({ id: name, ...file });
    }
    return found;
  };
  /** The supplier uploads a file over SFTP, under its own account, as a partner does. */
  const upload = async (folder: string, file: { name: string; text: string }): Promise<void> => {
    const session = await SftpTransport.connect(transport(server.port), credentials);
    try {
      await session.put(folder, file.name, file.text);
    } finally {
      await session.close();
    }
  };
  const answers = options.answers;
  const documents = async () =>
    (await read()).filter((d) => d.kind === 'order').map(({ id, content }) => ({ id, content }));
  return {
    settings,
    credentials,
    documents,
    ordersCreated: async () => new Set((await documents()).map((d) => d.content.poNumber)).size,
    cancellations: async () =>
      (await read())
        .filter((d) => d.kind === 'cancellation')
        .map((d) => ({ id: d.id, poNumber: d.content.poNumber })),
    ...(answers && {
      acknowledge: (request, outcome) => upload(answers.folder, answers.acknowledgement(request, outcome)),
      ship: (request, trackingNumber) => upload(answers.folder, answers.shipNotice(request, trackingNumber)),
    }),
    async fail(mode, request) {
      if (mode === 'transient') return { settings: settingsFor(transport(await freePort())), credentials };
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

/** RFC 4180 rows: quoted cells with doubled quotes, CRLF or LF line ends. What a supplier's import reads. */
export function parseCsv(text: string, delimiter = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

/** A PO in the default CSV layout (connectors/suppliers/csv-sftp/csv-document.ts), read by its headers. */
export function readDefaultLayoutCsv(text: string): PurchaseOrderContent | undefined {
  const [header, ...rows] = parseCsv(text);
  if (!header || rows.length === 0) return undefined;
  const column = (name: string): number => header.indexOf(name);
  const cell = (row: string[], name: string): string | undefined => row[column(name)] || undefined;
  const first = rows[0]!;
  return {
    poNumber: cell(first, 'PO Number') ?? '',
    lines: rows.map((row) => ({
      skus: [cell(row, 'Supplier SKU'), cell(row, 'Our SKU')].filter((s): s is string => Boolean(s)),
      quantity: Number(cell(row, 'Quantity')),
    })),
    shipTo: { postalCode: cell(first, 'Postal Code'), country: cell(first, 'Country') },
  };
}
