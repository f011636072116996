import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import {
  renderTemplate,
  TEMPLATE_FIELDS,
  templateProblems,
  templateScope,
} from '../../connectors/suppliers/rest-json/request-template';
import { restJsonConnector } from '../../connectors/suppliers/rest-json/rest-json';
import { sampleDispatchRequest } from './support/dispatch-request';

const goodTemplate = {
  ref: '{{po.number}}',
  note: 'Order {{order.reference}} for {{shipTo.name}}',
  company: '{{shipTo.company}}',
  lines: {
    $each: 'lines',
    $item: { sku: '{{line.sku}}', qty: '{{line.quantity}}', cost: '{{line.unitCost}}' },
  },
};

describe('rest-json request templates: the fields they may name', () => {
  it('every field of the list is in the scope a send renders, and the scope has no field the list lacks', () => {
    const scope = templateScope(sampleDispatchRequest(), 'acme');
    const names = (value: Record<string, unknown>, prefix: string): string[] =>
      Object.keys(value).map((key) => `${prefix}${key}`);
    const line = (scope.lines as Record<string, unknown>[])[0]!;
    const inScope = [
      ...['po', 'order', 'shipTo', 'supplier'].flatMap((group) =>
        names(scope[group] as Record<string, unknown>, `${group}.`),
      ),
      'lines',
      ...names(line, 'line.'),
    ].sort();
    assert.deepEqual(inScope, Object.keys(TEMPLATE_FIELDS).sort());
  });

  it('finds a misspelt field, line.* outside $each, $each over no list, and line.supplierSku', () => {
    assert.deepEqual(templateProblems(goodTemplate), []);
    assert.deepEqual(
      templateProblems({
        ref: '{{po.numbr}}',
        top: '{{line.sku}}',
        items: { $each: 'order', $item: { sku: '{{line.supplierSku}}', n: 'x{{ line.quantity }}' } },
      }),
      [
        { path: '/requestTemplate/ref', message: '{{po.numbr}} is not a known field' },
        { path: '/requestTemplate/top', message: '{{line.sku}} is not a known field outside "$each"' },
        { path: '/requestTemplate/items/$each', message: '"order" is not a list: $each takes "lines"' },
        {
          path: '/requestTemplate/items/$item/sku',
          message:
            "{{line.supplierSku}} is empty for lines the supplier catalogue does not map: use {{line.sku}} (the supplier's SKU where the catalogue has one, else the shop's)",
        },
      ],
    );
    assert.deepEqual(
      restJsonConnector.settingsProblems!({ url: 'https://x.example', requestTemplate: goodTemplate }),
      [],
    );
  });

  it('keeps the key of an absent optional value as null instead of dropping it', () => {
    const request = sampleDispatchRequest();
    request.purchaseOrder.shipTo = { ...request.purchaseOrder.shipTo, company: undefined };
    request.purchaseOrder.lines = request.purchaseOrder.lines.map((l) => ({ ...l, unitCost: undefined }));
    const body = renderTemplate(goodTemplate, templateScope(request, 'acme')) as {
      company: unknown;
      lines: { cost: unknown }[];
    };
    assert.ok('company' in body);
    assert.equal(body.company, null);
    assert.equal(body.lines[0]!.cost, null);
    assert.match(JSON.stringify(body), /"company":null/);
  });

  it('the editor form refuses the same templates, naming the field (resources/dropship-editor.js)', () => {
    const page: {
      DropshipEditor?: {
        settingsForm: (t: (key: string, o?: Record<string, unknown>) => string) => {
          problems(schema: unknown, settings: unknown): string[];
        };
      };
    } = {};
    vm.runInNewContext(
      readFileSync(path.join(__dirname, '..', '..', 'resources', 'dropship-editor.js'), 'utf8'),
      page,
    );
    const form = page.DropshipEditor!.settingsForm((key, o) => `${key} ${JSON.stringify(o ?? {})}`);
    // The schema as the editor gets it: through JSON, from GET /dropship/connectors.
    const schema: unknown = JSON.parse(JSON.stringify(restJsonConnector.settingsSchema));
    // Through JSON again: the editor's arrays belong to its own realm.
    const problems = (requestTemplate: unknown): string[] =>
      JSON.parse(
        JSON.stringify(form.problems(schema, { url: 'https://supplier.example/orders', requestTemplate })),
      ) as string[];
    assert.deepEqual(problems(goodTemplate), []);
    const [misspelt] = problems({ ref: '{{po.numbr}}' });
    assert.match(misspelt!, /^errors\.settingTemplateField /);
    assert.deepEqual(JSON.parse(misspelt!.slice(misspelt!.indexOf(' ') + 1)), {
      field: 'Request body template (JSON)',
      name: 'po.numbr',
      at: '/ref',
    });
    assert.match(
      problems({ l: { $each: 'lines', $item: { s: '{{line.supplierSku}}' } } })[0]!,
      /settingTemplateCatalogue/,
    );
    assert.match(problems({ s: '{{line.sku}}' })[0]!, /settingTemplateField .*"name":"line.sku"/);
  });
});
