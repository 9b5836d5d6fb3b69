// ESLint for gokac: typescript-eslint's recommended rules, type-aware where it
// catches real runtime bugs (promises nobody awaits), on every hand-written file.
// Formatting is Prettier's job (npm run format); nothing here fights it.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    // generated/ is the compiler's output (type-checked by tsc, not linted); goldens and fixtures are data.
    ignores: [
      "node_modules/**",
      "dist/**",
      "generated/**",
      "test/golden/**/expected/**",
      "test/**/fixtures/**",
      "test/types/fail/**",
      "bench/results/**",
      "bench/goka/**",
      "bench/kstreams/**",
      "bench/.build/**",
      ".kafka/**",
      ".state/**",
      ".scratch-*/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A promise nobody awaits loses its error: in a stream processor that is a lost failure.
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { arguments: false } }],
      "@typescript-eslint/await-thenable": "error",
      // Unused bindings are tsc's job (noUnusedLocals); `_`-prefixed parameters document an unused slot.
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      // Import types as types (verbatimModuleSyntax needs it anyway).
      "@typescript-eslint/consistent-type-imports": "error",
      // Kafka and LevelDB loops are written as `for (;;)` with explicit exits.
      "no-constant-condition": ["error", { checkLoops: false }],
      eqeqeq: ["error", "always", { null: "ignore" }],
      // A binding read by closures declared before its one assignment (a consumer its callbacks use) stays `let`.
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
      // The graph and processor types use `any` on purpose where a group of any value type must fit one slot
      // (handler parameter variance); strict tsc checks everything else, and `unknown` is the norm elsewhere.
      "@typescript-eslint/no-explicit-any": "off",
    },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        URL: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        Buffer: "readonly",
      },
    },
  },
);
