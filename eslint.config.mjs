// Strict, type-aware lint. Architecture rules: libs are used through their public index (no deep imports), and
// only the storage libs (stream: Redis, store: QuestDB) touch the database clients.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const storageClients = ['ioredis', '@questdb/nodejs-client', 'pg'].map((name) => ({
  name,
  message: 'Only libs/stream (Redis) and libs/store (QuestDB) use database clients; go through their public API.',
}));
const deepImports = [
  { group: ['@clicks/*/*'], message: 'Import a lib through its index (@clicks/<lib>), not its files.' },
  { group: ['**/libs/**', '../../*/src/*'], message: 'Import libs by their @clicks/<lib> alias.' },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.data/**', '.cache/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/explicit-module-boundary-types': 'off',
      '@typescript-eslint/consistent-type-imports': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { paths: storageClients, patterns: deepImports }],
    },
  },
  {
    files: ['libs/stream/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: storageClients.filter((c) => c.name !== 'ioredis'), patterns: deepImports },
      ],
    },
  },
  {
    files: ['libs/store/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: storageClients.filter((c) => c.name === 'ioredis'), patterns: deepImports },
      ],
    },
  },
  {
    files: ['test/**/*.ts', '**/*.spec.ts', 'bench/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
);
