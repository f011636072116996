import { XMLParser } from 'fast-xml-parser';
import { DropshipError, errorText } from '../../core/errors';

/** Far above any real cXML order or notice; a bigger body is refused before parsing. */
const MAX_XML_CHARS = 5 * 1024 * 1024;
const PREDEFINED_ENTITY = /&(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6});/y;

function refused(what: string, reason: string): DropshipError {
  return new DropshipError('invalid_input', `${what} refused: ${reason}`, [{ path: '', message: reason }]);
}

/**
 * Checks untrusted XML before any parser sees it. cXML needs exactly one DOCTYPE form, the external DTD
 * reference (`<!DOCTYPE cXML SYSTEM "...cXML.dtd">`), which is never fetched. Refused: an internal subset
 * (`[...]`, where entities are declared), any `<!ENTITY` (internal, external or parameter: the billion-laughs
 * bomb and XXE both need one), and references to entities other than the five XML predefines and character
 * references. A parser's own limits are then a second line, not the first.
 */
export function assertSafeXml(xml: string, what: string): void {
  if (xml.length > MAX_XML_CHARS)
    throw refused(what, `the document is larger than ${MAX_XML_CHARS} characters`);
  if (/<!ENTITY/i.test(xml)) throw refused(what, 'entity declarations (<!ENTITY) are not accepted');
  const doctype = /<!DOCTYPE\b/i.exec(xml);
  if (doctype) {
    if (/<!DOCTYPE\b/i.test(xml.slice(doctype.index + 9))) throw refused(what, 'more than one DOCTYPE');
    const end = xml.indexOf('>', doctype.index);
    const declaration = end < 0 ? xml.slice(doctype.index) : xml.slice(doctype.index, end + 1);
    if (declaration.includes('[')) {
      throw refused(what, 'a DOCTYPE internal subset ([...]) is not accepted: it can declare entities');
    }
    if (!/^<!DOCTYPE\s+cXML\s+SYSTEM\s+"[^"<>[\]]*"\s*>$/.test(declaration)) {
      throw refused(what, 'only <!DOCTYPE cXML SYSTEM "...cXML.dtd"> is accepted as a DOCTYPE');
    }
  }
  // Text inside CDATA sections is literal; "&" there is not a reference.
  const markup = xml.includes('<![CDATA[') ? xml.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '') : xml;
  for (let at = markup.indexOf('&'); at >= 0; at = markup.indexOf('&', at + 1)) {
    PREDEFINED_ENTITY.lastIndex = at;
    if (!PREDEFINED_ENTITY.test(markup)) {
      const name = /^&[^;\s]{0,40};?/.exec(markup.slice(at))?.[0] ?? '&';
      throw refused(what, `reference to an undeclared or external entity "${name}"`);
    }
  }
}

/** Elements that repeat in the cXML documents we read, always parsed as arrays. */
const REPEATED = new Set([
  'Credential',
  'ItemOut',
  'ConfirmationItem',
  'ConfirmationStatus',
  'ShipControl',
  'CarrierIdentifier',
  'ShipmentIdentifier',
  'ShipNoticePortion',
  'ShipNoticeItem',
  'Street',
  'DeliverTo',
  'Extrinsic',
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  // Identities like "0123" and amounts stay text: the caller decides what is a number.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
  isArray: (name) => REPEATED.has(name),
});

export type XmlNode = Record<string, unknown>;

/** Parses untrusted XML after `assertSafeXml`; malformed XML is an invalid_input error too. */
export function parseUntrustedXml(xml: string, what: string): XmlNode {
  assertSafeXml(xml, what);
  try {
    return parser.parse(xml, true) as XmlNode;
  } catch (err) {
    const reason = errorText(err);
    throw refused(what, `not well-formed XML (${reason.split('\n')[0]})`);
  }
}

/** Child element `name` of a parsed node, as an object (text-only elements become `{ '#text': ... }`). */
export function child(node: unknown, name: string): XmlNode | undefined {
  if (node === null || typeof node !== 'object') return undefined;
  const value = (node as XmlNode)[name];
  const first = Array.isArray(value) ? (value[0] as unknown) : value;
  if (first === undefined || first === null) return undefined;
  if (typeof first === 'object') return first as XmlNode;
  return { '#text': typeof first === 'string' ? first : JSON.stringify(first) };
}

export function children(node: unknown, name: string): XmlNode[] {
  if (node === null || typeof node !== 'object') return [];
  const value = (node as XmlNode)[name];
  const list = Array.isArray(value) ? (value as unknown[]) : value === undefined ? [] : [value];
  return list.map((item) =>
    item !== null && typeof item === 'object' ? (item as XmlNode) : { '#text': String(item) },
  );
}

export function text(node: XmlNode | undefined): string | undefined {
  if (!node) return undefined;
  const value = node['#text'];
  return typeof value === 'string' ? value : undefined;
}

export function attribute(node: XmlNode | undefined, name: string): string | undefined {
  const value = node?.[`@${name}`];
  return typeof value === 'string' ? value : undefined;
}
