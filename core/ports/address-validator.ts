import type { Address } from '../model/order';

/** What an address authority says of a shipping address. */
export interface AddressVerdict {
  /** The authority knows the address and mail can be delivered there. */
  deliverable: boolean;
  /** Why not, or what is doubtful (unit missing, not found), in words for the operator. */
  reason?: string;
}

/**
 * An address authority risk screening asks before an order goes to a supplier (USPS Addresses 3.0 for US
 * addresses). An outage throws; the screening holds the order for a person rather than guessing.
 */
export interface AddressValidator {
  readonly name: string;
  /** Countries (ISO 3166-1 alpha-2) it can verify; other addresses are not asked about. */
  readonly countries: readonly string[];
  verify(address: Address, signal?: AbortSignal): Promise<AddressVerdict>;
}

/** The storefront's own fraud assessment of an order (Shopify's order risk summary). */
export interface StorefrontRiskAssessment {
  /** The highest level among the assessments; `none` when the shop has no assessment. */
  level: 'none' | 'pending' | 'low' | 'medium' | 'high';
  /** The shop's recommended action (Shopify: ACCEPT, INVESTIGATE, CANCEL, NONE), as it says it. */
  recommendation?: string;
}

/** A storefront that assesses its orders' fraud risk itself. */
export interface StorefrontRiskSource {
  /** The order channel it serves ('shopify'). */
  readonly channel: string;
  /** The assessment of the storefront's order `orderId` (the stored order's externalId). */
  assess(orderId: string, signal?: AbortSignal): Promise<StorefrontRiskAssessment>;
}
