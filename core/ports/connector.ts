// What every connector port shares (suppliers, carriers, storefront clients, transports, mailboxes).

/** A JSON Schema (2020-12) object, validated with ajv and rendered as a form in the editor. */
export type JsonSchema = Record<string, unknown>;

/** Logging for connectors: never pass customer names, addresses, e-mails or phones to `info`. */
export interface ConnectorLog {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
}
