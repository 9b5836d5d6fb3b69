import type { Codec } from "gokac/runtime";

/** An amount of money in cents with its currency. */
export interface Money {
  readonly cents: bigint;
  readonly currency: string;
}

/** `<cents> <currency>` as UTF-8. */
export const moneyCodec: Codec<Money> = {
  name: "money",
  encode: (value) => new TextEncoder().encode(`${value.cents} ${value.currency}`),
  decode: (data) => {
    const [cents = "0", currency = ""] = new TextDecoder().decode(data).split(" ");
    return { cents: BigInt(cents), currency };
  },
};
