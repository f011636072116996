import type { X12SftpSettings } from '../../connectors/suppliers/x12-sftp/x12-sftp';

/**
 * The settings of "acme", the X12 trading partner the tests exchange files with: our envelope DROPSHIPCO, theirs
 * ACMESUPPLY (the fixtures' ISA ids), and its folders on the given transport.
 */
export function acmeX12Settings(transport: X12SftpSettings['transport']): X12SftpSettings {
  return {
    transport,
    envelope: {
      senderQualifier: 'ZZ',
      senderId: 'DROPSHIPCO',
      receiverQualifier: 'ZZ',
      receiverId: 'ACMESUPPLY',
      usage: 'T',
    },
    outboundFolder: 'to-acme',
    inboundFolder: 'from-acme',
    archiveFolder: 'from-acme/archive',
    errorFolder: 'from-acme/error',
  };
}
