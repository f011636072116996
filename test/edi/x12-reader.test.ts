import assert from 'node:assert/strict';
import { createReadStream, readFileSync } from 'node:fs';
import path from 'node:path';
import { DropshipError } from '../../core/errors';
import {
  readX12Events,
  readX12Transactions,
  validateX12,
  type X12Source,
} from '../../connectors/edi/x12/reader';
import type { X12GroupReceipt, X12Transaction } from '../../connectors/edi/x12/envelope';

const fixture = (name: string): string => path.join(__dirname, '..', 'fixtures', 'x12', name);

async function transactionsOf(source: X12Source): Promise<X12Transaction[]> {
  const found: X12Transaction[] = [];
  for await (const t of readX12Transactions(source)) found.push(t);
  return found;
}

/** Feeds a text in chunks of `size` characters, to prove chunk boundaries never matter. */
function chunks(text: string, size: number): string[] {
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size));
  return parts;
}

describe('X12 streaming reader', () => {
  it('reads "*" / "~" CRLF files with two transaction sets in a group', async () => {
    const sets = await transactionsOf(createReadStream(fixture('855-star-tilde-crlf.edi')));
    assert.deepEqual(
      sets.map((t) => [t.setId, t.controlNumber, t.segments.length, t.position]),
      [
        ['855', '0001', 8, 3],
        ['855', '0002', 10, 11],
      ],
    );
    assert.equal(sets[0]!.interchange.senderId, 'ACMESUPPLY');
    assert.equal(sets[0]!.group.functionalId, 'PR');
    assert.deepEqual(sets[0]!.segments[1], [
      'BAK',
      '00',
      'AD',
      'POA1B2C3D4E5-1',
      '20261120',
      '',
      '',
      '',
      'SO-99812',
      '20261120',
    ]);
  });

  it('reads "|" elements with newline as the segment terminator', async () => {
    const sets = await transactionsOf(createReadStream(fixture('856-pipe-newline.x12')));
    assert.equal(sets.length, 2);
    assert.equal(sets[0]!.interchange.delimiters.element, '|');
    assert.equal(sets[0]!.interchange.delimiters.component, ':');
    assert.equal(sets[0]!.interchange.delimiters.segment, '\n');
    assert.deepEqual(sets[1]!.segments[4], ['REF', 'CN', '794644790131']);
  });

  it('takes the delimiters from each interchange of a file', async () => {
    const sets = await transactionsOf(createReadStream(fixture('mixed-two-interchanges.edi')));
    assert.deepEqual(
      sets.map((t) => [
        t.setId,
        t.interchange.controlNumber,
        t.interchange.delimiters.element,
        t.interchange.delimiters.segment,
      ]),
      [
        ['856', '000000201', '*', '~'],
        ['855', '000000202', '|', '\r'],
      ],
    );
    assert.equal(sets[1]!.segments[1]![3], 'POA1B2C3D4E5-1');
  });

  it('gives the same segments whatever the chunk size', async () => {
    const text = readFileSync(fixture('mixed-two-interchanges.edi'), 'utf8');
    const whole = await transactionsOf([text]);
    for (const size of [1, 7, 105, 106, 107, 500]) {
      assert.deepEqual(await transactionsOf(chunks(text, size)), whole, `chunk size ${size}`);
    }
  });

  it('decodes multi-byte UTF-8 split across chunks', async () => {
    const text = readFileSync(fixture('855-star-tilde-crlf.edi'), 'utf8').replace('SO-99812', 'SO-Zürich');
    const bytes = Buffer.from(text, 'utf8');
    const at = bytes.indexOf(Buffer.from('ü')) + 1;
    const [first] = await transactionsOf([bytes.subarray(0, at), bytes.subarray(at)]);
    assert.equal(first!.segments[1]![8], 'SO-Zürich');
  });

  async function firstProblem(name: string): Promise<DropshipError> {
    const error = await transactionsOf(createReadStream(fixture(name))).then(
      () => assert.fail(`${name} was accepted`),
      (e: unknown) => e,
    );
    assert.ok(error instanceof DropshipError);
    assert.equal(error.code, 'invalid_input');
    return error;
  }

  it('rejects a wrong SE01 segment count naming the SE position', async () => {
    const error = await firstProblem('broken-se-count.edi');
    assert.deepEqual(error.details, [
      { path: 'segment 24 (SE)', message: 'SE01 says 21 segments; the transaction set has 22' },
    ]);
  });

  it('lists every control number mismatch when validating', async () => {
    const report = await validateX12(createReadStream(fixture('broken-control-numbers.edi')));
    assert.equal(report.valid, false);
    assert.deepEqual(report.problems, [
      { path: 'segment 24 (SE)', message: 'SE02 "0002" does not match ST02 "0001"' },
      { path: 'segment 25 (GE)', message: 'GE02 "602" does not match GS06 "601"' },
      { path: 'segment 26 (IEA)', message: 'IEA02 "000000699" does not match ISA13 "000000601"' },
    ]);
  });

  it('reports a truncated file: open transaction, group and interchange', async () => {
    const report = await validateX12(createReadStream(fixture('broken-truncated.edi')));
    assert.deepEqual(
      report.problems.map((p) => p.message),
      [
        'transaction set 0001 has no SE trailer',
        'functional group 601 has no GE trailer',
        'interchange 000000601 has no IEA trailer',
      ],
    );
    assert.equal(report.problems[0]!.path, 'segment 17 (end of file)');
  });

  it('refuses non-X12 input at segment 1', async () => {
    const error = await firstProblem('broken-not-x12.json');
    assert.equal(error.details[0]!.path, 'segment 1 (?)');
    assert.match(
      error.details[0]!.message,
      /not X12: expected an ISA interchange header, found "\{"orders":\[\{"/,
    );
  });

  it('refuses binary input', async () => {
    const report = await validateX12([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
    ]);
    assert.equal(report.valid, false);
    assert.match(report.problems[0]!.message, /^not X12/);
  });

  it('refuses an alphanumeric element separator as an unknown delimiter', async () => {
    const error = await firstProblem('broken-unknown-delimiter.edi');
    assert.deepEqual(error.details, [
      { path: 'segment 1 (ISA)', message: 'unknown element separator "A" at ISA position 3' },
    ]);
  });

  it('refuses a terminator equal to the element separator', async () => {
    const isa =
      'ISA*00*          *00*          *ZZ*A              *ZZ*B              *261120*1030*U*00401*000000001*0*P*>*';
    const report = await validateX12([isa]);
    assert.deepEqual(report.problems, [
      { path: 'segment 1 (ISA)', message: 'unknown segment terminator "*" after ISA16' },
    ]);
  });

  it('reports a segment outside a transaction set and an empty input', async () => {
    const report = await validateX12(createReadStream(fixture('broken-segment-outside-transaction.edi')));
    assert.deepEqual(report.problems, [
      { path: 'segment 2 (BSN)', message: 'segment BSN is outside a functional group (GS..GE)' },
    ]);
    const empty = await validateX12(['  \n']);
    assert.deepEqual(empty.problems, [
      { path: 'segment 1 (end of file)', message: 'empty input: no ISA interchange header' },
    ]);
  });

  it('reports ISA fields of the wrong width', async () => {
    const text = readFileSync(fixture('846-inventory.edi'), 'utf8').replace('ACMESUPPLY     ', 'ACMESUPPLY');
    const report = await validateX12([text]);
    assert.deepEqual(report.problems, [
      { path: 'segment 1 (ISA)', message: 'ISA06 is 10 characters; it must be 15' },
    ]);
  });

  it('refuses a transaction set larger than the bound without keeping it', async () => {
    const text = readFileSync(fixture('856-pipe-newline.x12'), 'utf8');
    const report = await validateX12([text], { maxTransactionChars: 200 });
    assert.deepEqual(
      report.problems.map((p) => p.path),
      ['segment 3 (ST)'],
    );
    assert.match(
      report.problems[0]!.message,
      /transaction set 0001 is larger than the limit of 200 characters/,
    );
    assert.equal(report.transactions, 1, 'the smaller second set is still read');
  });

  it('stops at a segment without a terminator longer than the bound', async () => {
    const isa =
      'ISA*00*          *00*          *ZZ*A              *ZZ*B              *261120*1030*U*00401*000000001*0*P*>~';
    const report = await validateX12([isa, 'GS*PO*A*B*20261120*1030*1*X*004010', 'X'.repeat(300)], {
      maxTransactionChars: 256,
    });
    assert.equal(report.problems.length, 1);
    assert.equal(report.problems[0]!.path, 'segment 2 (GS)');
    assert.match(report.problems[0]!.message, /no segment terminator "~" within 256 characters/);
  });

  it('summarises each functional group for the 997, with the syntax error codes', async () => {
    const receipts: X12GroupReceipt[] = [];
    for await (const event of readX12Events(createReadStream(fixture('broken-control-numbers.edi')))) {
      if (event.kind === 'group') receipts.push(event.receipt);
    }
    assert.equal(receipts.length, 1);
    assert.equal(receipts[0]!.group.functionalId, 'SH');
    assert.deepEqual(receipts[0]!.transactions, [
      { setId: '856', controlNumber: '0001', accepted: false, errors: ['3'] },
    ]);
    assert.deepEqual(receipts[0]!.errors, ['4']);
  });
});
