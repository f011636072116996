import { DropshipError } from '../../core/errors';
import type { StorefrontIntake } from '../../core/ports/storefront-intake';
import { genericJsonIntake } from './generic-json';
import { shopifyIntake } from './shopify';
import { wooCommerceIntake } from './woocommerce';

const INTAKES: Record<string, StorefrontIntake> = {
  shopify: shopifyIntake,
  woocommerce: wooCommerceIntake,
  generic: genericJsonIntake,
};

export function storefrontIntake(platform: string): StorefrontIntake {
  const intake = INTAKES[platform];
  if (!intake)
    throw new DropshipError('configuration', `unknown storefront platform "${platform}"`, [
      { path: 'platform', message: `must be one of ${Object.keys(INTAKES).join(', ')}` },
    ]);
  return intake;
}
