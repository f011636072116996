'use strict';
// The demo's sandbox supplier e-mails its shipping confirmation, as many small suppliers do: a plain-text mail
// quoting the PO number and the tracking number, sent over SMTP to the shop's supplier address at the sandbox
// mailbox. Run by the flow's exec node with one argument, base64url JSON {poNumber, trackingNumber, carrier};
// prints the SMTP server's answer. Only `npm start` uses it.
const nodemailer = require('nodemailer');
const { SUPPLIER_INBOX } = require('./sandbox-mailbox');

async function main() {
  const { poNumber, trackingNumber, carrier } = JSON.parse(
    Buffer.from(process.argv[2] || '', 'base64url').toString(),
  );
  if (!poNumber || !trackingNumber)
    throw new Error('usage: sandbox-supplier-mail.js <base64url {poNumber, trackingNumber, carrier}>');
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: Number(process.env.DROPSHIP_DEMO_SMTP_PORT || 2525),
    secure: false,
    ignoreTLS: true,
  });
  const info = await transport.sendMail({
    from: 'Sandbox Supply Co. <shipping@sandbox-supplier.example>',
    to: SUPPLIER_INBOX,
    subject: `Shipment confirmation for PO ${poNumber}`,
    text: [
      'Hello,',
      '',
      `Your purchase order ${poNumber} has shipped today via ${carrier || 'UPS'} Ground.`,
      '',
      `  Tracking number: ${trackingNumber}`,
      '',
      'Sandbox Supply Co. - Warehouse 1',
    ].join('\n'),
  });
  process.stdout.write(`${info.response}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err.message}\n`);
  process.exitCode = 1;
});
