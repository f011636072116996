'use strict';
// The demo's EDI trading partner: plays a supplier that receives our X12 850 purchase orders as files in a local
// folder (the x12-sftp connector with the local-folder transport) and answers like a real partner would: an 855
// acknowledgement at once, an 856 ship notice with a UPS tracking number ten seconds later. It uses the
// package's own X12 reader and generators from dist/. Only `npm start` uses it.
const fs = require('node:fs');
const path = require('node:path');

const ENVELOPE = {
  senderQualifier: 'ZZ',
  senderId: 'SANDBOXEDI',
  receiverQualifier: 'ZZ',
  receiverId: 'DROPSHIPDEMO',
  usage: 'T',
};

/** A UPS 1Z number whose check digit is right, so carrier detection recognises it. */
function upsTrackingNumber() {
  const body = `1A2B3C03${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    let v = /[0-9]/.test(c) ? Number(c) : (c.charCodeAt(0) - 63) % 10;
    if (i % 2 === 1) v *= 2;
    sum += v;
  }
  return `1Z${body}${(10 - (sum % 10)) % 10}`;
}

/**
 * Starts the partner on `dir`; resolves with a stop function. The 856 follows the 855 after two of the demo
 * dispatch node's 5 s sweeps, which read the 855: a ship notice read first would leave the acceptance unrecorded.
 */
function startSandboxEdiPartner({ dir, shipAfterMs = 10000, pollMs = 1000 }) {
  const x12 = require('../dist/connectors/edi/x12');
  const outbound = path.join(dir, 'to-supplier');
  const inbound = path.join(dir, 'from-supplier');
  const done = path.join(outbound, 'processed');
  for (const folder of [outbound, inbound, done]) fs.mkdirSync(folder, { recursive: true });
  let control = (Date.now() % 900000) + 1000;
  const timers = new Set();

  /** Writes a document where our connector polls for it, by rename so it is never read half-written. */
  function deliver(name, text) {
    const staging = path.join(dir, `.${name}`);
    fs.writeFileSync(staging, text);
    fs.renameSync(staging, path.join(inbound, name));
  }

  async function answer(file) {
    const text = fs.readFileSync(file, 'utf8');
    for await (const transaction of x12.readX12Transactions(text)) {
      const document = x12.mapX12Transaction(transaction, {
        supplierId: 'sandbox-edi',
        receivedAt: new Date().toISOString(),
      });
      if (document.type !== 'purchase-order') continue;
      const po = document.purchaseOrder;
      const lines = po.lines.map((line) => ({ ...line, status: 'accepted' }));
      deliver(
        `855-${po.poNumber}.edi`,
        x12.generatePurchaseOrderAcknowledgement855(
          { poNumber: po.poNumber, supplierOrderNumber: `EDI-${control}`, lines },
          ENVELOPE,
          { interchange: control++ },
          new Date(),
        ),
      );
      const timer = setTimeout(() => {
        timers.delete(timer);
        const notice = {
          shipmentId: `SHP-${control}`,
          shippedAt: new Date().toISOString(),
          carrierScac: 'UPSN',
          orders: [
            {
              poNumber: po.poNumber,
              packages: [
                {
                  trackingNumber: upsTrackingNumber(),
                  lines: po.lines.map((l) => ({
                    sku: l.sku,
                    supplierSku: l.supplierSku,
                    quantity: l.quantity,
                  })),
                },
              ],
            },
          ],
        };
        deliver(
          `856-${po.poNumber}.edi`,
          x12.generateShipNotice856(notice, ENVELOPE, { interchange: control++ }, new Date()),
        );
      }, shipAfterMs);
      timers.add(timer);
    }
  }

  let busy = false;
  const poll = setInterval(() => {
    if (busy) return;
    busy = true;
    const files = fs
      .readdirSync(outbound, { withFileTypes: true })
      .filter((e) => e.isFile() && !e.name.startsWith('.'));
    (async () => {
      for (const entry of files) {
        const file = path.join(outbound, entry.name);
        try {
          await answer(file);
        } catch (err) {
          console.error(`[dropship] sandbox EDI partner could not read ${entry.name}: ${err.message}`);
        }
        fs.renameSync(file, path.join(done, entry.name));
      }
    })().finally(() => {
      busy = false;
    });
  }, pollMs);
  poll.unref();
  return () => {
    clearInterval(poll);
    for (const timer of timers) clearTimeout(timer);
  };
}

module.exports = { startSandboxEdiPartner };
