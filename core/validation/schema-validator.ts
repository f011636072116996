import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import { invalidInput, type FieldProblem } from '../errors';
import { packageRoot } from '../package-root';
import { addStringFormats, FORMAT_WORDS } from './formats';

const SCHEMA_BASE = 'https://node-red-contrib-dropship.github.io/schemas/';

let ajv: Ajv2020 | undefined;
let settingsAjv: Ajv2020 | undefined;

/** An ajv instance with every schema of schemas/ registered, so schemas can $ref each other by file name. */
function createRegistry(coerceTypes: boolean): Ajv2020 {
  // verbose: each error carries its schema, where the words for a pattern are.
  const instance = new Ajv2020({
    allErrors: true,
    strict: true,
    allowUnionTypes: true,
    coerceTypes,
    verbose: true,
  });
  addStringFormats(instance);
  // Annotations for the editor (the fields a request template may name): no validation of their own.
  instance.addKeyword({ keyword: 'x-template-fields', schemaType: 'object' });
  // An annotation beside a pattern or format: what a valid value is, in words ("a three-letter ISO 4217 code").
  instance.addKeyword({ keyword: 'mustBe', schemaType: 'string' });
  const dir = path.join(packageRoot(), 'schemas');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.schema.json'))) {
    instance.addSchema(JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as object);
  }
  return instance;
}

/** Documents (orders, events, rules) are validated strictly: a number sent as text is an error. */
export function schemaRegistry(): Ajv2020 {
  return (ajv ??= createRegistry(false));
}

/**
 * Node and connector settings come from editor fields and from `${ENV}` substitution, both of which give text:
 * "2525" for a port is what the operator meant, so settings are coerced to their schema's types.
 */
function settingsRegistry(): Ajv2020 {
  return (settingsAjv ??= createRegistry(true));
}

const compiled = new Map<string, ValidateFunction>();

function validatorFor(schemaFile: string): ValidateFunction {
  let validate = compiled.get(schemaFile);
  if (!validate) {
    const found = schemaRegistry().getSchema(SCHEMA_BASE + schemaFile);
    if (!found) throw new Error(`schema ${schemaFile} is not registered`);
    validate = found;
    compiled.set(schemaFile, validate);
  }
  return validate;
}

/** A pattern or format in words: the schema's own `mustBe`, else the format's. A regular expression is not. */
function mustBe(error: ErrorObject): string | undefined {
  const words = (error.parentSchema as { mustBe?: unknown } | undefined)?.mustBe;
  if (typeof words === 'string') return words;
  return error.keyword === 'format' ? FORMAT_WORDS[(error.params as { format: string }).format] : undefined;
}

/** ajv's errors as one problem per field, in words an operator can act on. */
export function describeSchemaErrors(errors: ErrorObject[] | null | undefined): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const error of errors ?? []) {
    // "anyOf" repeats its branches' errors; the branches' own messages are clearer.
    if (error.keyword === 'anyOf' || error.keyword === 'if') continue;
    let fieldPath = error.instancePath;
    let message = error.message ?? 'is invalid';
    if (error.keyword === 'required') {
      fieldPath = `${fieldPath}/${(error.params as { missingProperty: string }).missingProperty}`;
      message = 'is required';
    } else if (error.keyword === 'additionalProperties') {
      fieldPath = `${fieldPath}/${(error.params as { additionalProperty: string }).additionalProperty}`;
      message = 'is not a known field';
    } else if (error.keyword === 'enum') {
      message = `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
    } else if (error.keyword === 'pattern' || error.keyword === 'format') {
      const words = mustBe(error);
      if (words) message = `must be ${words}`;
    }
    if (!problems.some((p) => p.path === fieldPath && p.message === message)) {
      problems.push({ path: fieldPath, message });
    }
  }
  return problems;
}

/**
 * Validates a value against one of the package's schemas and returns it typed, or throws a DropshipError
 * whose details name every offending field.
 */
export function validateWithSchema<T>(schemaFile: string, value: unknown, what: string): T {
  const validate = validatorFor(schemaFile);
  if (!validate(value)) throw invalidInput(what, describeSchemaErrors(validate.errors));
  return value as T;
}

/**
 * Validates settings against a schema given inline (connector and node settings), compiled once per schema
 * object; values are coerced to the schema's types in place.
 */
const inlineCompiled = new WeakMap<object, ValidateFunction>();
export function validateWithInlineSchema<T>(schema: object, value: unknown, what: string): T {
  let validate = inlineCompiled.get(schema);
  if (!validate) {
    validate = settingsRegistry().compile(schema);
    inlineCompiled.set(schema, validate);
  }
  if (!validate(value)) throw invalidInput(what, describeSchemaErrors(validate.errors));
  return value as T;
}
