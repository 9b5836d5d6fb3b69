/**
 * Name rules of the spec language and the identifier helpers shared by the
 * checks and the emitters, so that what GK305 checks is exactly what is emitted.
 */

/** Kafka's legal topic characters; also used for group names (they name `<group>-table`). */
const KAFKA_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

/** Words that cannot name a binding in an ES module (strict mode), plus TS's own. */
export const RESERVED_WORDS: readonly string[] = [
  "break",
  "case",
  "catch",
  "class",
  "const",
  "continue",
  "debugger",
  "default",
  "delete",
  "do",
  "else",
  "enum",
  "export",
  "extends",
  "false",
  "finally",
  "for",
  "function",
  "if",
  "import",
  "in",
  "instanceof",
  "new",
  "null",
  "return",
  "super",
  "switch",
  "this",
  "throw",
  "true",
  "try",
  "typeof",
  "var",
  "void",
  "while",
  "with",
  // strict mode and module code
  "implements",
  "interface",
  "let",
  "package",
  "private",
  "protected",
  "public",
  "static",
  "yield",
  "await",
  "arguments",
  "eval",
  // names that cannot be redeclared or would shadow what generated code relies on
  "undefined",
  "NaN",
  "Infinity",
];
const RESERVED: ReadonlySet<string> = new Set(RESERVED_WORDS);

/** True when `name` is a legal Kafka topic name: `[a-zA-Z0-9._-]{1,249}`, not `.` or `..`. */
export function isLegalTopicName(name: string): boolean {
  return KAFKA_NAME.test(name) && name !== "." && name !== "..";
}

/** Longest group name whose `<group>-table` and `<group>-loop` are still legal topic names. */
export const MAX_GROUP_NAME_LENGTH = 249 - "-table".length;

/** True when `name` is a legal group name: a legal topic name short enough for `<group>-table`. */
export function isLegalGroupName(name: string): boolean {
  return isLegalTopicName(name) && name.length <= MAX_GROUP_NAME_LENGTH;
}

/** True for words that cannot be used as a binding name in generated ES module code. */
export function isReservedWord(name: string): boolean {
  return RESERVED.has(name);
}

/** True when `name` is an ASCII JavaScript identifier (`[A-Za-z_$][A-Za-z0-9_$]*`); reserved words are not excluded. */
export function isValidIdentifier(name: string): boolean {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name);
}

/** True when `name` is a PascalCase identifier: `[A-Z][A-Za-z0-9]*`. */
export function isPascalCase(name: string): boolean {
  return /^[A-Z][A-Za-z0-9]*$/.test(name);
}

/** Splits a name into words at every character that is not a letter or digit. */
function words(name: string): string[] {
  return name.split(/[^A-Za-z0-9]+/).filter((w) => w.length > 0);
}

function upperFirst(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function lowerFirst(word: string): string {
  return word.charAt(0).toLowerCase() + word.slice(1);
}

/**
 * camelCase of a topic, group or visitor name: words split at non-alphanumerics,
 * the first lower-cased at its first letter, the others upper-cased at theirs;
 * inner capitals are kept (`user-clicks` → `userClicks`, `a.b_c` → `aBC`).
 * The result may be an invalid identifier (e.g. starts with a digit); see `safeIdentifier`.
 */
export function camelCase(name: string): string {
  return remembered(camelCases, name, () =>
    words(name)
      .map((w, i) => (i === 0 ? lowerFirst(w) : upperFirst(w)))
      .join(""),
  );
}

/** PascalCase of a name, like `camelCase` but with the first word upper-cased too (`user-clicks` → `UserClicks`). */
export function pascalCase(name: string): string {
  return remembered(pascalCases, name, () => words(name).map(upperFirst).join(""));
}

/**
 * Results of the two case functions by name: checks and emitters ask for the
 * same names many times per build, and a watch build asks again for every
 * unchanged spec. Pure (a function of the name only); bounded, forgotten in
 * whole when full.
 */
const camelCases = new Map<string, string>();
const pascalCases = new Map<string, string>();
const REMEMBERED_NAMES = 50_000;

function remembered(memo: Map<string, string>, name: string, compute: () => string): string {
  let value = memo.get(name);
  if (value === undefined) {
    if (memo.size >= REMEMBERED_NAMES) memo.clear();
    value = compute();
    memo.set(name, value);
  }
  return value;
}

/**
 * Makes a camelCase/PascalCase result usable as a binding name: empty or
 * digit-led names get a leading `_`, reserved words a trailing `_`.
 */
export function safeIdentifier(name: string): string {
  if (name === "" || /^[0-9]/.test(name)) return `_${name}`;
  if (isReservedWord(name)) return `${name}_`;
  return name;
}

/** The constant naming a topic in generated `topics.ts` (`user-clicks` → `userClicks`). */
export function topicConstName(topic: string): string {
  return safeIdentifier(camelCase(topic));
}

/** The prefix of a group's generated constants (`clicks` → `clicks` as in `clicksGroup`, `clicksGraph`). */
export function groupConstPrefix(group: string): string {
  return safeIdentifier(camelCase(group));
}

/** The prefix of a group's generated types (`clicks` → `Clicks` as in `ClicksContext`, `ClicksHandlers`). */
export function groupTypePrefix(group: string): string {
  return safeIdentifier(pascalCase(group));
}

/** Suffixes of the types generated for each group (`<Prefix>Context`, …). */
export const GROUP_TYPE_SUFFIXES: readonly string[] = ["Context", "Handlers", "Outputs", "Joins", "Lookups"];

/** Suffixes of the constants generated for each group (`<prefix>Group`, `<prefix>Graph`). */
export const GROUP_CONST_SUFFIXES: readonly string[] = ["Group", "Graph"];

/**
 * Names generated `graph.ts` files import from `gokac/runtime` or bind
 * themselves; a user type or topic constant with one of these names would clash.
 */
export const GENERATED_BINDINGS: ReadonlySet<string> = new Set([
  "defineGroup",
  "defineTopic",
  "codecs",
  "handlers",
  "BaseContext",
  "TableContext",
  "EmitContext",
  "LoopContext",
  "JoinContext",
  "LookupContext",
  "GroupGraph",
  "GroupDefinition",
  "TopicSpec",
  "Codec",
  "schemas",
  "topicsByName",
  "groups",
]);

/**
 * The type name generated for a `{ json: { schema: path } }` file: the file's
 * base name without `.json` and a trailing `.schema`, in PascalCase
 * (`schemas/user-event.schema.json` → `UserEvent`).
 */
export function schemaFileTypeName(path: string): string {
  const base = path
    .slice(path.lastIndexOf("/") + 1)
    .replace(/\.json$/i, "")
    .replace(/\.schema$/i, "");
  return safeIdentifier(pascalCase(base));
}
