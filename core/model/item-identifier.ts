/**
 * One identifier of an item as a trading partner sent it: the qualifier says whose number it is (X12 element
 * 235: BP buyer's part, VP/VN vendor's part, SK stock keeping unit, UP UPC, EN EAN, IN buyer's item, …).
 * Every identifier of a line is kept, so a catalogue can map whichever one the shop does not use as its SKU.
 */
export interface ItemIdentifier {
  qualifier: string;
  id: string;
}
