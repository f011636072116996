import assert from 'node:assert/strict';
import { SupplierPermanentError } from '../../core/ports/supplier-connector';
import { restJsonConnector, type RestJsonSettings } from '../../connectors/suppliers/rest-json/rest-json';
import { HttpSupplier, jsonReply } from '../support/http-supplier';
import { connectorContext } from './support/context';
import { sampleDispatchRequest } from './support/dispatch-request';

describe('rest-json connector: what the supplier answers', () => {
  let supplier: HttpSupplier;
  beforeEach(async () => {
    supplier = await new HttpSupplier().start();
  });
  afterEach(async () => supplier.stop());

  const send = (settings: Partial<RestJsonSettings>) =>
    restJsonConnector.sendPurchaseOrder(
      sampleDispatchRequest(),
      connectorContext({ url: supplier.url, timeoutMs: 1000, ...settings }),
    );

  it('maps a configured "already have it" error reply to accepted with the id at its path', async () => {
    supplier.reply(jsonReply(409, { code: 'ORDER_EXISTS', order: { id: 4411 } }));
    const result = await send({
      duplicateAnswer: { httpStatuses: ['409'], referencePath: 'order.id' },
    });
    assert.equal(result.outcome, 'accepted');
    assert.equal(result.supplierReference, '4411');
    assert.match(result.reason!, /already had this purchase order \(HTTP 409\)/);
  });

  it('maps a 200 whose body says "duplicate" when only a body field is configured', async () => {
    supplier.reply(jsonReply(200, { result: 'DUPLICATE', id: 'SO-9' }));
    const result = await send({
      duplicateAnswer: { bodyPath: 'result', bodyValues: ['duplicate'] },
    });
    assert.deepEqual([result.outcome, result.supplierReference], ['accepted', 'SO-9']);
  });

  it('a 409 that does not carry the configured body value is still a refusal', async () => {
    supplier.reply(jsonReply(409, { code: 'LOCKED', message: 'order is being edited' }));
    await assert.rejects(
      send({
        duplicateAnswer: { httpStatuses: ['409'], bodyPath: 'code', bodyValues: ['ORDER_EXISTS'] },
      }),
      (e: unknown) =>
        e instanceof SupplierPermanentError &&
        /HTTP 409: \[LOCKED\] order is being edited/.test(e.message) &&
        e.details.some((d) => d.path === 'code' && d.message === 'LOCKED'),
    );
  });

  it('without the setting a 409 stays a refusal (a 409 does not mean "duplicate" for every API)', async () => {
    supplier.reply(jsonReply(409, { error: 'reference already exists' }));
    await assert.rejects(send({}), SupplierPermanentError);
  });

  it('reads the code of a rejection in a 2xx reply from codePath', async () => {
    supplier.reply(jsonReply(200, { status: 'rejected', reason: 'credit hold', err: { code: 'CREDIT' } }));
    const result = await send({ codePath: 'err.code' });
    assert.deepEqual([result.outcome, result.code, result.reason], ['rejected', 'CREDIT', 'credit hold']);
  });

  it('describes every setting, nested ones too, for the editor form', () => {
    const undescribed: string[] = [];
    const walk = (schema: Record<string, unknown>, at: string): void => {
      for (const [key, prop] of Object.entries(
        (schema.properties ?? {}) as Record<string, Record<string, unknown>>,
      )) {
        if (typeof prop.description !== 'string' || prop.description.length < 10)
          undescribed.push(`${at}${key}`);
        if (prop.properties) walk(prop, `${at}${key}.`);
      }
    };
    walk(restJsonConnector.settingsSchema, '');
    assert.deepEqual(undescribed, []);
  });
});
