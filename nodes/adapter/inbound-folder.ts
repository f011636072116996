import { DEFAULT_SETTLE_SECONDS } from '../../core/inbound-files';
import { settleSecondsSchema } from '../../connectors/transports';
import { validateWithInlineSchema } from '../../core/validation/schema-validator';

const settleSettingSchema = {
  type: 'object',
  properties: { settleSeconds: settleSecondsSchema },
  additionalProperties: false,
} as const;

/**
 * The settle time of a node's inbound folder from its "Wait until unchanged" field: text from the editor, absent
 * in flows saved before the field existed (the default then). Anything but a whole number of seconds from 0 to
 * 3600 is refused, naming the field.
 */
export function settleSecondsOf(value: unknown, what: string): number {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
    return DEFAULT_SETTLE_SECONDS;
  }
  return validateWithInlineSchema<{ settleSeconds: number }>(
    settleSettingSchema,
    { settleSeconds: value },
    what,
  ).settleSeconds;
}
