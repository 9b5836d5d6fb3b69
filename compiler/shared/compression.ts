/** The spec language's `compression:` values (shared by the schema and the model). */

/** The values of a topic's `compression:`. */
export const TOPIC_COMPRESSIONS = ["none", "gzip", "snappy", "lz4", "zstd"] as const;

/** A topic's `compression:`: how gokac compresses the record batches it writes there. */
export type TopicCompression = (typeof TOPIC_COMPRESSIONS)[number];

/** Whether `value` is one of `TOPIC_COMPRESSIONS`. */
export function isTopicCompression(value: unknown): value is TopicCompression {
  return typeof value === "string" && (TOPIC_COMPRESSIONS as readonly string[]).includes(value);
}
