import { connectorLogOf, type NodeAPI, type NodeDef } from '../adapter/node-red';
import type { StorefrontConfigNode } from '../adapter/config-nodes';
import { migrateConfigNode } from '../adapter/config-migrations';
import { connectionTestHandler } from '../adapter/connection-test';
import { mountOnce } from '../adapter/mount-once';
import { operatorAdminRequest } from '../adapter/operator-routes';
import { systemClock } from '../../core/clock';
import { testStorefrontConnection } from '../../connectors/storefronts/connection-test';
import { storefrontWebhooks } from '../../connectors/storefronts/webhook-subscriptions';
import { storefrontCatalogue } from '../../connectors/registry';
import type { StorefrontCatalogue } from '../../core/ports/storefront-catalogue';

interface StorefrontNodeDef extends NodeDef {
  platform: StorefrontConfigNode['platform'];
  shopDomain: string;
  baseUrl: string;
  secretEnv: string;
  webhookUrl: string;
  locationId: string;
}

export = function registerStorefrontNode(RED: NodeAPI): void {
  function DropshipStorefrontNode(this: StorefrontConfigNode, config: StorefrontNodeDef): void {
    config = migrateConfigNode('dropship-storefront', config);
    RED.nodes.createNode(this, config);
    this.platform = config.platform;
    this.shopDomain = config.shopDomain;
    this.baseUrl = config.baseUrl;
    this.webhookUrl = config.webhookUrl ?? '';
    this.locationId = config.locationId ?? '';
    this.webhookSecrets = () => {
      const fromEnv = config.secretEnv ? process.env[config.secretEnv] : undefined;
      // A Shopify app's webhooks are signed with its client secret.
      const appSecret = this.platform === 'shopify' ? this.credentials.clientSecret : undefined;
      return [
        fromEnv ?? this.credentials.webhookSecret,
        this.credentials.previousWebhookSecret,
        appSecret,
      ].filter((s): s is string => typeof s === 'string' && s.length > 0);
    };
    // One connector per deployed node: its token cache and cost bucket last from run to run.
    let catalogue: StorefrontCatalogue | undefined;
    this.catalogue = () =>
      (catalogue ??= storefrontCatalogue(
        {
          platform: this.platform,
          shopDomain: this.shopDomain,
          baseUrl: this.baseUrl,
          ...(this.locationId ? { locationId: this.locationId } : {}),
        },
        { ...this.credentials },
        { clock: systemClock, log: connectorLogOf(RED, this) },
      ));
  }
  // "Test connection" in the dialog: one read-only Admin API call with the dialog's shop and API credentials.
  if (mountOnce(RED.httpAdmin, '/dropship/storefronts/test'))
    RED.httpAdmin.post(
      '/dropship/storefronts/test',
      RED.auth.needsPermission('dropship-storefront.write'),
      operatorAdminRequest(RED),
      connectionTestHandler(RED, 'dropship-storefront', ({ fields, credentials, signal }) =>
        testStorefrontConnection(
          {
            platform: fields.platform as StorefrontConfigNode['platform'],
            shopDomain: typeof fields.shopDomain === 'string' ? fields.shopDomain : undefined,
            baseUrl: typeof fields.baseUrl === 'string' ? fields.baseUrl : undefined,
          },
          credentials,
          signal,
        ),
      ),
    );
  // "List webhooks" / "Subscribe webhooks" in the dialog: what the shop sends, and the order webhooks it lacks.
  for (const action of ['list', 'subscribe'] as const) {
    const route = `/dropship/storefronts/webhooks/${action}`;
    if (mountOnce(RED.httpAdmin, route))
      RED.httpAdmin.post(
        route,
        RED.auth.needsPermission('dropship-storefront.write'),
        operatorAdminRequest(RED),
        connectionTestHandler(RED, 'dropship-storefront', ({ fields, credentials, signal }) => {
          const text = (value: unknown): string | undefined =>
            typeof value === 'string' && value !== '' ? value : undefined;
          const secretEnv = text(fields.secretEnv);
          return storefrontWebhooks(
            action,
            {
              platform: fields.platform as StorefrontConfigNode['platform'],
              shopDomain: text(fields.shopDomain),
              baseUrl: text(fields.baseUrl),
              webhookUrl: text(fields.webhookUrl),
              webhookSecret: (secretEnv ? process.env[secretEnv] : undefined) ?? credentials.webhookSecret,
            },
            credentials,
            systemClock,
            signal,
          );
        }),
      );
  }
  RED.nodes.registerType('dropship-storefront', DropshipStorefrontNode as never, {
    credentials: {
      webhookSecret: { type: 'password' },
      previousWebhookSecret: { type: 'password' },
      accessToken: { type: 'password' },
      clientId: { type: 'text' },
      clientSecret: { type: 'password' },
      consumerKey: { type: 'text' },
      consumerSecret: { type: 'password' },
    },
  });
};
