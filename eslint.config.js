// Lint rules: typescript-eslint's recommended set, plus the house rules that
// keep promises from floating and the CLI from reaching past the API client.
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'protocol/pb/**', '.tap/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname }
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-empty': ['error', { allowEmptyCatch: true }],
      eqeqeq: ['error', 'smart']
    }
  },
  {
    files: ['agent/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          group: ['**/system.ts', '**/store/**', '**/node/**', '**/identity/**', '**/api/index.ts', '**/metrics/**',
            '**/kube/**', '**/discovery/**', '**/links/**', '**/offers/**', '**/peering/**', '**/tunnels/**',
            '**/scheduler/**', '**/delegation/**', '**/sim/**'],
          message: 'The CLI talks to the agent only through agent/client; it may import API body types from agent/api/routes and the wire logic in protocol/.'
        }]
      }]
    }
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-floating-promises': 'off' }
  },
  {
    files: ['bin/**/*.mjs', 'eslint.config.js'],
    ...tseslint.configs.disableTypeChecked
  }
)
