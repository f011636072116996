import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main, type CliIo } from '../../bin/dropship';
import type { X12Document } from '../../connectors/edi/x12/documents';

const fixture = (name: string): string => path.join(__dirname, '..', 'fixtures', 'x12', name);

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => (out += t), err: (t) => (err += t) };
  const code = await main(argv, io);
  return { code, out, err };
}

describe('dropship edi', () => {
  it('parse prints the documents of a file as canonical JSON', async () => {
    const { code, out, err } = await run(
      'edi',
      'parse',
      fixture('mixed-two-interchanges.edi'),
      '--supplier',
      'acme',
    );
    assert.equal(code, 0, err);
    const documents = JSON.parse(out) as X12Document[];
    assert.deepEqual(
      documents.map((d) => [d.type, d.origin.interchangeControlNumber]),
      [
        ['shipment', '000000201'],
        ['acknowledgement', '000000202'],
      ],
    );
    const [shipment] = documents;
    assert.ok(shipment?.type === 'shipment');
    assert.equal(shipment.shipments[0]!.source, 'x12-856:acme');
    assert.equal(shipment.shipments[0]!.trackingNumber, '1Z999AA10123456784');
  });

  it('parse --ndjson prints one document per line', async () => {
    const { code, out } = await run('edi', 'parse', fixture('855-star-tilde-crlf.edi'), '--ndjson');
    assert.equal(code, 0);
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as X12Document);
    assert.deepEqual(
      lines.map((d) => (d.type === 'acknowledgement' ? d.acknowledgement.outcome : d.type)),
      ['accepted', 'partial'],
    );
  });

  it('parse prints nothing for an invalid file and exits 1 with the segment positions', async () => {
    const { code, out, err } = await run('edi', 'parse', fixture('broken-se-count.edi'));
    assert.equal(code, 1);
    assert.equal(out, '');
    assert.match(
      err,
      /broken-se-count\.edi: 1 problem\n {2}segment 24 \(SE\): SE01 says 21 segments; the transaction set has 22\n/,
    );
  });

  it('validate reports a valid file and its counts', async () => {
    const { code, out } = await run('edi', 'validate', fixture('856-pipe-newline.x12'));
    assert.equal(code, 0);
    assert.match(out, /valid \(1 interchange\(s\), 1 functional group\(s\), 2 transaction set\(s\)\)/);
  });

  it('validate lists every problem and exits non-zero', async () => {
    const { code, err } = await run('edi', 'validate', fixture('broken-control-numbers.edi'));
    assert.equal(code, 1);
    assert.deepEqual(err.trim().split('\n').slice(1), [
      '  segment 24 (SE): SE02 "0002" does not match ST02 "0001"',
      '  segment 25 (GE): GE02 "602" does not match GS06 "601"',
      '  segment 26 (IEA): IEA02 "000000699" does not match ISA13 "000000601"',
    ]);
    const notX12 = await run('edi', 'validate', fixture('broken-not-x12.json'));
    assert.equal(notX12.code, 1);
    assert.match(notX12.err, /segment 1 \(\?\): not X12/);
  });

  it('validate reports content problems inside well-formed envelopes', async () => {
    const body = ['ST*856*0001', 'BSN*00*S1*20261121*1000', 'HL*1**S', 'HL*2*1*O', 'PRF*PO-9', 'SE*6*0001'];
    const text = [
      'ISA*00*          *00*          *ZZ*ACMESUPPLY     *ZZ*DROPSHIPCO     *261120*1030*U*00401*000000009*0*P*>',
      'GS*SH*A*B*20261120*1030*9*X*004010',
      ...body,
      'GE*1*9',
      'IEA*1*000000009',
    ].join('~\n');
    const dir = mkdtempSync(path.join(tmpdir(), 'dropship-cli-'));
    try {
      writeFileSync(path.join(dir, 'asn.edi'), `${text}~\n`);
      const { code, err } = await run('edi', 'validate', path.join(dir, 'asn.edi'));
      assert.equal(code, 1);
      assert.match(err, /segment 6 \(HL\): order HL 2 \(PO PO-9\) has no tracking number/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers usage errors and unreadable files with exit code 2', async () => {
    assert.equal((await run('edi')).code, 2);
    assert.equal((await run('edi', 'convert', 'x.edi')).code, 2);
    const missing = await run('edi', 'validate', '/nonexistent/file.edi');
    assert.equal(missing.code, 2);
    assert.match(missing.err, /ENOENT/);
    assert.equal((await run('edi', '--help')).code, 0);
  });
});
