'use strict';
// The demo's sandbox storefront: a Shopify shop's Admin GraphQL API (the part storefront sync and webhook
// subscription use) and its client-credentials token endpoint, answering as Shopify documents them. Queries are
// parsed, validated and executed by the GraphQL reference implementation against that part of Shopify's published
// schema (2026-10 names), each answer carries Shopify's cost extension, and a leaky bucket throttles as Shopify's
// does. `inventorySetQuantities` needs the @idempotent directive and `changeFromQuantity` on every quantity, and
// refuses a stale one with CHANGE_FROM_QUANTITY_STALE. The demo flow serves it under /sandbox/shopify; the tests use
// the same shop as their fake (test/fakes/shopify-catalogue.ts). The state is kept in a JSON file when one is named.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { buildSchema, execute, parse, validate, getNamedType, isLeafType, Kind } = require('graphql');

const SCHEMA = buildSchema(`
  directive @idempotent(key: String!) on FIELD
  scalar Money
  scalar DateTime
  interface Node { id: ID! }
  enum WebhookSubscriptionTopic {
    APP_UNINSTALLED ORDERS_CREATE ORDERS_PAID ORDERS_UPDATED ORDERS_CANCELLED REFUNDS_CREATE
    FULFILLMENTS_CREATE FULFILLMENTS_UPDATE PRODUCTS_UPDATE INVENTORY_LEVELS_UPDATE
  }
  enum WebhookSubscriptionFormat { JSON XML }
  enum InventorySetQuantitiesUserErrorCode {
    CHANGE_FROM_QUANTITY_STALE COMPARE_QUANTITY_REQUIRED COMPARE_QUANTITY_STALE IDEMPOTENCY_CONCURRENT_REQUEST
    IDEMPOTENCY_KEY_PARAMETER_MISMATCH IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED INVALID_INVENTORY_ITEM INVALID_LOCATION
    INVALID_NAME INVALID_QUANTITY_NEGATIVE INVALID_QUANTITY_TOO_HIGH INVALID_REASON INVALID_REFERENCE_DOCUMENT
    ITEM_NOT_STOCKED_AT_LOCATION NON_MUTABLE_INVENTORY_ITEM
  }
  enum ProductVariantsBulkUpdateUserErrorCode {
    PRODUCT_DOES_NOT_EXIST PRODUCT_VARIANT_DOES_NOT_EXIST PRODUCT_VARIANT_ID_MISSING INVALID_INPUT
  }
  type PageInfo { hasNextPage: Boolean! hasPreviousPage: Boolean! startCursor: String endCursor: String }
  type Shop { name: String! myshopifyDomain: String! currencyCode: String! }
  type Location implements Node { id: ID! name: String! }
  type InventoryQuantity { id: ID! name: String! quantity: Int! updatedAt: DateTime }
  type InventoryLevel implements Node {
    id: ID!
    location: Location!
    quantities(names: [String!]!): [InventoryQuantity!]!
  }
  type InventoryItem implements Node {
    id: ID!
    sku: String
    tracked: Boolean!
    inventoryLevel(locationId: ID!): InventoryLevel
  }
  type Product implements Node { id: ID! title: String! vendor: String! productType: String! }
  type ProductVariant implements Node {
    id: ID!
    title: String!
    displayName: String!
    sku: String
    barcode: String
    price: Money!
    compareAtPrice: Money
    inventoryQuantity: Int
    inventoryItem: InventoryItem!
    product: Product!
  }
  type ProductVariantConnection { nodes: [ProductVariant!]! pageInfo: PageInfo! }
  type WebhookSubscription implements Node {
    id: ID!
    topic: WebhookSubscriptionTopic!
    uri: String!
    format: WebhookSubscriptionFormat!
    createdAt: DateTime!
    updatedAt: DateTime!
  }
  type WebhookSubscriptionConnection { nodes: [WebhookSubscription!]! pageInfo: PageInfo! }
  type UserError { field: [String!] message: String! }
  type InventorySetQuantitiesUserError { code: InventorySetQuantitiesUserErrorCode field: [String!] message: String! }
  type ProductVariantsBulkUpdateUserError {
    code: ProductVariantsBulkUpdateUserErrorCode
    field: [String!]
    message: String!
  }
  type InventoryChange {
    name: String!
    delta: Int!
    quantityAfterChange: Int
    item: InventoryItem
    location: Location
  }
  type InventoryAdjustmentGroup {
    id: ID!
    createdAt: DateTime!
    reason: String!
    referenceDocumentUri: String
    changes(inventoryItemIds: [ID!], locationIds: [ID!], quantityNames: [String!]): [InventoryChange!]!
  }
  type InventorySetQuantitiesPayload {
    inventoryAdjustmentGroup: InventoryAdjustmentGroup
    userErrors: [InventorySetQuantitiesUserError!]!
  }
  type ProductVariantsBulkUpdatePayload {
    product: Product
    productVariants: [ProductVariant!]
    userErrors: [ProductVariantsBulkUpdateUserError!]!
  }
  type WebhookSubscriptionCreatePayload { webhookSubscription: WebhookSubscription userErrors: [UserError!]! }
  input InventoryQuantityInput { inventoryItemId: ID! locationId: ID! quantity: Int! changeFromQuantity: Int }
  input InventorySetQuantitiesInput {
    name: String!
    reason: String!
    referenceDocumentUri: String
    quantities: [InventoryQuantityInput!]!
  }
  input ProductVariantsBulkInput { id: ID price: Money compareAtPrice: Money barcode: String }
  input WebhookSubscriptionInput { uri: String format: WebhookSubscriptionFormat includeFields: [String!] }
  type Query {
    shop: Shop!
    location(id: ID): Location
    nodes(ids: [ID!]!): [Node]!
    inventoryItem(id: ID!): InventoryItem
    productVariants(first: Int, after: String, query: String): ProductVariantConnection!
    webhookSubscriptions(first: Int, after: String, topics: [WebhookSubscriptionTopic!]): WebhookSubscriptionConnection!
  }
  type Mutation {
    inventorySetQuantities(input: InventorySetQuantitiesInput!): InventorySetQuantitiesPayload
    productVariantsBulkUpdate(
      productId: ID!
      variants: [ProductVariantsBulkInput!]!
      allowPartialUpdates: Boolean
    ): ProductVariantsBulkUpdatePayload
    webhookSubscriptionCreate(
      topic: WebhookSubscriptionTopic!
      webhookSubscription: WebhookSubscriptionInput!
    ): WebhookSubscriptionCreatePayload
  }
`);

/** Shopify's limits: one query may cost at most 1000 points; the bucket below is a Standard plan's. */
const MAX_QUERY_COST = 1000;
const MUTATION_COST = 10;
const TOKEN_LIFETIME_SECONDS = 86399;
const LOCATION_ID = 'gid://shopify/Location/1';
const DEFAULT_PRODUCTS = [
  {
    title: 'Black mug',
    vendor: 'Sandbox Supplies',
    productType: 'Kitchen',
    sku: 'MUG-BLACK',
    price: '12.00',
  },
  {
    title: 'Water bottle, large',
    vendor: 'Sandbox Supplies',
    productType: 'Outdoor',
    sku: 'WCB-LG',
    price: '24.00',
  },
  {
    title: 'Bird feeder',
    vendor: 'Sandbox Supplies',
    productType: 'Garden',
    sku: 'BW-FIN-200',
    price: '39.00',
  },
];

function seedState() {
  return {
    shop: { name: 'Demo shop', myshopifyDomain: 'demo-shop.myshopify.com', currencyCode: 'USD' },
    products: DEFAULT_PRODUCTS.map((p, i) => ({
      id: `gid://shopify/Product/${1001 + i}`,
      title: p.title,
      vendor: p.vendor,
      productType: p.productType,
      variants: [
        {
          id: `gid://shopify/ProductVariant/${2001 + i}`,
          title: 'Default Title',
          sku: p.sku,
          barcode: null,
          price: p.price,
          compareAtPrice: null,
          inventoryItemId: `gid://shopify/InventoryItem/${3001 + i}`,
          available: 0,
        },
      ],
    })),
    webhooks: [],
    idempotency: {},
    nextId: 5001,
  };
}

function money(value) {
  return typeof value === 'string' && /^\d{1,9}(\.\d{1,2})?$/.test(value);
}

/** Shopify's calculated query cost: objects 1, connections 2 + first × their nodes, mutations 10, scalars 0. */
function selectionCost(selectionSet, parentType, variables, fragments) {
  let cost = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition ? SCHEMA.getType(selection.typeCondition.name.value) : parentType;
      cost += selectionCost(selection.selectionSet, type, variables, fragments);
      continue;
    }
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const fragment = fragments[selection.name.value];
      if (fragment) {
        const type = SCHEMA.getType(fragment.typeCondition.name.value);
        cost += selectionCost(fragment.selectionSet, type, variables, fragments);
      }
      continue;
    }
    const field = parentType.getFields ? parentType.getFields()[selection.name.value] : undefined;
    if (!field) continue;
    const named = getNamedType(field.type);
    if (isLeafType(named)) continue;
    const inner = selection.selectionSet
      ? selectionCost(selection.selectionSet, named, variables, fragments)
      : 0;
    if (named.name.endsWith('Connection')) {
      cost += 2 + argumentValue(selection, 'first', variables, 0) * inner;
    } else {
      cost += 1 + inner;
    }
  }
  return cost;
}

function argumentValue(fieldNode, name, variables, fallback) {
  const argument = (fieldNode.arguments || []).find((a) => a.name.value === name);
  if (!argument) return fallback;
  if (argument.value.kind === Kind.VARIABLE) return variables[argument.value.name.value] ?? fallback;
  if (argument.value.kind === Kind.INT) return Number(argument.value.value);
  if (argument.value.kind === Kind.STRING) return argument.value.value;
  return fallback;
}

function queryCost(operation, variables, fragments) {
  if (operation.operation === 'mutation') return MUTATION_COST * operation.selectionSet.selections.length;
  return selectionCost(operation.selectionSet, SCHEMA.getQueryType(), variables, fragments);
}

function encodeCursor(index) {
  return Buffer.from(JSON.stringify({ last_id: index }), 'utf8').toString('base64');
}

function decodeCursor(cursor) {
  try {
    const index = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')).last_id;
    return Number.isInteger(index) && index >= 0 ? index : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A sandbox shop. `stateFile` keeps products, quantities, webhook subscriptions and idempotency keys across
 * restarts; `now` is the clock for the bucket and for token expiry; `clientId`/`clientSecret` are the app's
 * credentials (the token endpoint's), `legacyToken` an admin-created token that never expires.
 */
function createSandboxShop(options = {}) {
  const now = options.now || (() => Date.now());
  const bucket = {
    maximumAvailable: options.maximumAvailable ?? 2000,
    restoreRate: options.restoreRate ?? 100,
    available: options.maximumAvailable ?? 2000,
    at: now(),
  };
  const tokens = new Map();
  let drainNext = 0;
  let state = load();

  function load() {
    if (options.stateFile && fs.existsSync(options.stateFile)) {
      return JSON.parse(fs.readFileSync(options.stateFile, 'utf8'));
    }
    return options.initialState ? JSON.parse(JSON.stringify(options.initialState)) : seedState();
  }

  function save() {
    if (!options.stateFile) return;
    fs.mkdirSync(path.dirname(options.stateFile), { recursive: true });
    const staging = `${options.stateFile}.${process.pid}.tmp`;
    fs.writeFileSync(staging, JSON.stringify(state, null, 1));
    fs.renameSync(staging, options.stateFile);
  }

  function nextGid(kind) {
    state.nextId += 1;
    return `gid://shopify/${kind}/${state.nextId}`;
  }

  function variants() {
    return state.products.flatMap((product) => product.variants.map((variant) => ({ product, variant })));
  }

  function refill() {
    const t = now();
    bucket.available = Math.min(
      bucket.maximumAvailable,
      bucket.available + ((t - bucket.at) / 1000) * bucket.restoreRate,
    );
    bucket.at = t;
  }

  function throttleStatus() {
    return {
      maximumAvailable: bucket.maximumAvailable,
      currentlyAvailable: Math.floor(bucket.available),
      restoreRate: bucket.restoreRate,
    };
  }

  // ---- object views the executor resolves fields on ----
  function locationView() {
    return { id: LOCATION_ID, name: 'Sandbox warehouse' };
  }

  function inventoryItemView(entry) {
    const { variant } = entry;
    return {
      id: variant.inventoryItemId,
      __typename: 'InventoryItem',
      sku: variant.sku,
      tracked: true,
      inventoryLevel: ({ locationId }) =>
        locationId !== LOCATION_ID
          ? null
          : {
              id: `gid://shopify/InventoryLevel/${variant.inventoryItemId.split('/').pop()}?inventory_item_id=${variant.inventoryItemId.split('/').pop()}`,
              location: locationView(),
              quantities: ({ names }) =>
                names
                  .filter((name) => name === 'available' || name === 'on_hand')
                  .map((name) => ({
                    id: `gid://shopify/InventoryQuantity/${variant.inventoryItemId.split('/').pop()}?name=${name}`,
                    name,
                    quantity: variant.available,
                  })),
            },
    };
  }

  function productView(product) {
    return {
      __typename: 'Product',
      id: product.id,
      title: product.title,
      vendor: product.vendor,
      productType: product.productType,
    };
  }

  function variantView(entry) {
    const { product, variant } = entry;
    return {
      __typename: 'ProductVariant',
      id: variant.id,
      title: variant.title,
      displayName: `${product.title} - ${variant.title}`,
      sku: variant.sku,
      barcode: variant.barcode,
      price: variant.price,
      compareAtPrice: variant.compareAtPrice,
      inventoryQuantity: variant.available,
      inventoryItem: inventoryItemView(entry),
      product: productView(product),
    };
  }

  function page(list, first, after, view) {
    const size = Math.max(0, Math.min(250, first ?? 0));
    const start = after === undefined || after === null ? 0 : (decodeCursor(after) ?? list.length) + 1;
    const slice = list.slice(start, start + size);
    return {
      nodes: slice.map(view),
      pageInfo: {
        hasNextPage: start + size < list.length,
        hasPreviousPage: start > 0,
        startCursor: slice.length ? encodeCursor(start) : null,
        endCursor: slice.length ? encodeCursor(start + slice.length - 1) : null,
      },
    };
  }

  function findInventoryItem(id) {
    return variants().find((entry) => entry.variant.inventoryItemId === id);
  }

  function idempotencyKeyOf(info) {
    const directive = (info.fieldNodes[0].directives || []).find((d) => d.name.value === 'idempotent');
    if (!directive) return undefined;
    const argument = directive.arguments.find((a) => a.name.value === 'key');
    if (!argument) return undefined;
    return argument.value.kind === Kind.VARIABLE
      ? info.variableValues[argument.value.name.value]
      : argument.value.value;
  }

  /** An idempotent mutation: a repeated key with the same input answers the first result without applying again. */
  function once(info, input, apply) {
    const key = idempotencyKeyOf(info);
    if (!key) {
      throw new Error(`The @idempotent directive is required for ${info.fieldName} (API 2026-04 and later).`);
    }
    const fingerprint = crypto.createHash('sha256').update(JSON.stringify(input)).digest('hex');
    const seen = state.idempotency[key];
    if (seen) {
      if (seen.fingerprint !== fingerprint) {
        return {
          inventoryAdjustmentGroup: null,
          userErrors: [
            {
              code: 'IDEMPOTENCY_KEY_PARAMETER_MISMATCH',
              field: null,
              message: 'The same idempotency key cannot be used with different operation parameters.',
            },
          ],
        };
      }
      return seen.result;
    }
    const result = apply();
    state.idempotency[key] = { fingerprint, result };
    return result;
  }

  const root = {
    shop: () => state.shop,
    location: ({ id }) => (id === undefined || id === null || id === LOCATION_ID ? locationView() : null),
    inventoryItem: ({ id }) => {
      const entry = findInventoryItem(id);
      return entry ? inventoryItemView(entry) : null;
    },
    nodes: ({ ids }) =>
      ids.map((id) => {
        const entry = variants().find((e) => e.variant.id === id || e.variant.inventoryItemId === id);
        if (!entry) return null;
        return entry.variant.id === id ? variantView(entry) : inventoryItemView(entry);
      }),
    productVariants: ({ first, after }) => page(variants(), first, after, variantView),
    webhookSubscriptions: ({ first, after, topics }) =>
      page(
        state.webhooks.filter((w) => !topics || topics.includes(w.topic)),
        first,
        after,
        (w) => w,
      ),

    inventorySetQuantities: ({ input }, _context, info) =>
      once(info, input, () => {
        const userErrors = [];
        if (input.name !== 'available' && input.name !== 'on_hand') {
          userErrors.push({
            code: 'INVALID_NAME',
            field: ['input', 'name'],
            message: "The quantity name must be either 'available' or 'on_hand'.",
          });
        }
        const planned = input.quantities.map((quantity, index) => {
          const field = ['input', 'quantities', String(index)];
          const entry = findInventoryItem(quantity.inventoryItemId);
          if (!entry) {
            userErrors.push({
              code: 'INVALID_INVENTORY_ITEM',
              field: [...field, 'inventoryItemId'],
              message: 'The specified inventory item could not be found.',
            });
          } else if (quantity.locationId !== LOCATION_ID) {
            userErrors.push({
              code: 'INVALID_LOCATION',
              field: [...field, 'locationId'],
              message: 'The specified location could not be found.',
            });
          } else if (!Object.prototype.hasOwnProperty.call(quantity, 'changeFromQuantity')) {
            userErrors.push({
              code: 'COMPARE_QUANTITY_REQUIRED',
              field: [...field, 'changeFromQuantity'],
              message: 'changeFromQuantity must be given for each quantity (null to skip the check).',
            });
          } else if (
            quantity.changeFromQuantity !== null &&
            quantity.changeFromQuantity !== entry.variant.available
          ) {
            userErrors.push({
              code: 'CHANGE_FROM_QUANTITY_STALE',
              field: [...field, 'changeFromQuantity'],
              message: 'The changeFromQuantity value does not match persisted value.',
            });
          } else if (quantity.quantity < 0 && input.name === 'on_hand') {
            userErrors.push({
              code: 'INVALID_QUANTITY_NEGATIVE',
              field: [...field, 'quantity'],
              message: "The quantity can't be negative.",
            });
          }
          return { entry, quantity };
        });
        if (userErrors.length > 0) return { inventoryAdjustmentGroup: null, userErrors };
        const changes = planned.map(({ entry, quantity }) => {
          const delta = quantity.quantity - entry.variant.available;
          entry.variant.available = quantity.quantity;
          // Plain data: the result is kept with its idempotency key and answered again after a restart.
          return {
            name: input.name,
            delta,
            quantityAfterChange: null,
            item: { id: entry.variant.inventoryItemId, sku: entry.variant.sku, tracked: true },
            location: locationView(),
          };
        });
        return {
          inventoryAdjustmentGroup: {
            id: nextGid('InventoryAdjustmentGroup'),
            createdAt: new Date(now()).toISOString(),
            reason: input.reason,
            referenceDocumentUri: input.referenceDocumentUri ?? null,
            changes,
          },
          userErrors: [],
        };
      }),

    productVariantsBulkUpdate: ({ productId, variants: inputs, allowPartialUpdates }) => {
      const product = state.products.find((p) => p.id === productId);
      if (!product) {
        return {
          product: null,
          productVariants: null,
          userErrors: [
            { code: 'PRODUCT_DOES_NOT_EXIST', field: ['productId'], message: 'Product does not exist' },
          ],
        };
      }
      const userErrors = [];
      inputs.forEach((input, index) => {
        const field = ['variants', String(index)];
        if (!input.id) {
          userErrors.push({
            code: 'PRODUCT_VARIANT_ID_MISSING',
            field: [...field, 'id'],
            message: 'Product variant is missing ID attribute',
          });
        } else if (!product.variants.some((v) => v.id === input.id)) {
          userErrors.push({
            code: 'PRODUCT_VARIANT_DOES_NOT_EXIST',
            field: [...field, 'id'],
            message: 'Product variant does not exist',
          });
        } else if (input.price !== undefined && !money(input.price)) {
          userErrors.push({
            code: 'INVALID_INPUT',
            field: [...field, 'price'],
            message: 'Price must be a decimal amount of at most two places',
          });
        } else if (
          input.compareAtPrice !== undefined &&
          input.compareAtPrice !== null &&
          !money(input.compareAtPrice)
        ) {
          userErrors.push({
            code: 'INVALID_INPUT',
            field: [...field, 'compareAtPrice'],
            message: 'Compare at price must be a decimal amount of at most two places',
          });
        }
      });
      if (userErrors.length > 0 && !allowPartialUpdates)
        return { product: productView(product), productVariants: null, userErrors };
      const failed = new Set(userErrors.map((e) => Number(e.field[1])));
      const updated = [];
      inputs.forEach((input, index) => {
        if (failed.has(index)) return;
        const variant = product.variants.find((v) => v.id === input.id);
        if (input.price !== undefined) variant.price = input.price;
        if (input.compareAtPrice !== undefined) variant.compareAtPrice = input.compareAtPrice;
        if (input.barcode !== undefined) variant.barcode = input.barcode;
        updated.push(variantView({ product, variant }));
      });
      return { product: productView(product), productVariants: updated, userErrors };
    },

    webhookSubscriptionCreate: ({ topic, webhookSubscription }) => {
      const uri = webhookSubscription.uri;
      if (!uri || !/^https?:\/\//.test(uri)) {
        return {
          webhookSubscription: null,
          userErrors: [{ field: ['webhookSubscription', 'callbackUrl'], message: 'Address is invalid' }],
        };
      }
      if (state.webhooks.some((w) => w.topic === topic && w.uri === uri)) {
        return {
          webhookSubscription: null,
          userErrors: [
            {
              field: ['webhookSubscription', 'callbackUrl'],
              message: 'Address for this topic has already been taken',
            },
          ],
        };
      }
      const at = new Date(now()).toISOString();
      const created = {
        id: nextGid('WebhookSubscription'),
        topic,
        uri,
        format: webhookSubscription.format || 'JSON',
        createdAt: at,
        updatedAt: at,
      };
      state.webhooks.push(created);
      return { webhookSubscription: created, userErrors: [] };
    },
  };

  function authorised(headers) {
    const token = headers['x-shopify-access-token'];
    if (typeof token !== 'string' || token === '') return false;
    if (options.legacyToken && token === options.legacyToken) return true;
    const expiresAt = tokens.get(token);
    return expiresAt !== undefined && expiresAt > now();
  }

  function graphql(body) {
    const request = typeof body === 'string' ? safeJson(body) : body;
    if (!request || typeof request.query !== 'string') {
      return { status: 400, body: { errors: { query: 'Required parameter missing or invalid' } } };
    }
    let document;
    try {
      document = parse(request.query);
    } catch (err) {
      return {
        status: 200,
        body: { errors: [{ message: err.message, extensions: { code: 'PARSE_ERROR' } }] },
      };
    }
    const problems = validate(SCHEMA, document);
    if (problems.length > 0) {
      return {
        status: 200,
        body: { errors: problems.map((p) => ({ message: p.message, locations: p.locations })) },
      };
    }
    const variables = request.variables || {};
    const fragments = {};
    let operation;
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
      if (definition.kind === Kind.OPERATION_DEFINITION) operation = operation || definition;
    }
    const cost = queryCost(operation, variables, fragments);
    if (cost > MAX_QUERY_COST) {
      return {
        status: 200,
        body: {
          errors: [
            {
              message: `Query cost is ${cost}, which exceeds the single query max cost limit (${MAX_QUERY_COST}).`,
              extensions: { code: 'MAX_COST_EXCEEDED', cost, maxCost: MAX_QUERY_COST },
            },
          ],
        },
      };
    }
    refill();
    if (drainNext > 0) {
      // Another client of the app spent the bucket just before this query.
      drainNext -= 1;
      bucket.available = 0;
    }
    if (cost > bucket.available) {
      return {
        status: 200,
        body: {
          errors: [
            {
              message: 'Throttled',
              extensions: {
                code: 'THROTTLED',
                documentation: 'https://shopify.dev/api/usage/limits#rate-limits',
              },
            },
          ],
          extensions: {
            cost: { requestedQueryCost: cost, actualQueryCost: null, throttleStatus: throttleStatus() },
          },
        },
      };
    }
    bucket.available -= cost;
    const result = execute({ schema: SCHEMA, document, rootValue: root, variableValues: variables });
    if (operation.operation === 'mutation') save();
    const reply = {};
    if (result.errors)
      reply.errors = result.errors.map((e) => ({ message: e.message, locations: e.locations, path: e.path }));
    reply.data = result.data;
    reply.extensions = {
      cost: { requestedQueryCost: cost, actualQueryCost: cost, throttleStatus: throttleStatus() },
    };
    return { status: 200, body: reply };
  }

  function accessToken(body) {
    const form = typeof body === 'string' ? Object.fromEntries(new URLSearchParams(body)) : body || {};
    if (form.grant_type !== 'client_credentials') {
      return {
        status: 400,
        body: { error: 'unsupported_grant_type', error_description: 'grant_type must be client_credentials' },
      };
    }
    if (
      !options.clientId ||
      form.client_id !== options.clientId ||
      form.client_secret !== options.clientSecret
    ) {
      return {
        status: 400,
        body: { error: 'invalid_client', error_description: 'Client authentication failed' },
      };
    }
    const token = `shpat_${crypto.randomBytes(16).toString('hex')}`;
    tokens.set(token, now() + TOKEN_LIFETIME_SECONDS * 1000);
    return {
      status: 200,
      body: {
        access_token: token,
        scope: 'read_products,write_products,read_inventory,write_inventory',
        expires_in: TOKEN_LIFETIME_SECONDS,
      },
    };
  }

  /** One request to the shop, by path relative to its origin. */
  function route({ method, path: requestPath, headers, body }) {
    if (method === 'POST' && requestPath === '/admin/oauth/access_token') return accessToken(body);
    const api = /^\/admin\/api\/(\d{4}-\d{2})\/graphql\.json$/.exec(requestPath);
    if (method === 'POST' && api) {
      if (!authorised(headers || {})) {
        return {
          status: 401,
          body: { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' },
        };
      }
      return graphql(body);
    }
    if (method === 'GET' && requestPath === '/inventory') {
      return {
        status: 200,
        headers: { 'Content-Type': 'text/html; charset=utf-8' },
        body: inventoryPage(),
      };
    }
    return { status: 404, body: { errors: 'Not Found' } };
  }

  return {
    /**
     * Answers one request: `path` is relative to the shop's origin (/admin/oauth/access_token,
     * /admin/api/{version}/graphql.json, /inventory); `body` is the raw text or the body already parsed.
     */
    handle(request) {
      try {
        return route(request);
      } catch {
        // Whatever the request broke, the caller gets Shopify's plain refusal, never a stack.
        return { status: 400, body: { errors: 'Bad Request' } };
      }
    },
    /** Empties the bucket before each of the next `count` queries, as a busy app would: they are throttled. */
    drainBucketBeforeNext(count) {
      drainNext = count;
    },
    /** Ends every token issued so far, as 24 hours passing would. */
    expireTokens() {
      tokens.clear();
    },
    /** A sale made in the shop meanwhile (what makes a pushed `changeFromQuantity` stale). */
    sell(sku, quantity) {
      const entry = variants().find((e) => e.variant.sku === sku);
      if (!entry) throw new Error(`no variant with SKU ${sku}`);
      entry.variant.available -= quantity;
      save();
    },
    variants: () =>
      variants().map(({ product, variant }) => ({
        ...variant,
        productId: product.id,
        productTitle: product.title,
      })),
    webhooks: () => state.webhooks.slice(),
  };

  function inventoryPage() {
    const rows = variants()
      .map(
        ({ product, variant }) =>
          `<tr><td>${escapeHtml(product.title)}<br><small>${escapeHtml(variant.sku || '')}</small></td>` +
          `<td class="n">${variant.available}</td><td class="n">${escapeHtml(variant.price)}` +
          `${variant.compareAtPrice ? `<br><s>${escapeHtml(variant.compareAtPrice)}</s>` : ''}</td></tr>`,
      )
      .join('');
    return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="3">
<title>Sandbox shop: inventory</title>
<style>body{font-family:system-ui,sans-serif;margin:1rem;max-width:48rem}table{width:100%;border-collapse:collapse}
th,td{padding:.5rem;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}.n{text-align:right;white-space:nowrap}
small{color:#555}</style></head><body>
<h1>Sandbox shop: inventory</h1>
<p>What the demo's Shopify sandbox shows its customers now: each variant's available quantity at
"Sandbox warehouse" and its price (${escapeHtml(state.shop.currencyCode)}). The page reloads every 3 seconds.</p>
<table><thead><tr><th>Product / SKU</th><th class="n">Available</th><th class="n">Price</th></tr></thead>
<tbody>${rows}</tbody></table></body></html>`;
  }
}

function safeJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

module.exports = { createSandboxShop, SANDBOX_LOCATION_ID: LOCATION_ID };
