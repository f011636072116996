import { SHOPIFY_ADMIN_API_VERSION } from '../../connectors/storefronts/shopify-admin';
import { randomBytes } from 'node:crypto';
import { buildSchema, execute, GraphQLError, parse, validate, type DocumentNode } from 'graphql';
import { startHttpFake, type FakeReply, type HttpFake } from './http-fake';

/**
 * Shopify's GraphQL Admin API for fulfilment, on 127.0.0.1. Queries are parsed, validated and executed by the
 * GraphQL reference implementation against the part of Shopify's published schema fulfilment uses (type, field
 * and argument names as in the Admin API reference), so a misspelt field fails here as it would at Shopify.
 * Answers carry Shopify's cost extension; throttled calls get Shopify's THROTTLED error.
 */
const SCHEMA = buildSchema(`
  scalar URL
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
    fulfillments(first: Int): [Fulfillment!]!
    fulfillmentOrders(first: Int, after: String): FulfillmentOrderConnection!
  }
  type UserError { field: [String!] message: String! }
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

interface StoredOrder {
  id: string;
  name: string;
  fulfillmentOrders: StoredFulfillmentOrder[];
  fulfillments: StoredFulfillment[];
}

export interface FakeShopify extends HttpFake {
  accessToken: string;
  apiVersion: string;
  /** Adds an order with one fulfilment order per location; returns its numeric id. */
  addOrder(order: {
    name: string;
    locations: { name: string; lines: { sku: string; quantity: number }[] }[];
  }): string;
  order(numericId: string): StoredOrder | undefined;
  /** The next `count` calls are throttled, with the bucket this empty (points available). */
  throttleNext(count: number, currentlyAvailable?: number): void;
}

const BUCKET = { maximumAvailable: 2000, restoreRate: 100 };
const QUERY_COST = 12;

export async function startFakeShopify(apiVersion = SHOPIFY_ADMIN_API_VERSION): Promise<FakeShopify> {
  const accessToken = `shpat_${randomBytes(16).toString('hex')}`;
  const orders = new Map<string, StoredOrder>();
  const throttles: number[] = [];
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

  const root = {
    order: ({ id }: { id: string }) => {
      const order = orders.get(id);
      if (!order) return null;
      return {
        id: order.id,
        name: order.name,
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
    addOrder({ name, locations }) {
      const id = gid('Order');
      const order: StoredOrder = {
        id,
        name,
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
    throttleNext(count, currentlyAvailable = 0) {
      for (let i = 0; i < count; i++) throttles.push(currentlyAvailable);
    },
  };
}
