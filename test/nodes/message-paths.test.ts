import assert from 'node:assert/strict';
import { util } from '@node-red/util';
import { DropshipError } from '../../core/errors';
import { requiredMessageString } from '../../nodes/adapter/input-handler';
import type { NodeAPI } from '../../nodes/adapter/node-red';

/** Node-RED's own util, as the runtime hands it to the nodes in RED.util. */
const RED = { util } as unknown as Pick<NodeAPI, 'util'>;

describe('ids read from message properties', () => {
  it('takes the first property that holds a non-empty string, with paths as the editor writes them', () => {
    assert.equal(
      requiredMessageString(RED, { _msgid: 'm', orderId: 'ord_1' }, 'orderId', 'payload.id'),
      'ord_1',
    );
    assert.equal(
      requiredMessageString(
        RED,
        { _msgid: 'm', orderId: '', payload: { id: 'ord_2' } },
        'orderId',
        'payload.id',
      ),
      'ord_2',
    );
    assert.equal(
      requiredMessageString(
        RED,
        { _msgid: 'm', payload: { lines: [{ 'po no': 'PO-9' }] } },
        'payload.lines[0]["po no"]',
      ),
      'PO-9',
    );
  });

  it('names the first property when none holds one', () => {
    for (const msg of [
      { _msgid: 'm' },
      { _msgid: 'm', orderId: 42, payload: { id: '' } },
      { _msgid: 'm', payload: 'x' },
    ])
      assert.throws(
        () => requiredMessageString(RED, msg, 'orderId', 'payload.id'),
        (err: unknown) =>
          err instanceof DropshipError &&
          err.code === 'invalid_input' &&
          err.details[0]?.path === 'msg.orderId' &&
          err.details[0]?.message === 'is required (a non-empty string)',
      );
  });
});
