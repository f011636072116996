/// <reference types="node-red__editor-client" />

/**
 * The editor's globals as the package's editor scripts (resources/*.js, checked with `// @ts-check` by
 * tsconfig.editor.json) use them: the part of Node-RED's editor API they call, typed for how they call it.
 */

/** A node or config node in the editor: its saved properties and the editor's own fields. */
interface EditorNode {
  id: string;
  type: string;
  z?: string;
  d?: boolean;
  valid?: boolean;
  name?: string;
  _def: EditorNodeDefinition;
  /** The node type's own properties (its `defaults`), as saved: each dialog knows what it keeps there. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [property: string]: any;
}

/** A property of a node type's `defaults`. */
interface EditorPropertyDefinition {
  value: unknown;
  type?: string;
  required?: boolean;
  validate?: (this: EditorNode, value: unknown, opt?: unknown) => boolean | string | string[];
}

/** What `RED.nodes.registerType` is given. */
interface EditorNodeDefinition {
  category?: string;
  defaults: Record<string, EditorPropertyDefinition>;
  credentials?: Record<
    string,
    { type: 'text' | 'password'; validate?: (value: unknown, opt?: unknown) => unknown }
  >;
  [option: string]: unknown;
}

interface EditorRED {
  /** A message of a node's catalogue: "<module>/<set>:<key>". */
  _(key: string, options?: Record<string, unknown>): string;
  nodes: {
    registerType(type: string, definition: EditorNodeDefinition): void;
    node(id: string): EditorNode | undefined;
    getType(type: string): EditorNodeDefinition;
    eachNode(visit: (node: EditorNode) => void | boolean): void;
    eachConfig(visit: (node: EditorNode) => void | boolean): void;
    id(): string;
    add(node: Record<string, unknown>): EditorNode;
    dirty(dirty?: boolean): boolean;
  };
  editor: {
    validateNode(node: EditorNode): boolean;
    createEditor(options: Record<string, unknown>): {
      getValue(): string;
      setValue(text: string, cursor?: number): void;
      destroy(): void;
    };
  };
  utils: { getNodeLabel(node: EditorNode, fallback?: string): string };
  view: { redraw(full?: boolean): void };
  settings: { httpNodeRoot: string; [setting: string]: unknown };
}

declare const RED: EditorRED;

/** The shared helpers of resources/dropship-editor.js and the dialogs' own (resources/dropship-<node>-editor.js). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
declare var DropshipEditor: Record<string, any>;
