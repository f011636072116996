import { SHOPIFY_ADMIN_API_VERSION } from '../../connectors/storefronts/shopify-admin';
import { randomBytes } from 'node:crypto';
import { buildSchema, execute, GraphQLError, Kind, parse, validate, type DocumentNode } from 'graphql';
import { startHttpFake, type FakeReply, type HttpFake } from './http-fake';

/**
 * Shopify's GraphQL Admin API for fulfilment, on 127.0.0.1. Queries are parsed, validated and executed by the
 * GraphQL reference implementation against the part of Shopify's published schema fulfilment uses (type, field
 * and argument names as in the Admin API reference), so a misspelt field fails here as it would at Shopify.
 * Answers carry Shopify's cost extension; throttled calls get Shopify's THROTTLED error.
 */
const SCHEMA = buildSchema(`
  directive @idempotent(key: String!) on FIELD
  scalar URL
  scalar Money
  scalar Decimal
  enum CurrencyCode { USD EUR GBP CAD AUD JPY }
  type MoneyV2 { amount: Decimal! currencyCode: CurrencyCode! }
  type MoneyBag { shopMoney: MoneyV2! presentmentMoney: MoneyV2! }
  enum OrderTransactionKind { SALE CAPTURE AUTHORIZATION VOID REFUND CHANGE EMV_AUTHORIZATION SUGGESTED_REFUND }
  enum OrderTransactionStatus { SUCCESS FAILURE PENDING ERROR AWAITING_RESPONSE UNKNOWN }
  type OrderTransaction {
    id: ID!
    kind: OrderTransactionKind!
    status: OrderTransactionStatus!
    gateway: String
    amountSet: MoneyBag!
  }
  type Refund { id: ID! note: String totalRefundedSet: MoneyBag! }
  enum RiskAssessmentResult { HIGH MEDIUM LOW NONE PENDING }
  enum OrderRiskRecommendationResult { ACCEPT INVESTIGATE CANCEL NONE }
  type OrderRiskAssessment { riskLevel: RiskAssessmentResult! }
  type OrderRiskSummary { assessments: [OrderRiskAssessment!]! recommendation: OrderRiskRecommendationResult! }
  enum RefundLineItemRestockType { CANCEL NO_RESTOCK RETURN LEGACY_RESTOCK }
  input RefundLineItemInput { lineItemId: ID! quantity: Int! restockType: RefundLineItemRestockType locationId: ID }
  input ShippingRefundInput { amount: Money fullRefund: Boolean }
  input OrderTransactionInput { amount: Money! gateway: String! kind: OrderTransactionKind! orderId: ID! parentId: ID }
  input RefundInput {
    orderId: ID!
    note: String
    notify: Boolean
    currency: CurrencyCode
    allowOverRefunding: Boolean
    refundLineItems: [RefundLineItemInput!]
    shipping: ShippingRefundInput
    transactions: [OrderTransactionInput!]
  }
  enum FulfillmentOrderStatus { OPEN IN_PROGRESS CANCELLED INCOMPLETE CLOSED SCHEDULED ON_HOLD }
  enum FulfillmentStatus { SUCCESS CANCELLED ERROR FAILURE OPEN PENDING }
  type PageInfo { hasNextPage: Boolean! endCursor: String }
  type Location { id: ID! name: String! }
  type FulfillmentOrderAssignedLocation { name: String location: Location }
  type LineItem { id: ID! sku: String name: String! quantity: Int! }
  type FulfillmentOrderLineItem { id: ID! sku: String totalQuantity: Int! remainingQuantity: Int! lineItem: LineItem! }
  type FulfillmentOrderLineItemConnection { nodes: [FulfillmentOrderLineItem!]! pageInfo: PageInfo! }
  type FulfillmentOrder {
    id: ID!
    status: FulfillmentOrderStatus!
    assignedLocation: FulfillmentOrderAssignedLocation!
    lineItems(first: Int, after: String): FulfillmentOrderLineItemConnection!
  }
  type FulfillmentOrderConnection { nodes: [FulfillmentOrder!]! pageInfo: PageInfo! }
  type FulfillmentTrackingInfo { company: String number: String url: URL }
  type Fulfillment { id: ID! status: FulfillmentStatus! trackingInfo(first: Int): [FulfillmentTrackingInfo!]! }
  type Order {
    id: ID!
    name: String!
    transactions(first: Int): [OrderTransaction!]!
    refunds(first: Int): [Refund!]!
    risk: OrderRiskSummary!
    fulfillments(first: Int): [Fulfillment!]!
    fulfillmentOrders(first: Int, after: String): FulfillmentOrderConnection!
  }
  type UserError { field: [String!] message: String! }
  type RefundCreatePayload { order: Order refund: Refund userErrors: [UserError!]! }
  type FulfillmentCreatePayload { fulfillment: Fulfillment userErrors: [UserError!]! }
  type FulfillmentTrackingInfoUpdatePayload { fulfillment: Fulfillment userErrors: [UserError!]! }
  input FulfillmentTrackingInput { company: String number: String numbers: [String!] url: URL urls: [URL!] }
  input FulfillmentOrderLineItemInput { id: ID! quantity: Int! }
  input FulfillmentOrderLineItemsInput { fulfillmentOrderId: ID! fulfillmentOrderLineItems: [FulfillmentOrderLineItemInput!] }
  input FulfillmentInput {
    lineItemsByFulfillmentOrder: [FulfillmentOrderLineItemsInput!]!
    notifyCustomer: Boolean
    trackingInfo: FulfillmentTrackingInput
  }
  type Query { order(id: ID!): Order }
  type Mutation {
    refundCreate(input: RefundInput!): RefundCreatePayload
    fulfillmentCreate(fulfillment: FulfillmentInput!, message: String): FulfillmentCreatePayload
    fulfillmentTrackingInfoUpdate(
      fulfillmentId: ID!
      trackingInfoInput: FulfillmentTrackingInput!
      notifyCustomer: Boolean
    ): FulfillmentTrackingInfoUpdatePayload
  }
`);

interface StoredLine {
  id: string;
  sku: string;
  total: number;
  remaining: number;
  lineItemId: string;
}

interface StoredFulfillmentOrder {
  id: string;
  status: string;
  locationId: string;
  locationName: string;
  lines: StoredLine[];
}

interface StoredFulfillment {
  id: string;
  tracking: { company?: string; number?: string; url?: string }[];
  notifyCustomer: boolean;
  lines: { id: string; quantity: number }[];
}

interface StoredTransaction {
  id: string;
  kind: 'SALE' | 'REFUND';
  status: 'SUCCESS';
  gateway: string;
  /** Minor units (cents). */
  amount: number;
  parentId?: string;
}

interface StoredRefund {
  id: string;
  note?: string;
  /** Minor units. */
  amount: number;
  lines: { lineItemId: string; quantity: number }[];
  /** The `@idempotent` key it was made under. */
  idempotencyKey?: string;
}

interface StoredOrder {
  id: string;
  name: string;
  currency: string;
  fulfillmentOrders: StoredFulfillmentOrder[];
  fulfillments: StoredFulfillment[];
  transactions: StoredTransaction[];
  refunds: StoredRefund[];
  risk: { levels: string[]; recommendation: string };
}

export interface FakeShopify extends HttpFake {
  accessToken: string;
  apiVersion: string;
  /** Adds an order with one fulfilment order per location; returns its numeric id. */
  addOrder(order: {
    name: string;
    locations: { name: string; lines: { sku: string; quantity: number }[] }[];
    /** A successful SALE transaction of this many cents (the order was paid). */
    paid?: { amount: number; gateway?: string; currency?: string };
    /** The order's risk assessments (RiskAssessmentResult values) and recommendation; none and NONE by default. */
    risk?: { levels: string[]; recommendation: string };
  }): string;
  order(numericId: string): StoredOrder | undefined;
  /**
   * Answers each refundCreate only `ms` after the refund is made (0: at once), so a test can stop the caller
   * after Shopify refunded and before it heard so.
   */
  delayRefundAnswers(ms: number): void;
  /** The next `count` calls are throttled, with the bucket this empty (points available). */
  throttleNext(count: number, currentlyAvailable?: number): void;
}

const BUCKET = { maximumAvailable: 2000, restoreRate: 100 };
const QUERY_COST = 12;

/** Shopify answers a mandatory-idempotency mutation without the directive with this error (API 2026-04 on). */
export const IDEMPOTENCY_REQUIRED = 'The @idempotent directive is required for this mutation.';

/** `refundCreate`'s `@idempotent(key:)` in a document, the key given literally or as a variable. */
function idempotencyKeyOf(document: DocumentNode, variables: Record<string, unknown> | undefined) {
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const selection of definition.selectionSet.selections) {
      if (selection.kind !== Kind.FIELD || selection.name.value !== 'refundCreate') continue;
      const directive = selection.directives?.find((d) => d.name.value === 'idempotent');
      const value = directive?.arguments?.find((a) => a.name.value === 'key')?.value;
      if (!value) return { refundCreate: true, key: undefined };
      if (value.kind === Kind.STRING) return { refundCreate: true, key: value.value };
      if (value.kind === Kind.VARIABLE)
        return { refundCreate: true, key: variables?.[value.name.value] as string };
    }
  }
  return { refundCreate: false, key: undefined };
}

export async function startFakeShopify(apiVersion = SHOPIFY_ADMIN_API_VERSION): Promise<FakeShopify> {
  const accessToken = `shpat_${randomBytes(16).toString('hex')}`;
  const orders = new Map<string, StoredOrder>();
  const throttles: number[] = [];
  let refundAnswerDelayMs = 0;
  let nextId = 450789469;
  const gid = (type: string) => `gid://shopify/${type}/${nextId++}`;

  /** Each fulfilment order's order: the benchmark's thousands of orders made a scan per mutation the fake's main cost. */
  const ordersByFulfillmentOrder = new Map<string, StoredOrder>();
  const findFulfillmentOrder = (id: string) => {
    const order = ordersByFulfillmentOrder.get(id);
    const fo = order?.fulfillmentOrders.find((f) => f.id === id);
    return order && fo ? { order, fo } : undefined;
  };

  /**
   * Each query text parsed and validated once, as graphql() would on every call: the connector sends the same few
   * queries again and again, and parsing and validating them was most of the rest. A query that does not parse
   * or validate keeps its errors, answered as graphql() answers them.
   */
  const documents = new Map<string, { document: DocumentNode } | { errors: readonly GraphQLError[] }>();
  const prepared = (query: string) => {
    let entry = documents.get(query);
    if (!entry) {
      try {
        const document = parse(query);
        const errors = validate(SCHEMA, document);
        entry = errors.length > 0 ? { errors } : { document };
      } catch (error) {
        if (!(error instanceof GraphQLError)) throw error;
        entry = { errors: [error] };
      }
      documents.set(query, entry);
    }
    return entry;
  };

  const present = (fulfillment: StoredFulfillment) => ({
    id: fulfillment.id,
    status: 'SUCCESS',
    trackingInfo: ({ first }: { first?: number }) => fulfillment.tracking.slice(0, first ?? 10),
  });

  /** The `@idempotent` key of the request being executed (set per request; the fake answers one at a time). */
  let idempotencyKey: string | undefined;
  const money = (cents: number, currency: string) => {
    const bag = { amount: (cents / 100).toFixed(2), currencyCode: currency };
    return { shopMoney: bag, presentmentMoney: bag };
  };
  const cents = (amount: unknown) => Math.round(Number(amount) * 100);
  const presentRefund = (order: StoredOrder, refund: StoredRefund) => ({
    id: refund.id,
    note: refund.note ?? null,
    totalRefundedSet: money(refund.amount, order.currency),
  });

  /**
   * Shopify's refundCreate as documented: the lines must exist with quantity left, every REFUND transaction names a
   * successful SALE or CAPTURE of the order as parent, and no parent gives back more than it took. Under an
   * idempotency key already used the first refund is answered and nothing new is made.
   */
  const refundCreate = ({
    input,
  }: {
    input: {
      orderId: string;
      note?: string;
      refundLineItems?: { lineItemId: string; quantity: number }[];
      transactions?: { amount: string; gateway: string; kind: string; orderId: string; parentId?: string }[];
    };
  }) => {
    const order = orders.get(input.orderId);
    if (!order)
      return {
        order: null,
        refund: null,
        userErrors: [{ field: ['orderId'], message: 'Order does not exist' }],
      };
    const earlier = idempotencyKey
      ? order.refunds.find((r) => r.idempotencyKey === idempotencyKey)
      : undefined;
    if (earlier) return { order: null, refund: presentRefund(order, earlier), userErrors: [] };
    const userErrors: { field: string[]; message: string }[] = [];
    const lineItems = order.fulfillmentOrders.flatMap((fo) => fo.lines);
    (input.refundLineItems ?? []).forEach((item, i) => {
      const line = lineItems.find((l) => l.lineItemId === item.lineItemId);
      const refunded = order.refunds
        .flatMap((r) => r.lines)
        .filter((l) => l.lineItemId === item.lineItemId)
        .reduce((sum, l) => sum + l.quantity, 0);
      if (!line)
        userErrors.push({
          field: ['refundLineItems', String(i), 'lineItemId'],
          message: 'Line item does not exist',
        });
      else if (item.quantity <= 0 || item.quantity > line.total - refunded)
        userErrors.push({
          field: ['refundLineItems', String(i), 'quantity'],
          message: 'Quantity cannot refund more items than were purchased',
        });
    });
    (input.transactions ?? []).forEach((transaction, i) => {
      const parent = order.transactions.find((t) => t.id === transaction.parentId);
      const givenBack = order.transactions
        .filter((t) => t.kind === 'REFUND' && t.parentId === transaction.parentId)
        .reduce((sum, t) => sum + t.amount, 0);
      if (transaction.kind !== 'REFUND')
        userErrors.push({ field: ['transactions', String(i), 'kind'], message: 'Kind must be refund' });
      else if (!parent || parent.kind !== 'SALE')
        userErrors.push({
          field: ['transactions', String(i), 'parentId'],
          message: 'Parent transaction does not exist',
        });
      else if (cents(transaction.amount) > parent.amount - givenBack)
        userErrors.push({
          field: ['transactions', String(i), 'amount'],
          message: 'Amount cannot be greater than the refundable amount',
        });
    });
    if (userErrors.length > 0) return { order: null, refund: null, userErrors };
    const refund: StoredRefund = {
      id: gid('Refund'),
      note: input.note,
      amount: (input.transactions ?? []).reduce((sum, t) => sum + cents(t.amount), 0),
      lines: (input.refundLineItems ?? []).map((l) => ({ lineItemId: l.lineItemId, quantity: l.quantity })),
      idempotencyKey,
    };
    for (const transaction of input.transactions ?? [])
      order.transactions.push({
        id: gid('OrderTransaction'),
        kind: 'REFUND',
        status: 'SUCCESS',
        gateway: transaction.gateway,
        amount: cents(transaction.amount),
        parentId: transaction.parentId,
      });
    order.refunds.push(refund);
    return { order: null, refund: presentRefund(order, refund), userErrors: [] };
  };

  const root = {
    refundCreate,
    order: ({ id }: { id: string }) => {
      const order = orders.get(id);
      if (!order) return null;
      return {
        id: order.id,
        name: order.name,
        transactions: ({ first }: { first?: number }) =>
          order.transactions.slice(0, first ?? 100).map((t) => ({
            id: t.id,
            kind: t.kind,
            status: t.status,
            gateway: t.gateway,
            amountSet: money(t.amount, order.currency),
          })),
        refunds: ({ first }: { first?: number }) =>
          order.refunds.slice(0, first ?? 100).map((r) => presentRefund(order, r)),
        risk: {
          recommendation: order.risk.recommendation,
          assessments: order.risk.levels.map((riskLevel) => ({ riskLevel })),
        },
        fulfillments: ({ first }: { first?: number }) =>
          order.fulfillments.slice(0, first ?? 250).map(present),
        fulfillmentOrders: ({ first }: { first?: number }) => ({
          pageInfo: { hasNextPage: order.fulfillmentOrders.length > (first ?? 50), endCursor: null },
          nodes: order.fulfillmentOrders.slice(0, first ?? 50).map((fo) => ({
            id: fo.id,
            status: fo.status,
            assignedLocation: {
              name: fo.locationName,
              location: { id: fo.locationId, name: fo.locationName },
            },
            lineItems: ({ first: lines }: { first?: number }) => ({
              pageInfo: { hasNextPage: false, endCursor: null },
              nodes: fo.lines.slice(0, lines ?? 50).map((line) => ({
                id: line.id,
                sku: line.sku,
                totalQuantity: line.total,
                remainingQuantity: line.remaining,
                lineItem: { id: line.lineItemId, sku: line.sku, name: line.sku, quantity: line.total },
              })),
            }),
          })),
        }),
      };
    },

    fulfillmentCreate: ({
      fulfillment,
    }: {
      fulfillment: {
        lineItemsByFulfillmentOrder: {
          fulfillmentOrderId: string;
          fulfillmentOrderLineItems?: { id: string; quantity: number }[];
        }[];
        notifyCustomer?: boolean;
        trackingInfo?: { company?: string; number?: string; url?: string };
      };
    }) => {
      const userErrors: { field: string[]; message: string }[] = [];
      const targets = fulfillment.lineItemsByFulfillmentOrder.map((entry, i) => {
        const found = findFulfillmentOrder(entry.fulfillmentOrderId);
        if (!found) {
          userErrors.push({
            field: ['fulfillment', 'lineItemsByFulfillmentOrder', String(i)],
            message: 'Fulfillment order does not exist.',
          });
        } else if (!['OPEN', 'IN_PROGRESS'].includes(found.fo.status)) {
          userErrors.push({
            field: ['fulfillment', 'lineItemsByFulfillmentOrder', String(i)],
            message: `Fulfillment order ${entry.fulfillmentOrderId} has an unfulfillable status= ${found.fo.status.toLowerCase()}.`,
          });
        }
        return { entry, found };
      });
      if (new Set(targets.map((t) => t.found?.fo.locationId)).size > 1) {
        userErrors.push({
          field: ['fulfillment'],
          message: 'All fulfillment orders must be assigned to the same location.',
        });
      }
      const take: { line: StoredLine; quantity: number }[] = [];
      targets.forEach(({ entry, found }, i) => {
        if (!found) return;
        const requested =
          entry.fulfillmentOrderLineItems ?? found.fo.lines.map((l) => ({ id: l.id, quantity: l.remaining }));
        requested.forEach((item, j) => {
          const line = found.fo.lines.find((l) => l.id === item.id);
          if (!line || item.quantity <= 0 || item.quantity > line.remaining) {
            userErrors.push({
              field: [
                'fulfillment',
                'lineItemsByFulfillmentOrder',
                String(i),
                'fulfillmentOrderLineItems',
                String(j),
                'quantity',
              ],
              message: 'Invalid fulfillment order line item quantity requested.',
            });
          } else take.push({ line, quantity: item.quantity });
        });
      });
      if (userErrors.length > 0) return { fulfillment: null, userErrors };
      for (const { line, quantity } of take) line.remaining -= quantity;
      for (const { found } of targets) {
        if (found && found.fo.lines.every((l) => l.remaining === 0)) found.fo.status = 'CLOSED';
        else if (found) found.fo.status = 'IN_PROGRESS';
      }
      const stored: StoredFulfillment = {
        id: gid('Fulfillment'),
        tracking: fulfillment.trackingInfo ? [fulfillment.trackingInfo] : [],
        notifyCustomer: fulfillment.notifyCustomer ?? false,
        lines: take.map(({ line, quantity }) => ({ id: line.id, quantity })),
      };
      targets[0]!.found!.order.fulfillments.push(stored);
      return { fulfillment: present(stored), userErrors: [] };
    },

    fulfillmentTrackingInfoUpdate: ({
      fulfillmentId,
      trackingInfoInput,
    }: {
      fulfillmentId: string;
      trackingInfoInput: { company?: string; number?: string; url?: string };
    }) => {
      for (const order of orders.values()) {
        const fulfillment = order.fulfillments.find((f) => f.id === fulfillmentId);
        if (fulfillment) {
          fulfillment.tracking = [trackingInfoInput];
          return { fulfillment: present(fulfillment), userErrors: [] };
        }
      }
      return {
        fulfillment: null,
        userErrors: [{ field: ['fulfillmentId'], message: 'Fulfillment does not exist.' }],
      };
    },
  };

  const costExtension = (currentlyAvailable: number) => ({
    cost: {
      requestedQueryCost: QUERY_COST,
      actualQueryCost: currentlyAvailable < QUERY_COST ? null : QUERY_COST,
      throttleStatus: { ...BUCKET, currentlyAvailable },
    },
  });

  const fake = await startHttpFake(async (request): Promise<FakeReply> => {
    if (request.method !== 'POST' || request.path !== `/admin/api/${apiVersion}/graphql.json`) {
      return { status: 404, body: { errors: 'Not Found' } };
    }
    if (request.headers['x-shopify-access-token'] !== accessToken) {
      return {
        status: 401,
        body: { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' },
      };
    }
    const throttledAt = throttles.shift();
    if (throttledAt !== undefined) {
      return {
        status: 200,
        body: {
          errors: [
            {
              message: 'Throttled',
              extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' },
            },
          ],
          extensions: costExtension(throttledAt),
        },
      };
    }
    const { query, variables } = JSON.parse(request.body) as {
      query: string;
      variables?: Record<string, unknown>;
    };
    const document = prepared(query);
    const idempotency = 'document' in document ? idempotencyKeyOf(document.document, variables) : undefined;
    if (idempotency?.refundCreate && !idempotency.key && apiVersion >= '2026-04') {
      return {
        status: 200,
        body: {
          errors: [{ message: IDEMPOTENCY_REQUIRED, extensions: { code: 'BAD_REQUEST' } }],
          extensions: costExtension(BUCKET.maximumAvailable - QUERY_COST),
        },
      };
    }
    idempotencyKey = idempotency?.key;
    if (idempotency?.refundCreate && refundAnswerDelayMs > 0) {
      const answer = await execute({
        schema: SCHEMA,
        document: (document as { document: DocumentNode }).document,
        rootValue: root,
        variableValues: variables,
      });
      await new Promise((resolve) => setTimeout(resolve, refundAnswerDelayMs));
      return {
        status: 200,
        body: { ...answer, extensions: costExtension(BUCKET.maximumAvailable - QUERY_COST) },
      };
    }
    const result =
      'errors' in document
        ? { errors: document.errors, data: undefined }
        : await execute({
            schema: SCHEMA,
            document: document.document,
            rootValue: root,
            variableValues: variables,
          });
    return {
      status: 200,
      body: {
        ...(result.errors
          ? { errors: result.errors.map((e) => ({ message: e.message, locations: e.locations })) }
          : {}),
        ...(result.data ? { data: result.data } : {}),
        extensions: costExtension(BUCKET.maximumAvailable - QUERY_COST),
      },
    };
  });

  return {
    ...fake,
    accessToken,
    apiVersion,
    addOrder({ name, locations, paid, risk }) {
      const id = gid('Order');
      const order: StoredOrder = {
        id,
        name,
        currency: paid?.currency ?? 'USD',
        transactions: paid
          ? [
              {
                id: gid('OrderTransaction'),
                kind: 'SALE',
                status: 'SUCCESS',
                gateway: paid.gateway ?? 'shopify_payments',
                amount: paid.amount,
              },
            ]
          : [],
        refunds: [],
        risk: risk ?? { levels: [], recommendation: 'NONE' },
        fulfillments: [],
        fulfillmentOrders: locations.map((location) => ({
          id: gid('FulfillmentOrder'),
          status: 'OPEN',
          locationId: `gid://shopify/Location/${location.name.length}${location.name.charCodeAt(0)}`,
          locationName: location.name,
          lines: location.lines.map((line) => ({
            id: gid('FulfillmentOrderLineItem'),
            lineItemId: gid('LineItem'),
            sku: line.sku,
            total: line.quantity,
            remaining: line.quantity,
          })),
        })),
      };
      orders.set(id, order);
      for (const fo of order.fulfillmentOrders) ordersByFulfillmentOrder.set(fo.id, order);
      return id.slice('gid://shopify/Order/'.length);
    },
    order: (numericId) => orders.get(`gid://shopify/Order/${numericId}`),
    delayRefundAnswers(ms) {
      refundAnswerDelayMs = ms;
    },
    throttleNext(count, currentlyAvailable = 0) {
      for (let i = 0; i < count; i++) throttles.push(currentlyAvailable);
    },
  };
}
