import { DropshipError } from '../../core/errors';
import type {
  StorefrontCatalogue,
  StorefrontVariant,
  StorefrontVariantPush,
  StorefrontVariantPushOutcome,
} from '../../core/ports/storefront-catalogue';
import {
  SHOPIFY_MAX_QUERY_COST,
  shopifyAdminClient,
  type ShopifyAdminCredentials,
  type ShopifyAdminDeps,
  type ShopifyAdminSettings,
} from './shopify-admin';

export interface ShopifyCatalogueSettings extends ShopifyAdminSettings {
  /** The location whose available quantity is read and set (gid://shopify/Location/…); the primary one when absent. */
  locationId?: string;
  /** Variants per page, 1 to 100 (what keeps one page under the query cost limit). */
  pageSize?: number;
}

/** What one mutation costs, whatever it carries (Shopify's calculated query cost). */
const MUTATION_COST = 10;
/** Each push may need two mutations (quantity, price): as many pushes as keep one call under the cost limit. */
const SHOPIFY_BATCH_LIMIT = Math.floor(SHOPIFY_MAX_QUERY_COST / (2 * MUTATION_COST));
const MAX_PAGE_SIZE = 100;
/** A sync may sit out the bucket's refill: waiting is cheaper than failing a batch and trying it again. */
const SYNC_THROTTLE_WAIT_MS = 60_000;

const VARIANTS_QUERY = `query DropshipVariants($first: Int!, $after: String, $locationId: ID!) {
  productVariants(first: $first, after: $after) {
    nodes {
      id
      displayName
      sku
      barcode
      price
      compareAtPrice
      product { id vendor productType }
      inventoryItem {
        id
        tracked
        inventoryLevel(locationId: $locationId) { quantities(names: ["available"]) { name quantity } }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** Per variant: the variant 1, its product 1, inventory item 1, level 1, quantities 1 (Shopify's cost rules). */
const VARIANT_NODE_COST = 5;

const PRIMARY_LOCATION_QUERY = 'query DropshipPrimaryLocation { location { id } }';

const CURRENT_QUANTITIES_QUERY = `query DropshipCurrentQuantities($ids: [ID!]!, $locationId: ID!) {
  nodes(ids: $ids) {
    ... on InventoryItem {
      id
      inventoryLevel(locationId: $locationId) { quantities(names: ["available"]) { name quantity } }
    }
  }
}`;

interface RawLevel {
  quantities?: { name: string; quantity: number }[];
}

interface RawVariant {
  id: string;
  displayName?: string | null;
  sku?: string | null;
  barcode?: string | null;
  price?: string | null;
  compareAtPrice?: string | null;
  product: { id: string; vendor?: string | null; productType?: string | null };
  inventoryItem?: { id: string; tracked?: boolean; inventoryLevel?: RawLevel | null } | null;
}

interface UserError {
  code?: string | null;
  field?: string[] | null;
  message: string;
}

function availableOf(level: RawLevel | null | undefined): number | undefined {
  return level?.quantities?.find((q) => q.name === 'available')?.quantity;
}

function variantOf(raw: RawVariant): StorefrontVariant {
  const tracked = raw.inventoryItem?.tracked !== false;
  const quantity = tracked ? availableOf(raw.inventoryItem?.inventoryLevel) : undefined;
  return {
    variantId: raw.id,
    productId: raw.product.id,
    title: raw.displayName ?? raw.id,
    ...(raw.sku ? { sku: raw.sku } : {}),
    ...(raw.barcode ? { barcode: raw.barcode } : {}),
    ...(raw.product.vendor ? { vendor: raw.product.vendor } : {}),
    ...(raw.product.productType ? { productType: raw.product.productType } : {}),
    ...(raw.inventoryItem?.id ? { inventoryItemId: raw.inventoryItem.id } : {}),
    ...(quantity !== undefined ? { quantity } : {}),
    ...(raw.price ? { price: raw.price } : {}),
    compareAtPrice: raw.compareAtPrice ?? null,
  };
}

/** A GraphQL string literal (JSON's escaping is GraphQL's for these characters). */
function graphqlString(text: string): string {
  return JSON.stringify(text);
}

/**
 * A shop's variants and pushes through the GraphQL Admin API. Variants are read with `productVariants` page by
 * page (cursor pagination). A batch of pushes is one request of aliased mutations, so each variant gets its own
 * outcome: `inventorySetQuantities` per variant with `changeFromQuantity` (compare-and-set: a sale since the read
 * answers CHANGE_FROM_QUANTITY_STALE and nothing is written) and the push's idempotency key in
 * `@idempotent(key:)`, and `productVariantsBulkUpdate` per product for prices (partial updates allowed, so one
 * refused price does not hold back the others).
 */
export function shopifyCatalogue(
  settings: ShopifyCatalogueSettings,
  credentials: ShopifyAdminCredentials,
  deps: ShopifyAdminDeps,
): StorefrontCatalogue {
  const client = shopifyAdminClient(
    { ...settings, maxThrottleWaitMs: settings.maxThrottleWaitMs ?? SYNC_THROTTLE_WAIT_MS },
    credentials,
    deps,
  );
  const pageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, settings.pageSize ?? MAX_PAGE_SIZE));
  let locationId = settings.locationId;

  async function location(signal?: AbortSignal): Promise<string> {
    if (locationId) return locationId;
    const data = await client.graphql(PRIMARY_LOCATION_QUERY, {}, { signal, estimatedCost: 1 });
    const id = (data.location as { id?: unknown } | null)?.id;
    if (typeof id !== 'string') {
      throw new DropshipError(
        'configuration',
        `Shopify named no primary location for ${settings.shopDomain}`,
        [{ path: 'locationId', message: 'give the location whose stock is synced' }],
      );
    }
    locationId = id;
    return id;
  }

  async function currentQuantities(
    inventoryItemIds: string[],
    signal?: AbortSignal,
  ): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    if (inventoryItemIds.length === 0) return found;
    const data = await client.graphql(
      CURRENT_QUANTITIES_QUERY,
      { ids: inventoryItemIds, locationId: await location(signal) },
      { signal, estimatedCost: 3 * inventoryItemIds.length },
    );
    for (const node of (data.nodes ?? []) as ({ id?: string; inventoryLevel?: RawLevel | null } | null)[]) {
      const quantity = availableOf(node?.inventoryLevel);
      if (node?.id && quantity !== undefined) found.set(node.id, quantity);
    }
    return found;
  }

  return {
    channel: 'shopify',
    batchLimit: SHOPIFY_BATCH_LIMIT,

    async listVariants(cursor, signal) {
      const data = await client.graphql(
        VARIANTS_QUERY,
        { first: pageSize, after: cursor ?? null, locationId: await location(signal) },
        { signal, estimatedCost: 2 + pageSize * VARIANT_NODE_COST },
      );
      const connection = data.productVariants as {
        nodes: RawVariant[];
        pageInfo: { hasNextPage: boolean; endCursor?: string | null };
      };
      return {
        variants: connection.nodes.map(variantOf),
        ...(connection.pageInfo.hasNextPage && connection.pageInfo.endCursor
          ? { nextCursor: connection.pageInfo.endCursor }
          : {}),
      };
    },

    async pushVariants(pushes, signal) {
      if (pushes.length > SHOPIFY_BATCH_LIMIT) {
        throw new DropshipError(
          'invalid_input',
          `${pushes.length} pushes in one call; Shopify takes at most ${SHOPIFY_BATCH_LIMIT}`,
          [{ path: '/pushes', message: `at most ${SHOPIFY_BATCH_LIMIT}` }],
        );
      }
      const errors = new Map<string, string[]>();
      const stale = new Set<string>();
      const fail = (variantId: string, message: string): void => {
        errors.set(variantId, [...(errors.get(variantId) ?? []), message]);
      };
      const declarations: string[] = [];
      const fields: string[] = [];
      const variables: Record<string, unknown> = {};
      const quantityAlias = new Map<string, StorefrontVariantPush>();
      const at = await location(signal);

      pushes.forEach((push, index) => {
        if (!push.quantity) return;
        if (!push.inventoryItemId) {
          fail(push.variantId, 'the variant has no inventory item id to set a quantity on');
          return;
        }
        const alias = `quantity${index}`;
        quantityAlias.set(alias, push);
        declarations.push(`$${alias}: InventorySetQuantitiesInput!`);
        variables[alias] = {
          name: 'available',
          reason: 'correction',
          referenceDocumentUri: `dropship://storefront-sync/${encodeURIComponent(push.idempotencyKey)}`,
          quantities: [
            {
              inventoryItemId: push.inventoryItemId,
              locationId: at,
              quantity: push.quantity.to,
              changeFromQuantity: push.quantity.from,
            },
          ],
        };
        fields.push(
          `${alias}: inventorySetQuantities(input: $${alias}) @idempotent(key: ${graphqlString(push.idempotencyKey)}) ` +
            '{ userErrors { code field message } }',
        );
      });

      const byProduct = new Map<string, StorefrontVariantPush[]>();
      for (const push of pushes) {
        if (!push.price) continue;
        byProduct.set(push.productId, [...(byProduct.get(push.productId) ?? []), push]);
      }
      const priceAlias = new Map<string, StorefrontVariantPush[]>();
      [...byProduct.entries()].forEach(([productId, group], index) => {
        const alias = `prices${index}`;
        priceAlias.set(alias, group);
        declarations.push(`$${alias}Product: ID!`, `$${alias}: [ProductVariantsBulkInput!]!`);
        variables[`${alias}Product`] = productId;
        variables[alias] = group.map((push) => ({
          id: push.variantId,
          price: push.price!.price,
          ...(push.price!.compareAtPrice !== undefined ? { compareAtPrice: push.price!.compareAtPrice } : {}),
        }));
        fields.push(
          `${alias}: productVariantsBulkUpdate(productId: $${alias}Product, variants: $${alias}, ` +
            'allowPartialUpdates: true) { productVariants { id } userErrors { code field message } }',
        );
      });

      if (fields.length > 0) {
        const mutation = `mutation DropshipStorefrontPush(${declarations.join(', ')}) {\n  ${fields.join('\n  ')}\n}`;
        const data = await client.graphql(mutation, variables, {
          signal,
          estimatedCost: MUTATION_COST * fields.length,
        });
        for (const [alias, push] of quantityAlias) {
          const payload = data[alias] as { userErrors?: UserError[] } | null;
          for (const error of payload?.userErrors ?? []) {
            if (error.code === 'CHANGE_FROM_QUANTITY_STALE') stale.add(push.variantId);
            else fail(push.variantId, error.message);
          }
        }
        for (const [alias, group] of priceAlias) {
          const payload = data[alias] as { userErrors?: UserError[] } | null;
          for (const error of payload?.userErrors ?? []) {
            const index = error.field?.[0] === 'variants' ? Number(error.field[1]) : NaN;
            const targets = Number.isInteger(index) && group[index] ? [group[index]] : group;
            for (const push of targets) fail(push.variantId, error.message);
          }
        }
      }

      const staleItems = pushes
        .filter((p) => stale.has(p.variantId) && p.inventoryItemId)
        .map((p) => p.inventoryItemId!);
      const current = await currentQuantities(staleItems, signal);
      return pushes.map((push): StorefrontVariantPushOutcome => {
        const failure = errors.get(push.variantId);
        if (failure) return { variantId: push.variantId, outcome: 'failed', error: failure.join('; ') };
        if (stale.has(push.variantId)) {
          const quantity = push.inventoryItemId ? current.get(push.inventoryItemId) : undefined;
          return {
            variantId: push.variantId,
            outcome: 'stale',
            ...(quantity !== undefined ? { currentQuantity: quantity } : {}),
          };
        }
        return { variantId: push.variantId, outcome: 'applied' };
      });
    },
  };
}
