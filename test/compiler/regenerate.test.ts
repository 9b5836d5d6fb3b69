/**
 * Regeneration: the user's handler file is created once, then only merged
 * into. Bodies, helpers, imports and comments survive spec changes; a new
 * input adds a stub, a changed message type updates the parameter type, a
 * removed input is a GK801 warning with the function left in place.
 */
import { describe, expect, it } from "vitest";
import { compile, type CompileResult } from "../../compiler/compile.js";

type Files = Map<string, string>;

/** Builds the spec text (as `specs/app.yaml`) against the files in `disk`, applying the result to `disk`. */
function build(spec: string, disk: Files): CompileResult {
  const result = compile({
    analyzeInput: { root: "specs", projectRoot: ".", files: [{ path: "specs/app.yaml", text: spec }], readFile: () => undefined },
    outDir: "generated",
    existingFiles: (p) => disk.get(p),
    existingPaths: [...disk.keys()].filter((p) => p.startsWith("generated/")),
  });
  for (const f of result.files) disk.set(f.path, f.content);
  for (const p of result.deletes) disk.delete(p);
  return result;
}

const types = `
types:
  Order: { type: object, properties: { id: { type: string } }, required: [id] }
  Refund: { type: object, properties: { amount: { type: number } }, required: [amount] }
topics:
  orders: { partitions: 4, codec: { json: Order } }
  payments: { partitions: 4, codec: string }
  refunds: { partitions: 4, codec: { json: Refund } }
---
`;
const v1 = `${types}group: shop
inputs:
  - topic: orders
    handler: onOrder
  - topic: payments
    handler: onPayment
persist:
  codec: int64
`;
const handlersPath = "generated/shop/handlers.ts";

/** What the user makes of the first stub file. */
function userEdits(stubFile: string): string {
  return stubFile
    .replace(
      `import type { ShopContext } from "./graph.js";`,
      `import type { ShopContext } from "./graph.js";\nimport { createHash } from "node:crypto";`,
    )
    .replace("  // TODO: handle orders", "  // count every order once\n  ctx.setValue(((await ctx.value()) ?? 0n) + weight(msg.id));")
    .replace("  // TODO: handle payments", "  console.log(`payment ${msg}`, ctx.key);")
    .concat(
      '\n/** A helper of mine. */\nfunction weight(id: string): bigint {\n  return BigInt(createHash("sha1").update(id).digest()[0] ?? 0);\n}\n',
    );
}

describe("handler file regeneration", () => {
  it("creates the handler file once with a typed stub per input", () => {
    const disk: Files = new Map();
    const result = build(v1, disk);
    expect(result.diagnostics).toEqual([]);
    const text = disk.get(handlersPath) ?? "";
    expect(text).toContain("export async function onOrder(ctx: ShopContext, msg: Order): Promise<void>");
    expect(text).toContain("export async function onPayment(ctx: ShopContext, msg: string): Promise<void>");
    expect(result.files.find((f) => f.path === handlersPath)?.owned).toBe(false);
  });

  it("GK801 passing: an up-to-date handler file is left alone, without warnings, and the output is deterministic", () => {
    const disk: Files = new Map();
    const first = build(v1, disk);
    disk.set(handlersPath, userEdits(disk.get(handlersPath) ?? ""));
    const before = new Map(disk);
    const second = build(v1, disk);
    expect(second.files.map((f) => f.path)).not.toContain(handlersPath);
    expect(second.diagnostics).toEqual([]);
    expect(disk).toEqual(before);
    const owned = (r: CompileResult) => r.files.filter((f) => f.owned);
    expect(owned(second)).toEqual(owned(first));
  });

  it("GK801: adds stubs, updates parameter types, keeps user code and warns about removed inputs", () => {
    const disk: Files = new Map();
    build(v1, disk);
    const edited = userEdits(disk.get(handlersPath) ?? "");
    disk.set(handlersPath, edited);

    // payments changes from string to Refund via a new codec, orders is removed, refunds added, a loop added
    const v2 = `${types}group: shop
inputs:
  - topic: payments
    handler: onPayment
    codec: { json: Refund }
  - topic: refunds
persist:
  codec: int64
loop:
  codec: string
`;
    const result = build(
      v2.replace("payments: { partitions: 4, codec: string }", "payments: { partitions: 4, codec: { json: Refund } }"),
      disk,
    );
    const text = disk.get(handlersPath) ?? "";

    // 1. user code intact: every line of the edited file is still there, in order, except the changed
    //    signature and the type import that gains names
    const kept = edited.split("\n").filter((l) => !l.startsWith("export async function onPayment(") && !l.endsWith(`from "../types.js";`));
    expect(text).toMatch(/import type \{[^}]*\bOrder\b[^}]*\} from "\.\.\/types\.js";/);
    let at = 0;
    for (const line of kept) {
      const found = text.split("\n").indexOf(line, at);
      expect(found, `line kept: ${line}`).toBeGreaterThanOrEqual(0);
      at = found + 1;
    }
    expect(text).toContain("ctx.setValue(((await ctx.value()) ?? 0n) + weight(msg.id));");
    expect(text).toContain(`import { createHash } from "node:crypto";`);
    expect(text).toContain("/** A helper of mine. */");

    // 2. the parameter type follows the spec, and its type is imported
    expect(text).toContain("export async function onPayment(ctx: ShopContext, msg: Refund): Promise<void>");
    expect(text).toMatch(/import type \{[^}]*\bRefund\b[^}]*\} from "\.\.\/types\.js";/);

    // 3. new stubs for the new input and the loop
    expect(text).toContain("export async function refunds(ctx: ShopContext, msg: Refund): Promise<void>");
    expect(text).toContain("export async function loop(ctx: ShopContext, msg: string): Promise<void>");

    // 4. the removed input's handler stays and is reported
    expect(text).toContain("export async function onOrder(ctx: ShopContext, msg: Order)");
    const warnings = result.diagnostics.filter((d) => d.code === "GK801");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ severity: "warning", file: handlersPath });
    expect(text.split("\n")[(warnings[0]?.line ?? 0) - 1]).toContain("onOrder");
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);

    // 5. building again changes nothing more and warns again
    const again = build(
      v2.replace("payments: { partitions: 4, codec: string }", "payments: { partitions: 4, codec: { json: Refund } }"),
      disk,
    );
    expect(again.files.map((f) => f.path)).not.toContain(handlersPath);
    expect(again.diagnostics.map((d) => d.code)).toEqual(["GK801"]);
  });

  it("GK802: a handler file that cannot be parsed is reported and nothing is emitted", () => {
    const disk: Files = new Map();
    build(v1, disk);
    disk.set(handlersPath, `${disk.get(handlersPath) ?? ""}\nexport function broken( {\n`);
    const result = build(v1.replace("handler: onPayment", "handler: onPay"), disk);
    expect(result.diagnostics.map((d) => d.code)).toContain("GK802");
    expect(result.files).toEqual([]);
    expect(result.deletes).toEqual([]);
  });

  it("GK802 passing: a handler file edited by hand (arrow functions, re-exports) is merged", () => {
    const disk: Files = new Map();
    build(v1, disk);
    disk.set(
      handlersPath,
      [
        `import type { ShopContext } from "./graph.js";`,
        `import type { Order } from "../types.js";`,
        `export const onOrder = async (ctx: ShopContext, msg: Order): Promise<void> => { ctx.setValue(BigInt(msg.id.length)); };`,
        `const pay = (ctx: ShopContext, msg: string): void => { void ctx; void msg; };`,
        `export { pay as onPayment };`,
        "",
      ].join("\n"),
    );
    const result = build(v1.replace("persist:", "visitors:\n  - name: clear\npersist:"), disk);
    expect(result.diagnostics).toEqual([]);
    const text = disk.get(handlersPath) ?? "";
    expect(text).toContain("export const onOrder = async (ctx: ShopContext, msg: Order)");
    expect(text).toContain("export async function clear(ctx: ShopContext, msg: unknown): Promise<void>");
    expect(text.match(/function onPayment|const onPayment/g)).toBeNull();
  });

  it("a stub the user commented out counts as missing and is added again, the comment kept", () => {
    const disk: Files = new Map();
    build(v1, disk);
    const stub = /export async function onPayment\([^)]*\): Promise<void> \{\n[^}]*\}\n/.exec(disk.get(handlersPath) ?? "")?.[0] ?? "";
    expect(stub).not.toBe("");
    const commented = (disk.get(handlersPath) ?? "").replace(stub, `/*\n${stub}*/\n`);
    disk.set(handlersPath, commented);
    const result = build(v1, disk);
    expect(result.diagnostics).toEqual([]);
    const text = disk.get(handlersPath) ?? "";
    expect(text.startsWith(commented)).toBe(true);
    expect(text.match(/export async function onPayment\(ctx: ShopContext, msg: string\)/g)?.length).toBe(2);
  });

  it("emits nothing when the specs have errors", () => {
    const disk: Files = new Map();
    const result = build(`group: bad\ninputs: []\n`, disk);
    expect(result.diagnostics.some((d) => d.severity === "error")).toBe(true);
    expect(result.files).toEqual([]);
    expect(disk.size).toBe(0);
  });

  it("deletes the owned graph of a removed group but keeps its handler file", () => {
    const disk: Files = new Map();
    build(`${v1}---\ngroup: audit\ninputs:\n  - topic: payments\n`, disk);
    expect(disk.has("generated/audit/graph.ts")).toBe(true);
    const result = build(v1, disk);
    expect(result.deletes).toEqual(["generated/audit/graph.ts"]);
    expect(disk.has("generated/audit/graph.ts")).toBe(false);
    expect(disk.has("generated/audit/handlers.ts")).toBe(true);
    expect(result.diagnostics).toEqual([
      expect.objectContaining({ code: "GK801", severity: "warning", file: "generated/audit/handlers.ts" }),
    ]);
    // and again on every build, until the user deletes the file or declares the group again
    expect(build(v1, disk).diagnostics.map((d) => d.code)).toEqual(["GK801"]);
    disk.delete("generated/audit/handlers.ts");
    expect(build(v1, disk).diagnostics).toEqual([]);
  });
});
