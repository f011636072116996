// What every connector port shares (suppliers, carriers, storefront clients, transports, mailboxes).

/** A JSON Schema (2020-12) object, validated with ajv and rendered as a form in the editor. */
export type JsonSchema = Record<string, unknown>;

/** Logging for connectors: never pass customer names, addresses, e-mails or phones to `info`. */
export interface ConnectorLog {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
}

/**
 * A choice in the settings that a field belongs to: `{ setting: 'auth', values: ['api-key'] }`. `setting` is a
 * dot path into the settings (`transport.type`); an absent setting counts as its schema default.
 */
export interface SettingCondition {
  setting: string;
  values: readonly (string | number | boolean)[];
}

/**
 * A secret (or account name) the connector reads from `ctx.credentials`. The config node stores it in Node-RED
 * credentials (never in the flow) and the editor draws an input for it: `password` and `multiline` (a private
 * key) are hidden once saved, `text` (a user name, a client id) is shown. With `when`, the field belongs to one
 * choice of the settings (an authentication method) and is hidden, and cleared on save, under any other.
 */
export interface CredentialField {
  name: string;
  label: string;
  type: 'password' | 'text' | 'multiline';
  when?: SettingCondition;
}
