import { DropshipError, type FieldProblem } from '../../core/errors';

/**
 * A notification channel (SMS gateway, storefront) did not take a message. `retryable` tells the outbox whether to
 * try again (outage, throttling) or to record the failure (invalid number, order gone, credentials refused).
 */
export class ChannelDeliveryError extends DropshipError {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown; details?: FieldProblem[] },
  ) {
    super('delivery_failed', message, options?.details ?? [], options);
    this.name = 'ChannelDeliveryError';
  }
}

export function channelUnavailable(
  message: string,
  retryAfterMs: number | undefined,
  cause?: unknown,
): ChannelDeliveryError {
  return new ChannelDeliveryError(message, true, retryAfterMs, { cause });
}
