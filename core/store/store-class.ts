/**
 * A class an engine's area mixin extends or adds (core/store/sqlite, core/store/postgres): TypeScript requires a
 * mixin's constructor type to take `any[]` (TS2545).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type StoreClass<T> = abstract new (...args: any[]) => T;
