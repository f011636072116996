import { systemClock } from '../../core/clock';
import { asDropshipError, DropshipError } from '../../core/errors';
import { parseRiskRules } from '../../core/risk/risk-rules';
import type { RiskScreening } from '../../core/risk/screen-order';
import { uspsAddressValidator } from '../../connectors/addresses/usps-addresses';
import { shopifyRiskSource } from '../../connectors/storefronts/shopify-risk';
import type { StorefrontConfigNode } from '../adapter/config-nodes';
import { connectorLogOf, type NodeAPI, type NodeDef } from '../adapter/node-red';
import { shopifyContextOf } from '../adapter/storefront-api';
import type { RiskConfigNode } from './risk-config';

interface RiskNodeDef extends NodeDef {
  /** The rule rows the editor saves. */
  rules: unknown;
  /** 'none', or 'usps' for USPS Addresses 3.0. */
  validator: string;
  /** The USPS API host (production when empty; the test environment or a local API otherwise). */
  uspsBaseUrl: string;
  /** A Shopify dropship-storefront whose own risk assessments are read; none when empty. */
  storefront: string;
}

export = function registerRiskNode(RED: NodeAPI): void {
  function DropshipRiskNode(this: RiskConfigNode, config: RiskNodeDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const log = connectorLogOf(RED, node);
    let screening: RiskScreening | undefined;
    let problem: DropshipError | undefined;
    try {
      const rules = parseRiskRules(config.rules);
      const credentials = node.credentials ?? {};
      const addressValidator =
        config.validator === 'usps'
          ? uspsAddressValidator({
              settings: config.uspsBaseUrl ? { baseUrl: config.uspsBaseUrl } : {},
              credentials: { clientId: credentials.uspsClientId, clientSecret: credentials.uspsClientSecret },
              clock: systemClock,
              log,
            })
          : undefined;
      const storefront = config.storefront
        ? (RED.nodes.getNode(config.storefront) as StorefrontConfigNode | null)
        : undefined;
      if (config.storefront && !storefront)
        throw new DropshipError(
          'configuration',
          'the storefront chosen for risk assessments is not deployed',
          [{ path: 'storefront', message: 'choose a deployed Shopify storefront' }],
        );
      const storefrontRisk = storefront ? shopifyRiskSource(shopifyContextOf(storefront, log)) : undefined;
      screening = { rules, addressValidator, storefrontRisk };
    } catch (err) {
      problem = asDropshipError(err, 'configuration');
      node.error(`risk screening: ${problem.message}`);
    }
    node.screening = () => {
      if (!screening) throw problem ?? new DropshipError('configuration', 'the risk screening is not set up');
      return screening;
    };
  }
  RED.nodes.registerType('dropship-risk', DropshipRiskNode as never, {
    credentials: {
      uspsClientId: { type: 'text' },
      uspsClientSecret: { type: 'password' },
    },
  });
};
