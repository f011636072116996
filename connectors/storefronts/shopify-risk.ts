import type { StorefrontRiskAssessment, StorefrontRiskSource } from '../../core/ports/address-validator';
import { ChannelDeliveryError } from '../messaging/delivery-error';
import { adminGraphql, orderGid, type ShopifyContext } from './shopify-fulfilment';

/** The order's risk summary (`Order.risk`, OrderRiskSummary): every assessment's level and Shopify's recommendation. */
const ORDER_RISK_QUERY = `query OrderRisk($id: ID!) {
  order(id: $id) {
    risk {
      recommendation
      assessments { riskLevel }
    }
  }
}`;

const LEVELS: StorefrontRiskAssessment['level'][] = ['none', 'pending', 'low', 'medium', 'high'];

/**
 * Shopify's own fraud assessment of an order through the GraphQL Admin API (`order { risk { recommendation
 * assessments { riskLevel } } }`, the order risk summary that replaced the deprecated `risks` / `riskLevel`): the
 * highest level among the assessments (Shopify's and apps'), and the recommendation (ACCEPT, INVESTIGATE, CANCEL,
 * NONE).
 */
export function shopifyRiskSource(ctx: ShopifyContext): StorefrontRiskSource {
  return {
    channel: 'shopify',
    async assess(orderId) {
      const data = await adminGraphql(ORDER_RISK_QUERY, { id: orderGid(orderId) }, ctx);
      const order = data.order as
        { risk?: { recommendation?: string; assessments?: { riskLevel?: string }[] } } | null | undefined;
      if (!order) throw new ChannelDeliveryError(`Shopify has no order ${orderId}`, false);
      const level = (order.risk?.assessments ?? [])
        .map((a) => (a.riskLevel ?? 'NONE').toLowerCase() as StorefrontRiskAssessment['level'])
        .filter((l) => LEVELS.includes(l))
        .reduce<StorefrontRiskAssessment['level']>(
          (highest, l) => (LEVELS.indexOf(l) > LEVELS.indexOf(highest) ? l : highest),
          'none',
        );
      return { level, recommendation: order.risk?.recommendation };
    },
  };
}
