import type { ConformanceHarness } from './harness';
import { cxmlHarness, emailHarness, restJsonHarness } from './http-peers.harness';
import { csvSftpHarness, x12SftpHarness } from './sftp-peers.harness';

/** One harness per connector kind; the conformance suite refuses a registered connector without one. */
export const CONFORMANCE_HARNESSES: readonly ConformanceHarness[] = [
  restJsonHarness,
  cxmlHarness,
  emailHarness,
  x12SftpHarness,
  csvSftpHarness,
];
