/** A file in a transport folder. */
export interface TransportFile {
  name: string;
  size: number;
  modifiedAt: Date;
}

/**
 * Where file-based connectors (X12, CSV) exchange documents with a supplier: an SFTP server, or a local folder
 * for the demo. Folders and names are relative to the transport's root; absolute paths, `..` and NUL are refused.
 */
export interface FileTransport {
  /** Writes atomically: the content goes to a temporary name in the folder, then is renamed to `name`. */
  put(folder: string, name: string, content: string | Buffer): Promise<void>;
  exists(folder: string, name: string): Promise<boolean>;
  /** Regular files only, oldest first. */
  list(folder: string): Promise<TransportFile[]>;
  /** A stream of the file's bytes: large inbound files are never read whole. */
  openRead(folder: string, name: string): Promise<NodeJS.ReadableStream>;
  /** Moves a file to another folder (created if missing), replacing a file of the same name there. */
  move(fromFolder: string, name: string, toFolder: string): Promise<void>;
  close(): Promise<void>;
}

/** Temporary names of in-flight uploads: pollers skip them, so a half-written file is never read. */
export function temporaryName(name: string): string {
  return `.${name}.${process.pid}.${Date.now().toString(36)}.part`;
}

export function isTemporaryName(name: string): boolean {
  return name.startsWith('.') && name.endsWith('.part');
}
