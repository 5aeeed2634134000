// ESLint flat config: TypeScript + Vue rules, and the layering of house style §4.1.1 enforced with
// `no-restricted-imports` per folder (a later block replaces an earlier one's rule options for the
// same files, so each block lists the complete set for its folder).
import js from '@eslint/js';
import vue from 'eslint-plugin-vue';
import globals from 'globals';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const nodeBuiltins = { group: [...builtinModules.filter((m) => !m.startsWith('_')), 'node:*'], message: 'This layer must not use Node APIs.' };
const electron = { group: ['electron', 'electron/*'], message: 'Only main/electron/** may import electron (house style §4.1.1).' };
const vueOrPinia = { group: ['vue', 'pinia', '@vue/*'], message: 'shared/ stays framework-free.' };
const tensorflow = { group: ['@tensorflow/*'], message: 'shared/ must not depend on TensorFlow.' };
const intoMain = { regex: '^(\\.\\.?/)+(.*/)?main(/|$)', message: 'Only main-side code may import from main/.' };
const intoRenderer = { regex: '^(\\.\\.?/)+(.*/)?renderer(/|$)', message: 'Only the renderer may import from renderer/.' };
const restrict = (...patterns) => ['error', { patterns }];

export default tseslint.config(
  {
    ignores: ['node_modules/', 'out/', 'dist/', 'dist-electron/', 'release/', 'coverage/', 'test-results/', 'playwright-report/', '.tmp/', 'demo/', 'test/fixtures/']
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  // Formatting belongs to the formatter (house style §4.11), not to lint.
  vue.configs['no-layout-rules'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'], sourceType: 'module' } }
  },
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }]
    }
  },
  {
    files: ['renderer/**/*.{ts,vue}'],
    languageOptions: { globals: { ...globals.browser } }
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' }
  },
  // --- Layering (house style §4.1.1) ---
  { files: ['shared/**/*.ts'], rules: { 'no-restricted-imports': restrict(nodeBuiltins, electron, vueOrPinia, tensorflow, intoMain, intoRenderer) } },
  { files: ['renderer/**/*.{ts,vue}'], rules: { 'no-restricted-imports': restrict(nodeBuiltins, electron, intoMain) } },
  { files: ['main/**/*.ts'], ignores: ['main/electron/**'], rules: { 'no-restricted-imports': restrict(electron, intoRenderer) } },
  { files: ['main/electron/**/*.ts'], rules: { 'no-restricted-imports': restrict(intoRenderer) } }
);
