// Flat config: typescript-eslint's type-aware rules for TypeScript, the plain recommended set for the few JS files.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/** Imports that would tie `layer` to Node-RED: a node, the runtime, or its packages. */
function frameworkRestrictions(layer) {
  return [
    {
      regex: '(^|/)nodes(/|$)',
      message: `${layer} must not import a Node-RED node: nodes adapt core and connectors.`,
    },
    { regex: '^(node-red|@node-red/.*)$', message: `${layer} must stay free of Node-RED.` },
  ];
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.node-red/**', 'test-artifacts/**'] },
  js.configs.recommended,
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // The editor scripts run in the browser (type-checked by tsconfig.editor.json, `// @ts-check`).
    files: ['resources/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: { ...globals.browser, ...globals.jquery, RED: 'readonly', DropshipEditor: 'writable' },
    },
    // Node-RED shows a validator's sentence only when the validator takes two parameters, (value, opt).
    rules: { 'no-unused-vars': ['error', { argsIgnorePattern: '^opt$' }] },
  },
  {
    files: ['**/*.ts'],
    ignores: ['editor/**/*.d.ts'], // declarations of the editor's globals, checked by tsconfig.editor.json
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'error',
      // Engines with synchronous drivers implement the async store interface with async methods that never await.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
    },
  },
  // The import rule: core owns the ports it calls and depends on nothing outside itself; connectors implement
  // those ports and never reach into Node-RED or a node; nodes adapt both to Node-RED.
  {
    files: ['core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)connectors(/|$)',
              message: 'core calls connectors through the interfaces in core/ports.',
            },
            ...frameworkRestrictions('core'),
          ],
        },
      ],
    },
  },
  {
    files: ['connectors/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: frameworkRestrictions('a connector') }] },
  },
  {
    // Node-RED constructors hand `this` to callbacks; `const node = this` is the runtime's own documented idiom.
    files: ['nodes/**/*.ts'],
    rules: { '@typescript-eslint/no-this-alias': 'off' },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
