import { DropshipError } from '../../core/errors';
import { onInput, rethrowUnlessMessageProblem } from '../adapter/input-handler';
import type { NodeMessage, SendFunction } from '../adapter/node-red';
import type { TrackingInContext } from './context';
import { documentFormat, readShipNotice } from './documents';
import type { JsonReports } from './json-reports';

/** Shipment news in messages: JSON reports, or the text of an X12 856 or a cXML ShipNoticeRequest. */
export function handleMessages(context: TrackingInContext, reports: JsonReports): void {
  const { node } = context;

  async function takeDocument(text: string, msg: NodeMessage, send: SendFunction): Promise<void> {
    let reading;
    try {
      reading = await readShipNotice(text, { ...context.documentContext, receivedAt: new Date() });
    } catch (err) {
      rethrowUnlessMessageProblem(err);
      context.exception(msg, err, send);
      return;
    }
    await context.recordEvents(reading.events, msg, send);
    await context.acknowledgeGroups(reading.receipts, msg);
    if (reading.problems.length > 0)
      context.exception(
        msg,
        new DropshipError('invalid_input', `${reading.format} ship notice has problems`, reading.problems),
        send,
      );
  }

  onInput(node, async (msg, send) => {
    const source = typeof msg.topic === 'string' && msg.topic ? msg.topic : 'message';
    const payload = msg.payload;
    if (typeof payload === 'string' || Buffer.isBuffer(payload)) {
      const text = payload.toString();
      const format = documentFormat(text);
      if (format === 'x12' || format === 'cxml') {
        await takeDocument(text, msg, send);
        return;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        context.exception(
          msg,
          new DropshipError('invalid_input', 'msg.payload is not JSON, an X12 856 or a cXML ship notice', [
            { path: 'msg.payload', message: 'must be a report (object or list), X12 or cXML text' },
          ]),
          send,
        );
        return;
      }
      await reports.take(parsed, source, msg, send);
      return;
    }
    await reports.take(payload, source, msg, send);
  });
}
