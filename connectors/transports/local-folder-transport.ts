import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DropshipError } from '../../core/errors';
import { temporaryName, type FileTransport, type TransportFile } from '../../core/ports/file-transport';
import { safeFileName, safeRelativePath } from './safe-path';

/**
 * A folder on this machine behaving like a supplier's SFTP server: the demo's sandbox supplier reads the POs
 * from it and drops its answers into it. Same contract as SFTP, including write-then-rename.
 */
export class LocalFolderTransport implements FileTransport {
  private readonly root: string;

  constructor(root: string) {
    if (!path.isAbsolute(root)) {
      throw new DropshipError(
        'configuration',
        `local folder transport root "${root}" must be an absolute path`,
      );
    }
    this.root = path.resolve(root);
  }

  private folderPath(folder: string): string {
    return path.join(this.root, safeRelativePath(folder, 'folder'));
  }

  async put(folder: string, name: string, content: string | Buffer): Promise<void> {
    const dir = this.folderPath(folder);
    const final = path.join(dir, safeFileName(name));
    await mkdir(dir, { recursive: true });
    const temporary = path.join(dir, temporaryName(path.basename(final)));
    await writeFile(temporary, content, { flag: 'wx' });
    await rename(temporary, final);
  }

  async exists(folder: string, name: string): Promise<boolean> {
    try {
      return (await stat(path.join(this.folderPath(folder), safeFileName(name)))).isFile();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  async list(folder: string): Promise<TransportFile[]> {
    const dir = this.folderPath(folder);
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const files: TransportFile[] = [];
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      const info = await stat(path.join(dir, entry.name));
      files.push({ name: entry.name, size: info.size, modifiedAt: info.mtime });
    }
    return files.sort(
      (a, b) => a.modifiedAt.getTime() - b.modifiedAt.getTime() || a.name.localeCompare(b.name),
    );
  }

  async openRead(folder: string, name: string): Promise<NodeJS.ReadableStream> {
    const file = path.join(this.folderPath(folder), safeFileName(name));
    await stat(file); // fail here, not on the stream's first read, when the file is gone
    return createReadStream(file);
  }

  async move(fromFolder: string, name: string, toFolder: string): Promise<void> {
    const file = safeFileName(name);
    const target = this.folderPath(toFolder);
    await mkdir(target, { recursive: true });
    await rename(path.join(this.folderPath(fromFolder), file), path.join(target, file));
  }

  async close(): Promise<void> {
    // Nothing held open: streams are closed by their readers.
  }
}
