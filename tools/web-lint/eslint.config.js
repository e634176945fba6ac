// Lint rules for the web UI: plain ES modules in the browser (and two workers), no build step.
// The rules that matter here catch real bugs (undefined names, unused code, shadowed bindings,
// `==`), and keep peer-supplied text out of HTML (no innerHTML or document.write anywhere).
import js from "@eslint/js";
import globals from "globals";

// Run from the repository root (scripts/lint-web): with --config, paths are relative to the working folder.
export default [
  js.configs.recommended,
  {
    files: ["**/*.js"],
    languageOptions: {
      ecmaVersion: 2024,
      sourceType: "module",
      globals: { ...globals.browser, ...globals.worker },
    },
    rules: {
      eqeqeq: ["error", "always", { null: "ignore" }], // `x == null` is the idiom for null or undefined
      "no-unused-vars": ["error", { args: "after-used", argsIgnorePattern: "^_", caughtErrors: "none" }],
      "no-shadow": "error",
      "no-var": "error",
      "prefer-const": "error",
      "no-implicit-globals": "error",
      "no-restricted-properties": [
        "error",
        { property: "innerHTML", message: "peer-supplied text goes in as text nodes (dom.js)" },
        { property: "outerHTML", message: "peer-supplied text goes in as text nodes (dom.js)" },
        { object: "document", property: "write", message: "never" },
      ],
    },
  },
  {
    // The AudioWorklet runs in its own global scope.
    files: ["**/audio-worklet.js", "**/room-audio-mixer.js"],
    languageOptions: { globals: { ...globals.audioWorklet } },
  },
];
