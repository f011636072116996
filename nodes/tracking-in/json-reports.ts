import { asDropshipError, DropshipError, type DropshipErrorCode } from '../../core/errors';
import { parseJsonBody } from '../../core/http-body';
import type { ShipmentResult } from '../../core/store/order-store';
import { recordShipment, shipmentEventFromReport } from '../../core/tracking/record-shipment';
import {
  compileReportMapping,
  mapShipmentReports,
  type ReportMapping,
} from '../../core/tracking/report-mapping';
import { boundedErrorJson, mountEndpoint } from '../adapter/http-endpoint';
import { rethrowUnlessMessageProblem } from '../adapter/input-handler';
import { rateLimitedWarning, sendOfNode, type NodeMessage, type SendFunction } from '../adapter/node-red';
import { senderCheckOf, senderGate, senderSecretsOf, type SenderGate } from '../adapter/sender-auth';
import type { TrackingInContext, TrackingInNodeDef } from './context';

/**
 * Shipment reports as JSON, read through the JSON paths configured in the editor: from the node's webhook (a
 * carrier's or supplier's push) and from messages.
 */

/** Shipment reports one request or message may carry; more are refused whole, before any is recorded. */
const MAX_REPORTS = 500;
/** Field problems an exception about refused reports lists. */
const MAX_REPORTED_PROBLEMS = 10;

function withPathPrefix(error: DropshipError, prefix: string): DropshipError {
  const details = error.details.length > 0 ? error.details : [{ path: '', message: error.message }];
  return new DropshipError(
    error.code,
    error.message,
    details.map((d) => ({ path: `${prefix}${d.path}`, message: d.message })),
  );
}

const HTTP_STATUS: Partial<Record<DropshipErrorCode, number>> = {
  invalid_input: 422,
  not_found: 404,
  bad_signature: 401,
};

function parseMapping(raw: TrackingInNodeDef['mapping']): ReportMapping {
  if (typeof raw === 'string') return raw ? (JSON.parse(raw) as ReportMapping) : {};
  return raw ?? {};
}

export interface TakenReports {
  recorded: ShipmentResult[];
  refusal?: DropshipError;
  unverified: { trackingNumber: string; reason: string }[];
}

export interface JsonReports {
  /** False when the node's mapping is invalid (reported once at start). */
  usable: boolean;
  /**
   * One report or a list of them (read through the mapping); each is recorded on its own. Whatever fails is
   * reported once per call: one exception message, one (rate-limited) warning, however many reports it holds.
   */
  take(
    body: unknown,
    source: string,
    msg: NodeMessage,
    send: SendFunction,
    scope?: { supplierId?: string },
  ): Promise<TakenReports>;
}

export function jsonReports(context: TrackingInContext): JsonReports {
  const { node, config, actor, invalidTracking } = context;
  let mapping: ReturnType<typeof compileReportMapping> | undefined;
  try {
    mapping = compileReportMapping(parseMapping(config.mapping));
  } catch (err) {
    const { message } = asDropshipError(err);
    node.error(message);
    context.status.show('failed', 'mappingInvalid', { reason: message });
  }
  const refusalWarnings = rateLimitedWarning(node);
  const unverifiedWarnings = rateLimitedWarning(node);

  /** The one exception and warning for the reports of one call that were refused; the first reason leads. */
  function refuse(
    msg: NodeMessage,
    errors: DropshipError[],
    reportCount: number,
    send: SendFunction,
  ): DropshipError {
    const [first] = errors as [DropshipError];
    const refusal =
      errors.length === 1
        ? first
        : new DropshipError(
            first.code,
            `${errors.length} of ${reportCount} shipment reports refused; the first: ${first.message}`,
            errors.flatMap((e) => e.details).slice(0, MAX_REPORTED_PROBLEMS),
          );
    context.exception({ ...msg, payload: { refused: errors.length, of: reportCount } }, refusal, send);
    refusalWarnings(`shipment report refused: ${boundedErrorJson(refusal).message}`);
    return refusal;
  }

  async function take(
    body: unknown,
    source: string,
    msg: NodeMessage,
    send: SendFunction,
    scope: { supplierId?: string } = {},
  ): Promise<TakenReports> {
    const recorded: ShipmentResult[] = [];
    const unverified: { trackingNumber: string; reason: string }[] = [];
    if (!mapping)
      throw new DropshipError('configuration', 'the report mapping of this node is invalid', [
        { path: 'mapping', message: 'fix the JSON paths in the node' },
      ]);
    let reports: unknown[];
    try {
      reports = mapShipmentReports(body, mapping);
      if (reports.length > MAX_REPORTS)
        throw new DropshipError(
          'invalid_input',
          `${reports.length} shipment reports in one request, more than the ${MAX_REPORTS} one may carry`,
          [{ path: '', message: `has more than ${MAX_REPORTS} reports` }],
        );
    } catch (err) {
      return { recorded, unverified, refusal: refuse(msg, [asDropshipError(err)], 1, send) };
    }
    const errors: { index: number; error: DropshipError }[] = [];
    for (const [index, report] of reports.entries()) {
      try {
        if (!report || typeof report !== 'object')
          throw new DropshipError('invalid_input', 'a shipment report must be an object', [
            { path: '', message: 'must be an object' },
          ]);
        const event = shipmentEventFromReport(report, source, new Date(), invalidTracking);
        const result = await recordShipment(await context.store(), event, actor, scope);
        recorded.push(result);
        if (event.unverified) {
          unverified.push({ trackingNumber: event.trackingNumber, reason: event.unverified });
          unverifiedWarnings(`parcel kept unverified, without carrier or link: ${event.unverified}`);
        }
        context.announce(result, event, msg, send);
      } catch (err) {
        rethrowUnlessMessageProblem(err);
        errors.push({ index, error: err });
      }
    }
    if (errors.length === 0) return { recorded, unverified };
    const refusal = refuse(
      msg,
      errors.map(({ index, error }) => (reports.length === 1 ? error : withPathPrefix(error, `/${index}`))),
      reports.length,
      send,
    );
    return { recorded, unverified, refusal };
  }

  return { usable: mapping !== undefined, take };
}

/**
 * The node's webhook (unless "Listen" is off): a carrier's or supplier's push of JSON reports, its sender
 * authenticated first. Reports of a webhook are from the selected supplier only: its POs, no other supplier's.
 */
export function mountReportWebhook(context: TrackingInContext, reports: JsonReports): SenderGate | undefined {
  const { RED, node, config, credentials, supplier, supplierId } = context;
  if (config.listen === false) return undefined;
  const gate = senderGate(RED, node, {
    check: senderCheckOf(config),
    secrets: () => senderSecretsOf(config, credentials),
    secretPlace: "the node's sender secret",
  });
  const webhookScope = supplier ? { supplierId } : {};
  const send: SendFunction = sendOfNode(node);
  mountEndpoint(
    RED,
    node,
    'post',
    config.path || '/dropship/tracking',
    async (req) => {
      const refusal = gate.refusal(req);
      if (refusal) return refusal.reply;
      let payload: unknown;
      try {
        payload = parseJsonBody(req.rawBody);
      } catch (err) {
        const error = asDropshipError(err);
        return { status: 400, body: { error: boundedErrorJson(error) } };
      }
      const {
        recorded,
        unverified,
        refusal: refused,
      } = await reports.take(payload, 'webhook', {}, send, webhookScope);
      const error = refused && boundedErrorJson(refused);
      if (error && recorded.length === 0)
        return { status: HTTP_STATUS[refused.code] ?? 500, body: { errors: [error] } };
      return {
        status: 200,
        body: {
          recorded: recorded.length,
          duplicates: recorded.filter((r) => !r.created).length,
          errors: error ? [error] : [],
          ...(unverified.length > 0 ? { unverified: unverified.slice(0, MAX_REPORTED_PROBLEMS) } : {}),
        },
      };
    },
    { maxItems: MAX_REPORTS },
  );
  return gate;
}
