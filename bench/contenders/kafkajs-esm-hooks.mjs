// Module hooks for the diagnostic port contender only: Node's ESM loader cannot
// see kafkajs's named exports (its module.exports object ends in a spread), so
// `import { ConfigResourceTypes } from "kafkajs"` in runtime/broker/kafka fails
// outside vitest. This serves kafkajs to ESM importers as a module that
// re-exports every property of the CommonJS object.
export async function load(url, context, nextLoad) {
  if (!/\/node_modules\/kafkajs\/index\.js$/.test(url) || context.format === "commonjs-passthrough") return nextLoad(url, context);
  const { createRequire } = await import("node:module");
  const names = Object.keys(createRequire(url)(new URL(url).pathname)).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n));
  const source = [
    `import { createRequire } from "node:module";`,
    `const cjs = createRequire(${JSON.stringify(url)})(${JSON.stringify(new URL(url).pathname)});`,
    `export default cjs;`,
    ...names.map((n) => `export const ${n} = cjs.${n};`),
  ].join("\n");
  return { format: "module", source, shortCircuit: true };
}
