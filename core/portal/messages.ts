/**
 * The words of the supplier portal and its e-mails, per locale. A supplier's language setting picks one; a locale
 * missing here falls back to en-US. A new language is one more entry of `PORTAL_LOCALES` with every key.
 */
const EN_US = {
  'portal.title': 'Supplier portal',
  'signIn.title': 'Sign in',
  'signIn.intro':
    'Enter the e-mail address the shop sends your purchase orders to. We will e-mail you a code.',
  'signIn.email': 'E-mail address',
  'signIn.send': 'E-mail me a code',
  'signIn.codeSent':
    'If the address belongs to a supplier of this shop, a code is on its way. It works for {minutes} minutes.',
  'signIn.code': 'Code',
  'signIn.verify': 'Sign in',
  'signIn.badCode': 'That code is not right or has expired. Ask for a new one.',
  'signIn.tooMany': 'Too many attempts. Please wait a few minutes and try again.',
  'signIn.badLink': 'This sign-in link is not valid. Ask for a code instead.',
  'signIn.expiredLink': 'This sign-in link has expired. Ask for a code instead.',
  'signIn.signedOut': 'You are signed out.',
  signOut: 'Sign out',
  'form.replayed': 'This form was already sent or has expired. Please check the page and try again.',
  'nav.orders': 'Orders',
  'nav.stock': 'Stock',
  'nav.scorecard': 'Scorecard',
  actingFor: 'Operator {actor}',
  'orders.title': 'Open purchase orders',
  'orders.search': 'Search PO, order or SKU',
  'orders.searchButton': 'Search',
  'orders.none': 'No purchase orders here.',
  'orders.po': 'PO',
  'orders.placed': 'Placed',
  'orders.dueBy': 'Ship by',
  'orders.state': 'State',
  'orders.lines': 'Lines',
  'orders.notFound': 'There is no such purchase order among yours.',
  'po.title': 'Purchase order {poNumber}',
  'po.order': 'Order {orderNumber}',
  'po.shipTo': 'Ship to',
  'po.lines': 'Lines',
  'po.sku': 'SKU',
  'po.item': 'Item',
  'po.quantity': 'Qty',
  'po.yourSku': 'Your SKU',
  'po.acceptAll': 'Accept all',
  'po.answerLines': 'Answer line by line',
  'po.lineAccept': 'Accept',
  'po.lineBackorder': 'Backorder',
  'po.lineReject': 'Reject',
  'po.backorderDate': 'Ships on',
  'po.rejectReason': 'Reason',
  'po.sendAnswer': 'Send answer',
  'po.answered': 'Your answer was sent to the shop.',
  'po.packingSlip': 'Packing slip',
  'po.notAllowed': 'The shop does not allow this action here.',
  'po.cancelRequested': 'The shop asks you to cancel this purchase order: {reason}',
  'po.confirmCancel': 'Confirm cancellation',
  'po.cancelConfirmed': 'Cancellation confirmed.',
  'ship.title': 'Ship',
  'ship.parcel': 'Parcel {n}',
  'ship.tracking': 'Tracking number',
  'ship.carrier': 'Carrier',
  'ship.carrierAuto': 'Detect from the number',
  'ship.addParcel': 'Add a parcel',
  'ship.send': 'Report shipment',
  'ship.sent': 'The shipment was reported to the shop.',
  'ship.nothing': 'Enter a tracking number and the quantity in it for at least one parcel.',
  'ship.tooMany': 'Parcels hold more of {sku} than the purchase order has ({quantity}).',
  'stock.title': 'Your stock',
  'stock.upload': 'Upload a CSV file (columns sku and quantity)',
  'stock.paste': 'Or paste the CSV here',
  'stock.uploadButton': 'Upload stock',
  'stock.table': 'Edit quantities',
  'stock.save': 'Save quantities',
  'stock.saved': 'Stock saved: {count} SKU(s).',
  'stock.problems': 'Lines not read: {problems}',
  'stock.none': 'No stock recorded yet: upload a CSV.',
  'scorecard.title': 'Your scorecard, last {days} days',
  'scorecard.none': 'Not enough purchase orders yet for figures.',
  'scorecard.purchaseOrders': 'Purchase orders',
  'scorecard.acceptance': 'Accepted',
  'scorecard.onTime': 'Shipped on time',
  'scorecard.cancellation': 'Cancelled',
  'scorecard.trackingLatency': 'Median hours to tracking',
  'state.sent': 'Waiting for your answer',
  'state.accepted': 'Accepted',
  'state.backordered': 'Backordered',
  'state.shipped': 'Shipped',
  'state.delivered': 'Delivered',
  'state.cancelled': 'Cancelled',
  'state.rejected': 'Rejected',
  'slip.title': 'Packing slip',
  'slip.print': 'Print',
  'error.notFound': 'Page not found.',
  'error.signIn': 'Please sign in.',
  'error.invalid': 'Please check the form: {problem}',
  'error.internal': 'Something went wrong. Please try again.',
  'mail.subject': 'Purchase order {poNumber} is waiting in the supplier portal',
  'mail.body':
    'Hello,\n\nPurchase order {poNumber} ({lineCount} line(s)) is waiting for you in our supplier portal:\n\n{lines}\n\nPlease accept it and report the tracking numbers there:\n\n{link}\n\nThe link works until {expires}. You can also sign in with a code sent to this address at {portal}.',
  'mail.cancelSubject': 'Please CANCEL purchase order {poNumber}',
  'mail.cancelBody':
    'Hello,\n\nPlease CANCEL purchase order {poNumber} and do not ship it. Reason: {reason}\n\nConfirm it in the supplier portal:\n\n{link}',
  'mail.codeSubject': 'Your supplier portal code',
  'mail.codeBody': 'Your code for the supplier portal is {code}. It works for {minutes} minutes.',
} as const;

export type PortalMessageKey = keyof typeof EN_US;
export type PortalMessages = Record<PortalMessageKey, string>;

export const PORTAL_LOCALES: Record<string, PortalMessages> = { 'en-US': EN_US };
export const DEFAULT_PORTAL_LOCALE = 'en-US';

/** The words of a locale with `{name}` filled from `values`: a missing locale falls back to en-US. */
export function portalTranslator(
  locale: string | undefined,
): (key: PortalMessageKey, values?: Record<string, string | number>) => string {
  const messages = PORTAL_LOCALES[locale ?? ''] ?? EN_US;
  return (key, values = {}) =>
    messages[key].replace(/\{(\w+)\}/g, (match, name: string) =>
      values[name] === undefined ? match : String(values[name]),
    );
}

export type PortalTranslate = ReturnType<typeof portalTranslator>;
