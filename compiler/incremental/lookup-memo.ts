/**
 * Results kept between builds of one folder (watch mode), each valid while
 * what it asked of the rest of the folder is answered the same. A result is
 * computed from one model object (a group, a type; kept while its document is
 * unchanged) and reaches everything else through a `ModelLookup`; the memo
 * hands the computation a lookup that records each question and answer, and
 * reuses the result on a later build when the object is the same and every
 * recorded question gets the identical answer (the same declaration object)
 * again. Answers are declarations of unchanged documents, so a change
 * anywhere a result looked (a topic's codec, another group's persist, a type
 * being added or removed) makes it be computed again, and nothing else does.
 */
import type { ModelLookup } from "../model/lookup.js";

type Kind = "topic" | "group" | "type";

interface Question {
  readonly kind: Kind;
  readonly name: string;
  readonly answer: object | undefined;
}

/** A lookup recording the questions asked through it and their answers (each question once). */
class RecordingLookup implements ModelLookup {
  readonly questions: Question[] = [];
  readonly #asked = new Set<string>();
  readonly #base: ModelLookup;

  constructor(base: ModelLookup) {
    this.#base = base;
  }

  #record<T extends object>(kind: Kind, name: string, answer: T | undefined): T | undefined {
    const key = `${kind}\0${name}`;
    if (!this.#asked.has(key)) {
      this.#asked.add(key);
      this.questions.push({ kind, name, answer });
    }
    return answer;
  }

  topic(name: string) {
    return this.#record("topic", name, this.#base.topic(name));
  }

  group(name: string) {
    return this.#record("group", name, this.#base.group(name));
  }

  type(name: string) {
    return this.#record("type", name, this.#base.type(name));
  }
}

function stillAnswered(questions: readonly Question[], lookup: ModelLookup): boolean {
  for (const q of questions) if (lookup[q.kind](q.name) !== q.answer) return false;
  return true;
}

/** What a memoised computation receives: the recording lookup, and a way to say that its result must not be kept. */
export interface MemoScope {
  readonly lookup: ModelLookup;
  /** Marks the result as depending on more than the lookup answers (e.g. a hint naming every group): it is computed again next time. */
  keepNot(): void;
}

/** Results by model object (weakly held: objects of changed documents are forgotten with them), valid while their questions hold. */
export class LookupMemo<K extends object, V> {
  #entries = new WeakMap<K, { readonly questions: readonly Question[]; readonly value: V }>();
  #reused = 0;

  /** How many results were reused since the last `clear` or `resetCount`. */
  get reused(): number {
    return this.#reused;
  }

  resetCount(): void {
    this.#reused = 0;
  }

  /** Forgets every result. */
  clear(): void {
    this.#entries = new WeakMap();
  }

  /** The result for `key`: the kept one when its questions get the same answers from `lookup`, else `compute`d now. */
  get(key: K, lookup: ModelLookup, compute: (scope: MemoScope) => V): V {
    const kept = this.#entries.get(key);
    if (kept !== undefined && stillAnswered(kept.questions, lookup)) {
      this.#reused++;
      return kept.value;
    }
    const recording = new RecordingLookup(lookup);
    let keep = true;
    const value = compute({ lookup: recording, keepNot: () => (keep = false) });
    if (keep) this.#entries.set(key, { questions: recording.questions, value });
    else this.#entries.delete(key);
    return value;
  }
}
