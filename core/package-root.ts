import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

let cached: string | undefined;

/** The package's own folder, whether this code runs from the TypeScript sources or from dist/. */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      const { name } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string };
      if (name === '@node-red-contrib-dropship/node-red-contrib-dropship') return (cached = dir);
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('node-red-contrib-dropship: cannot find the package folder');
    dir = parent;
  }
}
