/** Hand-written group definitions (shaped like generated ones) used by the runtime tests. */
import {
  codecs,
  defineGroup,
  defineTopic,
  type BaseContext,
  type EmitContext,
  type GroupDefinition,
  type HandlerMap,
  type TableContext,
} from "gokac/runtime";

export const clicks = defineTopic("clicks", codecs.string);
export const counts = defineTopic("counts", codecs.int64);
export const counterTable = defineTopic("counter-table", codecs.int64);

/** `counter`: counts messages per key of `clicks`, emits each new count to `counts`. */
export type CounterContext = BaseContext & TableContext<bigint> & EmitContext<{ counts: bigint }>;

/** The counter group with replaceable handlers. */
export function counterGroup(
  onClick?: (ctx: CounterContext, msg: string) => void | Promise<void>,
  partitions?: number,
): GroupDefinition<bigint> {
  const handlers: HandlerMap = {
    onClick:
      onClick ??
      ((ctx: CounterContext) => {
        const next = ((ctx.value() as bigint | undefined) ?? 0n) + 1n;
        ctx.setValue(next);
        ctx.emit("counts", ctx.key, next);
      }),
  };
  return defineGroup<bigint>(
    {
      group: "counter",
      inputs: [{ topics: [clicks.name], codec: clicks.codec, handler: "onClick" }],
      persist: { codec: codecs.int64 },
      outputs: [{ topic: counts.name, codec: counts.codec }],
      ...(partitions === undefined ? {} : { partitions }),
    },
    handlers,
  );
}
