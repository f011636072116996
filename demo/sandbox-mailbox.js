'use strict';
// The demo's mail catcher: a real SMTP server on loopback that keeps every message it accepts as an .eml file
// and writes an index page, served by Node-RED (httpStatic) at /sandbox/mail/. Only `npm start` uses it.
// Mail to the shop's supplier address (SUPPLIER_INBOX) is also delivered, as a mail server would, into the Maildir
// <dir>/supplier-inbox: the demo has no IMAP server, and the tracking-in node reads that folder instead.
const fs = require('node:fs');
const path = require('node:path');

/** The address suppliers send shipping confirmations to (the demo flow's supplier writes there). */
const SUPPLIER_INBOX = 'tracking@demo-shop.example.test';

/** Maildir delivery: written under tmp/, then renamed into new/, so a reader never sees half a message. */
function deliverToMaildir(maildir, id, raw) {
  for (const sub of ['tmp', 'new', 'cur']) fs.mkdirSync(path.join(maildir, sub), { recursive: true });
  const name = `${id}.sandbox`;
  fs.writeFileSync(path.join(maildir, 'tmp', name), raw);
  fs.renameSync(path.join(maildir, 'tmp', name), path.join(maildir, 'new', name));
}

function escapeHtml(text) {
  return String(text).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );
}

/** Replaces a file whole (a new file renamed over it), so a reader never sees it half written. */
function writeWhole(file, text) {
  fs.writeFileSync(`${file}.tmp`, text);
  fs.renameSync(`${file}.tmp`, file);
}

function writeIndex(dir, messages) {
  const rows = messages
    .map(
      (m) =>
        `<tr><td>${escapeHtml(m.date)}</td><td>${escapeHtml(m.to)}</td><td><a href="${m.id}.html">${escapeHtml(m.subject)}</a></td><td><a href="${m.id}.eml">.eml</a></td></tr>`,
    )
    .join('\n');
  writeWhole(
    path.join(dir, 'index.html'),
    `<!doctype html><meta charset="utf-8"><title>Sandbox mailbox</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem}td,th{padding:.3rem .8rem;text-align:left;border-bottom:1px solid #ddd}</style>
<h1>Sandbox mailbox</h1><p>Every e-mail the demo sent, newest first (${messages.length}).</p>
<table><tr><th>Received</th><th>To</th><th>Subject</th><th>Raw</th></tr>${rows}</table>`,
  );
}

/** Starts the catcher; resolves with a close function. */
async function startSandboxMailbox({ port, dir }) {
  const { SMTPServer } = require('smtp-server');
  const { simpleParser } = require('mailparser');
  fs.mkdirSync(dir, { recursive: true });
  const indexFile = path.join(dir, 'messages.json');
  const messages = fs.existsSync(indexFile) ? JSON.parse(fs.readFileSync(indexFile, 'utf8')) : [];
  writeIndex(dir, messages);
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    banner: 'dropship sandbox mailbox',
    onData(stream, session, callback) {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', async () => {
        const raw = Buffer.concat(chunks);
        const id = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
        try {
          if (session.envelope.rcptTo.some((r) => r.address.toLowerCase() === SUPPLIER_INBOX))
            deliverToMaildir(path.join(dir, 'supplier-inbox'), id, raw);
          const mail = await simpleParser(raw);
          fs.writeFileSync(path.join(dir, `${id}.eml`), raw);
          fs.writeFileSync(
            path.join(dir, `${id}.html`),
            mail.html || `<pre>${escapeHtml(mail.text || '')}</pre>`,
          );
          messages.unshift({
            id,
            date: new Date().toISOString(),
            to: mail.to ? mail.to.text : '',
            subject: mail.subject || '(no subject)',
          });
          writeWhole(indexFile, JSON.stringify(messages));
          writeIndex(dir, messages);
          callback();
        } catch (err) {
          callback(err);
        }
      });
    },
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  // The mailbox must not keep the process alive on its own (for example when Node-RED fails to start).
  server.server.unref();
  return () => new Promise((resolve) => server.close(resolve));
}

module.exports = { startSandboxMailbox, SUPPLIER_INBOX };
