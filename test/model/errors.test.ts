import assert from 'node:assert/strict';
import { asDropshipError, DropshipError, errorText } from '../../core/errors';

describe('error text and DropshipError from anything thrown', () => {
  it("reads an Error's message, and anything else as text", () => {
    assert.equal(errorText(new TypeError('socket hang up')), 'socket hang up');
    assert.equal(errorText('plain words'), 'plain words');
    assert.equal(errorText(42), '42');
    assert.equal(errorText(undefined), 'undefined');
  });

  it('wraps a foreign error with its message and keeps it as the cause; a DropshipError passes as it is', () => {
    const cause = new RangeError('out of range');
    const wrapped = asDropshipError(cause, 'supplier_transient');
    assert.deepEqual(
      [wrapped.code, wrapped.message, wrapped.cause],
      ['supplier_transient', 'out of range', cause],
    );
    const own = new DropshipError('conflict', 'changed meanwhile');
    assert.equal(asDropshipError(own), own);
  });
});
