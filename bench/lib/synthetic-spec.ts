/** The synthetic spec files of the compiler benchmarks (bench/compiler.ts, bench/watch.ts). */

/** One synthetic spec: a catalogue entry, two types and a group with every edge kind. */
export function syntheticSpec(i: number, n: number): string {
  const prev = (i + n - 1) % n;
  const next = (i + 1) % n;
  return `topics:
  events-${i}:
    partitions: 8
    codec: { json: Event${i} }
    description: Events of stream ${i}.
types:
  Event${i}:
    type: object
    properties:
      id: { type: string }
      amount: { type: integer }
      tags: { type: array, items: { type: string } }
      kind: { enum: [created, updated, deleted] }
    required: [id, kind]
    additionalProperties: false
  State${i}:
    type: object
    properties:
      count: { type: integer }
      last: { $ref: "#/types/Event${i}" }
    required: [count]
---
group: group-${i}
description: Synthetic group ${i}.
inputs:
  - topic: events-${i}
    handler: onEvent
persist:
  codec: { json: State${i} }
loop:
  codec: string
joins:
  - group: group-${prev}
lookups:
  - table: group-${next}-table
outputs:
  - topic: events-${next}
visitors:
  - name: reset
`;
}
