import type { RiskScreening } from '../../core/risk/screen-order';
import type { Node } from '../adapter/node-red';

export interface RiskCredentials {
  uspsClientId?: string;
  uspsClientSecret?: string;
}

/** What a router reads from a `dropship-risk` config node. */
export interface RiskConfigNode extends Node<RiskCredentials> {
  /** The rule set with its outside checks; throws a configuration error naming what is wrong. */
  screening(): RiskScreening;
}
