/**
 * Every test peer a connector test or a conformance harness can stand up, from one place: real servers where
 * one runs on this machine (OpenSSH sshd, Dovecot IMAP, npm smtp-server) and hand-written fakes that follow a
 * third party's published format where none can (a supplier's REST or cXML API).
 */
export { startSftpServer, type SftpTestServer } from '../../servers/sftp-server';
export { startImapServer, type ImapServerOptions, type ImapTestServer } from '../../servers/imap-server';
export { SmtpSink, type ReceivedMail } from '../../support/smtp-sink';
export {
  HttpSupplier,
  dropConnection,
  jsonReply,
  linesReply,
  neverAnswer,
  retryAfterReply,
  slowReply,
  type RecordedRequest,
  type ReplyScript,
  type SupplierReply,
} from '../../support/http-supplier';
export { FakeRestSupplier, type RestSupplierMode } from './rest-supplier';
export { FakeCxmlSupplier, type CxmlSupplierMode, type ReceivedCxmlOrder } from './cxml-supplier';
export { SmtpSupplier, type SmtpSupplierMode } from './smtp-supplier';
export { CuttingProxy } from './cutting-proxy';
export { freePort } from '../../support/free-port';
