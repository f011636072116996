import { DropshipError } from './errors';

/**
 * The libraries of one feature each (SQLite and PostgreSQL stores, SFTP, IMAP, SMTP, MIME, CSV, tracking-number
 * detection) are optionalDependencies: `npm install` installs them, but a platform where one fails to build or
 * download (better-sqlite3 and ssh2 compile native code) still gets the package, and every feature that does not
 * need it works. The feature that needs it loads it here, on first use, and says what is missing and how to add it.
 */
export interface OptionalPackages {
  'better-sqlite3': typeof import('better-sqlite3');
  'csv-parse/sync': typeof import('csv-parse/sync');
  imapflow: typeof import('imapflow');
  mailparser: typeof import('mailparser');
  nodemailer: typeof import('nodemailer');
  pg: typeof import('pg');
  'ssh2-sftp-client': typeof import('ssh2-sftp-client');
  'ts-tracking-number': typeof import('ts-tracking-number');
}

/** The npm package a module specifier belongs to (`csv-parse/sync` -> `csv-parse`). */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/**
 * Loads one of the optional packages for `feature` (a phrase such as "the PostgreSQL store"). require rather
 * than import(): callers are synchronous in places, and Node caches the module after the first call.
 */
export function requireOptionalPackage<Name extends keyof OptionalPackages>(
  specifier: Name,
  feature: string,
): OptionalPackages[Name] {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(specifier) as OptionalPackages[Name];
  } catch (err) {
    const missing =
      (err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' &&
      String((err as Error).message).includes(`'${specifier}'`);
    if (!missing) throw err;
    const name = packageOf(specifier);
    throw new DropshipError(
      'configuration',
      `${feature} needs the npm package "${name}", which is not installed (it is an optional dependency and may ` +
        `have failed to build on this machine): run "npm install ${name}" in the Node-RED user directory, then restart Node-RED`,
      [],
      { cause: err },
    );
  }
}
