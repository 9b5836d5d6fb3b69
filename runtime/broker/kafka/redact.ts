/**
 * Keeping secrets (SASL passwords, OAuth tokens, private keys) out of
 * anything gokac prints: error messages, kafkajs's log lines, and printed
 * or inspected configuration objects.
 */

/** What a secret is replaced with. */
export const REDACTED = "[redacted]";

/** Option names whose values are secrets wherever they appear. */
const SECRET_FIELDS = new Set(["password", "key", "passphrase", "token", "tokenProvider", "oauthBearerProvider"]);

/**
 * A set of secret strings to scrub from text. Secrets are added as they
 * become known (a token provider adds each token it returns).
 */
export class SecretSet {
  readonly #secrets = new Set<string>();

  /** Remembers `secret` (ignored when empty). */
  add(secret: string | undefined): void {
    if (secret !== undefined && secret !== "") this.#secrets.add(secret);
  }

  /** `text` with every known secret replaced by `[redacted]`, longest first (a secret containing another is replaced whole). */
  redact(text: string): string {
    let out = text;
    for (const s of [...this.#secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join(REDACTED);
    return out;
  }

  /** `error`'s message, redacted, on one line. */
  message(error: unknown): string {
    return oneLine(this.redact(error instanceof Error ? error.message : String(error)));
  }

  /** How many secrets are known. */
  get size(): number {
    return this.#secrets.size;
  }
}

/** `text` on one line: line breaks (and the indentation after them) become "; ". */
export function oneLine(text: string): string {
  return text
    .trim()
    .split(/\s*\r?\n\s*/)
    .filter((line) => line !== "")
    .join("; ");
}

/**
 * A copy of `value` fit for printing: every field named like a secret
 * (`password`, `key`, `passphrase`, `token`, a token provider) becomes
 * `[redacted]`, and Buffers become `<N bytes>`. Follows plain objects and arrays.
 */
export function redactFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactFields);
  if (Buffer.isBuffer(value)) return `<${value.length} bytes>`;
  if (typeof value === "function") return "[function]";
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value)) {
    out[name] = SECRET_FIELDS.has(name) && field !== undefined ? REDACTED : redactFields(field);
  }
  return out;
}
