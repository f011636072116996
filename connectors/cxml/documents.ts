import { createHash, randomUUID } from 'node:crypto';
import { XMLBuilder } from 'fast-xml-parser';
import type { DispatchRequest } from '../../core/ports/supplier-connector';
import { attribute, child, parseUntrustedXml, text, type XmlNode } from './safe-xml';

/** The cXML DTD version we write against; the DOCTYPE names it and receivers validate with it. */
export const CXML_VERSION = '1.2.063';
export const CXML_DOCTYPE = `<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/${CXML_VERSION}/cXML.dtd">`;

export interface CxmlCredential {
  /** e.g. "NetworkID", "DUNS", "AribaNetworkUserId". */
  domain: string;
  identity: string;
}

export interface CxmlParties {
  from: CxmlCredential;
  to: CxmlCredential;
  sender: CxmlCredential;
  userAgent?: string;
}

export interface CxmlBillTo {
  name: string;
  street: string;
  city: string;
  state?: string;
  postalCode?: string;
  country: string;
}

export interface OrderRequestOptions extends CxmlParties {
  sharedSecret: string;
  deploymentMode?: 'production' | 'test';
  /** Host part of payloadIDs. */
  payloadDomain: string;
  /** cXML requires one; the billing party is us, the drop-shipper, never the consumer. */
  billTo: CxmlBillTo;
  /** ItemDetail requires a Classification; suppliers that ignore it accept a placeholder. */
  classificationDomain?: string;
  classificationCode?: string;
}

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  format: true,
  indentBy: '  ',
  suppressEmptyNode: true,
  processEntities: true,
});

/** cXML timestamps are ISO 8601 with an offset and without fractions: 2026-11-21T08:00:00+00:00. */
export function cxmlTimestamp(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/**
 * A payloadID that is the same for the same PO: a resend carries the same payloadID and orderID, which is what
 * receivers use to spot a duplicate.
 */
export function orderPayloadId(poNumber: string, payloadDomain: string): string {
  const digest = createHash('sha256').update(poNumber).digest('hex').slice(0, 12);
  return `${poNumber}.${digest}@${payloadDomain}`;
}

/** A fresh payloadID for documents that are not resent as such (our Responses): time, random, domain. */
export function newPayloadId(now: Date, payloadDomain: string): string {
  return `${now.getTime()}.${randomUUID()}@${payloadDomain}`;
}

export function serializeCxml(root: XmlNode): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${CXML_DOCTYPE}\n${builder.build(root)}`;
}

function credential(c: CxmlCredential, secret?: string): XmlNode {
  return {
    Credential: { '@domain': c.domain, Identity: c.identity, ...(secret ? { SharedSecret: secret } : {}) },
  };
}

export function cxmlHeader(parties: CxmlParties, sharedSecret?: string): XmlNode {
  return {
    From: credential(parties.from),
    To: credential(parties.to),
    Sender: {
      ...credential(parties.sender, sharedSecret),
      UserAgent: parties.userAgent ?? 'node-red-contrib-dropship',
    },
  };
}

const money = (amount: number, currency: string): XmlNode => ({
  Money: { '@currency': currency, '#text': amount.toFixed(2) },
});

/**
 * A later OrderRequest about a PO already sent: `delete` withdraws it, `update` replaces it with its lines as they
 * now stand (cXML's update carries the whole order again). `id` names the update, so each has its own stable
 * payloadID and a resend of the same one is recognisable.
 */
export interface OrderRevision {
  type: 'delete' | 'update';
  reason: string;
  id?: string;
}

/**
 * The OrderRequest of one PO: the consumer as ShipTo, our company as BillTo, one ItemOut per line. A revision
 * (`OrderRequestHeader type="delete"` or `"update"`) keeps the orderID, refers to the original OrderRequest's
 * payloadID in a DocumentReference and has its own payloadID, as stable as the original's.
 */
export function buildOrderRequest(
  { purchaseOrder: po, order }: DispatchRequest,
  options: OrderRequestOptions,
  now: Date,
  revision?: OrderRevision,
): string {
  const cancel = revision?.type === 'delete' ? revision : undefined;
  const to = po.shipTo;
  const total = po.lines.reduce((sum, line) => sum + (line.unitCost ?? 0) * line.quantity, 0);
  const street = [to.line1, ...(to.line2 ? [to.line2] : [])];
  const method = po.shippingMethod ?? order.shipping.method;
  return serializeCxml({
    cXML: {
      '@payloadID': orderPayloadId(
        revision
          ? `${po.number}-${revision.type === 'delete' ? 'delete' : (revision.id ?? 'update')}`
          : po.number,
        options.payloadDomain,
      ),
      '@timestamp': cxmlTimestamp(now),
      '@xml:lang': 'en-US',
      Header: cxmlHeader(options, options.sharedSecret),
      Request: {
        '@deploymentMode': options.deploymentMode ?? 'production',
        OrderRequest: {
          OrderRequestHeader: {
            '@orderID': po.number,
            '@orderDate': cxmlTimestamp(new Date(po.createdAt)),
            '@type': revision?.type ?? 'new',
            '@orderType': 'regular',
            Total: money(total, po.currency),
            ShipTo: {
              Address: {
                '@isoCountryCode': to.country,
                Name: { '@xml:lang': 'en', '#text': to.company ?? to.name ?? '' },
                PostalAddress: {
                  DeliverTo: [to.name, ...(to.company && to.name ? [to.company] : [])].filter(Boolean),
                  Street: street,
                  City: to.city,
                  State: to.region,
                  PostalCode: to.postalCode,
                  Country: { '@isoCountryCode': to.country, '#text': to.country },
                },
                // The carrier needs a phone for the consumer; e-mail is not given to suppliers.
                Phone: to.phone
                  ? {
                      '@name': 'work',
                      TelephoneNumber: {
                        CountryCode: { '@isoCountryCode': to.country, '#text': '' },
                        AreaOrCityCode: '',
                        Number: to.phone,
                      },
                    }
                  : undefined,
              },
            },
            BillTo: {
              Address: {
                '@isoCountryCode': options.billTo.country,
                Name: { '@xml:lang': 'en', '#text': options.billTo.name },
                PostalAddress: {
                  Street: [options.billTo.street],
                  City: options.billTo.city,
                  State: options.billTo.state,
                  PostalCode: options.billTo.postalCode,
                  Country: { '@isoCountryCode': options.billTo.country, '#text': options.billTo.country },
                },
              },
            },
            Shipping: method
              ? { ...money(0, po.currency), Description: { '@xml:lang': 'en', '#text': method } }
              : undefined,
            Comments: {
              '@xml:lang': 'en',
              '#text': cancel
                ? `CANCEL purchase order ${po.number}: ${cancel.reason}`
                : revision
                  ? `CHANGE purchase order ${po.number}: ${revision.reason}`
                  : `Drop ship. Order reference ${order.orderNumber ?? order.externalId}`,
            },
            DocumentReference: revision
              ? { '@payloadID': orderPayloadId(po.number, options.payloadDomain) }
              : undefined,
          },
          ItemOut: po.lines.map((line, i) => ({
            '@quantity': String(line.quantity),
            '@lineNumber': String(i + 1),
            ItemID: { SupplierPartID: line.supplierSku ?? line.sku, BuyerPartID: line.sku },
            ItemDetail: {
              UnitPrice: money(line.unitCost ?? 0, po.currency),
              Description: { '@xml:lang': 'en', '#text': line.title ?? line.sku },
              UnitOfMeasure: 'EA',
              Classification: {
                '@domain': options.classificationDomain ?? 'UNSPSC',
                '#text': options.classificationCode ?? '00000000',
              },
            },
          })),
        },
      },
    },
  });
}

/**
 * A ProfileRequest: the request every cXML server must answer (cXML User's Guide, "Profile Transaction") and
 * that changes nothing, so it shows whether the endpoint and the shared secret work.
 */
export function buildProfileRequest(
  options: CxmlParties & { sharedSecret: string; payloadDomain: string; deploymentMode?: string },
  now: Date,
): string {
  return serializeCxml({
    cXML: {
      '@payloadID': newPayloadId(now, options.payloadDomain),
      '@timestamp': cxmlTimestamp(now),
      '@xml:lang': 'en-US',
      Header: cxmlHeader(options, options.sharedSecret),
      Request: { '@deploymentMode': options.deploymentMode ?? 'production', ProfileRequest: '' },
    },
  });
}

/** The synchronous answer of a cXML server: `<Response><Status code=".." text="..">`. */
export interface CxmlStatus {
  code: number;
  text: string;
  message?: string;
  payloadId?: string;
}

export function parseCxmlResponse(xml: string): CxmlStatus {
  const root = child(parseUntrustedXml(xml, 'cXML response'), 'cXML');
  const status = child(child(root, 'Response'), 'Status');
  const code = Number(attribute(status, 'code'));
  if (!status || !Number.isInteger(code)) {
    throw new Error('the reply is not a cXML Response with a Status code');
  }
  return {
    code,
    text: attribute(status, 'text') ?? '',
    message: text(status),
    payloadId: attribute(root, 'payloadID'),
  };
}

/** A cXML Response, for answering a supplier's ConfirmationRequest or ShipNoticeRequest. */
export function buildCxmlResponse(
  code: number,
  statusText: string,
  payloadId: string,
  now: Date,
  message?: string,
): string {
  return serializeCxml({
    cXML: {
      '@payloadID': payloadId,
      '@timestamp': cxmlTimestamp(now),
      Response: {
        Status: { '@code': String(code), '@text': statusText, ...(message ? { '#text': message } : {}) },
      },
    },
  });
}
