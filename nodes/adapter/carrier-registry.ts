import type { CarrierConfigNode } from './config-nodes';

/**
 * Deployed carrier accounts by carrier code (ups, fedex, usps, dhl). Carrier polling asks the carriers of the
 * parcels it finds here; config nodes add themselves when deployed and leave when closed.
 */
const carriers = new Map<string, CarrierConfigNode>();

export function registerCarrier(node: CarrierConfigNode): void {
  carriers.set(node.carrierCode, node);
  node.on('close', () => {
    if (carriers.get(node.carrierCode) === node) carriers.delete(node.carrierCode);
  });
}

export function deployedCarrier(code: string): CarrierConfigNode | undefined {
  return carriers.get(code);
}

export function deployedCarrierCodes(): string[] {
  return [...carriers.keys()];
}
