/**
 * The files of a new project made by `gokac init`: a counter group over a
 * string topic, its handler, a vitest unit test on the in-memory tester, a
 * declarative test, editor settings that check every document of every spec
 * file against the schema shipped in the package, and a README.
 */

/** What the templates need to know. */
export interface ProjectTemplateInput {
  /** The package name (the folder's name, made npm-safe). */
  readonly name: string;
  /** The dependency spec of gokac (`^0.1.0`, `file:…`). */
  readonly gokac: string;
  /** Versions of typescript, vitest and @types/node, as gokac itself uses them. */
  readonly devDependencies: Readonly<Record<string, string>>;
}

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

const SPEC = `# The topics this project reads and writes, and one group.
# Every document of this file is checked in editors (see .vscode/settings.json) and by gokac build.
topics:
  clicks:
    partitions: 4
    codec: string
    description: One message per click, keyed by user id.
---
group: counter
description: Counts the clicks of each user in its table (counter-table).
inputs:
  - topic: clicks
    handler: onClick
persist:
  codec: int64
`;

const HANDLER = `// Handlers of group counter. This file is yours: gokac build only adds stubs to it.
import type { CounterContext } from "./graph.js";

/** Handles clicks: one more click for the message's key. */
export async function onClick(ctx: CounterContext, _msg: string): Promise<void> {
  ctx.setValue(((await ctx.value()) ?? 0n) + 1n);
}
`;

const UNIT_TEST = `import { createTester } from "gokac/runtime/testing";
import { afterEach, expect, it } from "vitest";
import { counterGroup } from "../generated/counter/graph.js";
import { clicks } from "../generated/topics.js";

const tester = createTester();
afterEach(() => tester.close());

it("counts the clicks of each user", async () => {
  tester.register(counterGroup);
  tester.consume(clicks, "alice", "/home");
  tester.consume(clicks, "alice", "/about");
  tester.consume(clicks, "bob", "/home");
  await tester.run();
  expect(await tester.tableValue(counterGroup, "alice")).toBe(2n);
  expect(await tester.tableValue(counterGroup, "bob")).toBe(1n);
});
`;

const DECLARATIVE_TEST = `# Run with: npx gokac test  (the in-memory broker; no Kafka needed)
tests:
  - name: counts the clicks of each user
    given:
      - { topic: clicks, key: alice, value: /home }
      - { topic: clicks, key: alice, value: /about }
    expect:
      tables:
        counter-table: { alice: 2, bob: null }
`;

const README = (name: string): string => `# ${name}

A [gokac](https://www.npmjs.com/package/gokac) project: Kafka stream processors
declared in YAML (\`specs/\`), compiled to typed TypeScript (\`generated/\`).

| command | does |
| --- | --- |
| \`npx gokac build\` | check the specs and write \`generated/\` (handler files there are yours: only stubs are added) |
| \`npx gokac build --watch\` | rebuild on every change |
| \`npx gokac test\` | run the declarative tests (\`specs/*.test.yaml\`) on the in-memory broker |
| \`npm test\` | type-check and run the unit tests (\`test/\`) |
| \`npx gokac run --brokers localhost:9092\` | run the groups on a cluster |

The spec folder and output folder are set once in \`package.json\` (\`"gokac"\`), so no
command needs them repeated. Editors with the YAML extension check every document
of every spec file against \`node_modules/gokac/spec.schema.json\` (\`.vscode/settings.json\`).
`;

/** Every file of the new project, path → text. */
export function projectFiles(input: ProjectTemplateInput): Record<string, string> {
  const dev = input.devDependencies;
  return {
    "package.json": json({
      name: input.name,
      version: "0.1.0",
      private: true,
      type: "module",
      scripts: {
        build: "gokac build",
        test: "gokac build && tsc --noEmit && vitest run && gokac test",
      },
      gokac: { specs: "specs", out: "generated" },
      dependencies: { gokac: input.gokac },
      devDependencies: dev,
    }),
    "tsconfig.json": json({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        exactOptionalPropertyTypes: true,
        noUncheckedIndexedAccess: true,
        verbatimModuleSyntax: true,
        skipLibCheck: true,
        noEmit: true,
        types: ["node"],
      },
      include: ["generated", "test"],
    }),
    ".gitignore": "node_modules/\n.state/\n",
    ".vscode/settings.json": json({
      // a modeline applies to the first document only; a mapping applies to every document of every matching file
      "yaml.schemas": { "./node_modules/gokac/spec.schema.json": ["specs/**/*.yaml", "!specs/**/*.test.yaml"] },
    }),
    ".vscode/extensions.json": json({ recommendations: ["redhat.vscode-yaml"] }),
    "specs/counter.yaml": SPEC,
    "specs/counter.test.yaml": DECLARATIVE_TEST,
    "generated/counter/handlers.ts": HANDLER,
    "test/counter.test.ts": UNIT_TEST,
    "README.md": README(input.name),
  };
}
