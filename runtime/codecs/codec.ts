/**
 * A codec turns values into Kafka message bytes and back. Custom codec modules
 * named in specs export a `Codec<T>`; gokac's own codecs implement the same shape.
 */
export interface Codec<T> {
  /** Short description for errors and `gokac graph`, e.g. `int64` or `json:Click`. */
  readonly name: string;
  encode(value: T): Uint8Array;
  /** Throws on malformed input; the processor turns that into a decode error naming the message. */
  decode(data: Uint8Array): T;
}

/** The value type a codec produces. */
export type CodecValue<C> = C extends Codec<infer T> ? T : never;
