import { DropshipError } from '../../core/errors';

/**
 * A folder or file name as transports accept it: relative, forward slashes, no `..`, no NUL. Names built from
 * data (a PO number in a file name) or listed by a remote server pass through here, so a hostile value can
 * never address a file outside the transport's root.
 */
export function safeRelativePath(value: string, what: string): string {
  const problem = (reason: string): DropshipError =>
    new DropshipError('invalid_input', `${what} "${value.replace(/\0/g, '\\0')}" is refused: ${reason}`, [
      { path: what, message: reason },
    ]);
  if (value.includes('\0')) throw problem('it contains a NUL character');
  if (value.startsWith('/') || value.startsWith('\\') || /^[A-Za-z]:/.test(value)) {
    throw problem('absolute paths are not allowed');
  }
  if (value.includes('\\')) throw problem('backslashes are not allowed');
  const parts = value.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) throw problem('".." (path traversal) is not allowed');
  if (parts.length === 0) throw problem('it is empty');
  return parts.join('/');
}

/** A single file name: a safe relative path without folders. */
export function safeFileName(value: string, what = 'file name'): string {
  const name = safeRelativePath(value, what);
  if (name.includes('/')) {
    throw new DropshipError('invalid_input', `${what} "${value}" is refused: it must not contain "/"`, [
      { path: what, message: 'must not contain "/"' },
    ]);
  }
  return name;
}
