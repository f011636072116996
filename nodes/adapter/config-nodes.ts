import type { StorefrontCatalogue } from '../../core/ports/storefront-catalogue';
import type { Node } from './node-red';

export interface StorefrontCredentials {
  webhookSecret?: string;
  previousWebhookSecret?: string;
  accessToken?: string;
  /** Shopify Dev Dashboard app: its client id and secret (client credentials grant; the secret signs webhooks). */
  clientId?: string;
  clientSecret?: string;
  consumerKey?: string;
  consumerSecret?: string;
}

/** What other nodes read from a `dropship-storefront` config node. */
export interface StorefrontConfigNode extends Node<StorefrontCredentials> {
  platform: 'shopify' | 'woocommerce' | 'generic';
  shopDomain: string;
  baseUrl: string;
  /** The public address of the order in node the shop's webhooks are subscribed to ('' when not set). */
  webhookUrl: string;
  /** Shopify: the location storefront sync reads and sets stock at (gid://shopify/Location/…); empty: the primary one. */
  locationId: string;
  /** Current secret first; the previous one is accepted during a rotation; a Shopify app's client secret last. */
  webhookSecrets(): string[];
  /** The shop's catalogue (variants, quantities, prices) for storefront sync; throws a configuration error. */
  catalogue(): StorefrontCatalogue;
}

/** Secret fields a supplier may need; the editor shows those its connector declares. */
export interface SupplierCredentials {
  apiKey?: string;
  token?: string;
  username?: string;
  password?: string;
  clientId?: string;
  clientSecret?: string;
  sharedSecret?: string;
  inboundSharedSecret?: string;
  privateKey?: string;
  passphrase?: string;
  portalLinkKey?: string;
}

/** What the dispatch node reads from a `dropship-supplier` config node. */
export interface SupplierConfigNode extends Node<SupplierCredentials> {
  supplierId: string;
  connectorKind: string;
  /** The connector's settings, validated against its schema; undefined when invalid (see `settingsError`). */
  settings?: Record<string, unknown>;
  settingsError?: string;
  /** The secrets of its file connection (x12-sftp, csv-sftp), given to the connector with its own. */
  transportCredentials?: Record<string, string | undefined>;
}

/** What carrier polling reads from a `dropship-carrier` config node. */
export interface CarrierConfigNode extends Node<Record<string, string | undefined>> {
  /** ups, fedex, usps or dhl: the carrier whose parcels this account tracks. */
  carrierCode: string;
  /** The connector's settings, validated against its schema; undefined when invalid (see `settingsError`). */
  settings?: Record<string, unknown>;
  settingsError?: string;
}

/** What the notify node reads from a `dropship-mailer` config node. */
export interface MailerConfigNode extends Node<{ user?: string; password?: string }> {
  /** Sends one message through the configured SMTP server; resolves when the server accepted it. */
  sendMail(message: {
    to: string;
    subject: string;
    text: string;
    html: string;
    messageId: string;
  }): Promise<void>;
}
