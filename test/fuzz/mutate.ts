import { flowLexer, KEYWORDS } from "../../grammar/tokens";
import type { Prng } from "../helpers/prng";

/**
 * Mutations of `.flow` text for the parse/check fuzz test. Most work on tokens (lexed with the real
 * lexer, so they cut the file where the parser sees boundaries); a few work on characters, to reach the
 * lexer's error paths with bytes the language never uses. Each returns the new text and a note saying
 * what it did, so a failure can be read without replaying it.
 */
export interface Mutated {
  readonly text: string;
  readonly note: string;
}

interface Piece {
  readonly image: string;
  readonly start: number;
  /** Exclusive. */
  readonly end: number;
  readonly type: string;
}

/** Keyword spellings, from the lexer's own token definitions. */
export const KEYWORD_IMAGES: readonly string[] = KEYWORDS.map((keyword) => (keyword.PATTERN as RegExp).source);

/**
 * Tokens no seed contains but the lexer and the AST builder have paths for: malformed and huge numbers,
 * bad escapes and regexes, unterminated strings, import paths that are missing or cyclic, and characters
 * that are not part of the language at all.
 */
const ODD_TOKENS: readonly string[] = [
  "@", "$", "%", "^", "&", "*", ";", ":", "'", "`", "?", "<", ">", "\\", "-", "!", "~", "/", '"', "+",
  "\u0000", "\u0001", "\b", "\t", "\u000b", "\f", "\r", "\n", "\r\n", "\u001b", "\u007f",
  "é", "ü", "中", "\u00a0", "\u2028", "\u2029", "\ufeff", "\u200b", "𝕏", "\ud800", "\udc00", "\uffff",
  '"unterminated', '"\\q"', '"\\u{110000}"', '"\\u{41}"', '"\\u{}"', '"\\', '""', '"a\\"',
  "99999999999999999999", "9007199254740993", "9007199254740991", "9007199254740991TiB", "0", "00", "1__0",
  "5x", "5mss", "10k", "0xff", "1.5", "-1", "5 s", "64 MiB",
  "/[/", "/(/", "/a/z", "/(?<g>a)/gimsuyd", "/\\/", "//", "/* */", "/(?<1>a)/", "/a/ii",
  "->", "->->", "- >", "==>", "=", "==", "!=", "!~", "~", "|", "||", ",", ",,", ".", "..", "(", ")", "[", "]", "{", "}",
  "#", "# comment\n", "header", "body", "headers", "header.", "header[", "env", 'env("X")', "env(", "getenv", "sinks",
  '"missing.flow"', '"fuzz.flow"', '"loop.flow"', '"common.flow"', '"./common.flow"', '"../common.flow"', '"/abs.flow"',
  '"\\u{0}.flow"', '"dir/"',
];

/** Token types that can stand as a property value. */
const VALUE_TYPES = new Set(["StringLiteral", "UnterminatedString", "RegexLiteral", "Size", "Duration", "MalformedNumber", "Integer", "True", "False"]);

/** What insertions and replacements draw from. */
export interface TokenPool {
  /** Every token image and comment of the seeds, plus the odd tokens above. */
  readonly all: readonly string[];
  /** The images that lex as exactly one token, by token type. */
  readonly byType: ReadonlyMap<string, readonly string[]>;
  /** The images that lex as one value token (a string, a number, a regex, a boolean). */
  readonly values: readonly string[];
}

export function tokenPool(seeds: readonly string[]): TokenPool {
  const images = new Set<string>(ODD_TOKENS);
  for (const seed of seeds) {
    const lexed = flowLexer.tokenize(seed);
    for (const token of lexed.tokens) images.add(token.image);
    for (const comment of lexed.groups["comments"] ?? []) images.add(comment.image);
  }
  const byType = new Map<string, string[]>();
  for (const image of images) {
    const lexed = flowLexer.tokenize(image);
    const only = lexed.tokens[0];
    if (lexed.tokens.length !== 1 || lexed.errors.length > 0 || only === undefined) continue;
    const list = byType.get(only.tokenType.name) ?? [];
    list.push(image);
    byType.set(only.tokenType.name, list);
  }
  const values = [...byType.entries()].filter(([type]) => VALUE_TYPES.has(type)).flatMap(([, list]) => list);
  return { all: [...images], byType, values };
}

function pieces(text: string): Piece[] {
  return flowLexer.tokenize(text).tokens.map((token) => ({
    image: token.image,
    start: token.startOffset,
    end: (token.endOffset ?? token.startOffset) + 1,
    type: token.tokenType.name,
  }));
}

const show = (s: string): string => JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);

/** A random UTF-16 code unit or code point: control, ASCII, Latin-1, any BMP unit (lone surrogates too) or astral. */
function randomCharacter(prng: Prng): string {
  switch (prng.int(0, 4)) {
    case 0:
      return String.fromCharCode(prng.int(0, 0x1f));
    case 1:
      return String.fromCharCode(prng.int(0x20, 0x7e));
    case 2:
      return String.fromCharCode(prng.int(0x7f, 0xff));
    case 3:
      return String.fromCharCode(prng.int(0x100, 0xffff));
    default:
      return String.fromCodePoint(prng.int(0x10000, 0x10ffff));
  }
}

const SEPARATORS = [" ", " ", "", "\n"];

type Mutator = (text: string, prng: Prng, pool: TokenPool) => Mutated | undefined;

const deleteToken: Mutator = (text, prng) => {
  const tokens = pieces(text);
  if (tokens.length === 0) return undefined;
  const t = prng.pick(tokens);
  return { text: text.slice(0, t.start) + text.slice(t.end), note: `delete token ${show(t.image)} at ${t.start}` };
};

const deleteTokenRun: Mutator = (text, prng) => {
  const tokens = pieces(text);
  if (tokens.length < 2) return undefined;
  const first = prng.int(0, tokens.length - 2);
  const last = Math.min(tokens.length - 1, first + prng.int(1, 8));
  const from = (tokens[first] as Piece).start;
  const to = (tokens[last] as Piece).end;
  return { text: text.slice(0, from) + text.slice(to), note: `delete tokens ${first}..${last} at ${from}-${to}` };
};

const swapTokens: Mutator = (text, prng) => {
  const tokens = pieces(text);
  if (tokens.length < 2) return undefined;
  let i = prng.int(0, tokens.length - 1);
  // Neighbours half of the time: the swaps a typo makes.
  let j = prng.chance(0.5) ? Math.min(tokens.length - 1, i + 1) : prng.int(0, tokens.length - 1);
  if (i === j) j = i === 0 ? 1 : i - 1;
  if (j < i) [i, j] = [j, i];
  const a = tokens[i] as Piece;
  const b = tokens[j] as Piece;
  return {
    text: text.slice(0, a.start) + b.image + text.slice(a.end, b.start) + a.image + text.slice(b.end),
    note: `swap tokens ${show(a.image)} at ${a.start} and ${show(b.image)} at ${b.start}`,
  };
};

const duplicateToken: Mutator = (text, prng) => {
  const tokens = pieces(text);
  if (tokens.length === 0) return undefined;
  const t = prng.pick(tokens);
  const separator = prng.pick(SEPARATORS);
  return { text: text.slice(0, t.end) + separator + t.image + text.slice(t.end), note: `duplicate token ${show(t.image)} at ${t.start}` };
};

/**
 * Repeats a token (`[[[[`, `not not not`, `-> -> ->`): a few times mostly, past the nesting limit (64)
 * sometimes. Deeper nesting only costs time: the parser refuses it before recursing.
 */
const repeatToken: Mutator = (text, prng) => {
  const tokens = pieces(text);
  if (tokens.length === 0) return undefined;
  const t = prng.pick(tokens);
  const times = prng.chance(0.8) ? prng.int(2, 16) : prng.int(40, 100);
  const separator = prng.pick([" ", ""]);
  return { text: text.slice(0, t.end) + `${separator}${t.image}`.repeat(times) + text.slice(t.end), note: `repeat token ${show(t.image)} at ${t.start} ${times} more times` };
};

const insertToken: Mutator = (text, prng, pool) => {
  const tokens = pieces(text);
  const at = tokens.length === 0 || prng.chance(0.1) ? text.length : (prng.pick(tokens) as Piece).start;
  const image = prng.pick(pool.all);
  const inserted = `${prng.pick(SEPARATORS)}${image}${prng.pick(SEPARATORS)}`;
  return { text: text.slice(0, at) + inserted + text.slice(at), note: `insert ${show(image)} at ${at}` };
};

const replaceToken: Mutator = (text, prng, pool) => {
  const tokens = pieces(text);
  if (tokens.length === 0) return undefined;
  const t = prng.pick(tokens);
  const image = prng.pick(pool.all);
  return { text: text.slice(0, t.start) + image + text.slice(t.end), note: `replace token ${show(t.image)} at ${t.start} with ${show(image)}` };
};

/** Replaces a token with another of its type (a name with a name, a string with a string): the file still parses. */
const replaceWithSameType: Mutator = (text, prng, pool) => {
  const tokens = pieces(text).filter((t) => (pool.byType.get(t.type)?.length ?? 0) > 1);
  if (tokens.length === 0) return undefined;
  const t = prng.pick(tokens);
  const image = prng.pick(pool.byType.get(t.type) ?? [t.image]);
  return { text: text.slice(0, t.start) + image + text.slice(t.end), note: `replace ${t.type} ${show(t.image)} at ${t.start} with ${show(image)}` };
};

/** Replaces a value with a value of any type (a port with a string, a regex with a size): type errors for the checker. */
const replaceValue: Mutator = (text, prng, pool) => {
  const tokens = pieces(text).filter((t) => VALUE_TYPES.has(t.type));
  if (tokens.length === 0 || pool.values.length === 0) return undefined;
  const t = prng.pick(tokens);
  const image = prng.pick(pool.values);
  return { text: text.slice(0, t.start) + image + text.slice(t.end), note: `replace value ${show(t.image)} at ${t.start} with ${show(image)}` };
};

const identifierToKeyword: Mutator = (text, prng) => {
  const identifiers = pieces(text).filter((t) => t.type === "Identifier");
  if (identifiers.length === 0) return undefined;
  const t = prng.pick(identifiers);
  const keyword = prng.pick(KEYWORD_IMAGES);
  return { text: text.slice(0, t.start) + keyword + text.slice(t.end), note: `replace identifier ${show(t.image)} at ${t.start} with keyword \`${keyword}\`` };
};

/** Renames one identifier to another one of the file, so names resolve to components of the wrong role. */
const renameIdentifier: Mutator = (text, prng) => {
  const identifiers = pieces(text).filter((t) => t.type === "Identifier");
  if (identifiers.length < 2) return undefined;
  const t = prng.pick(identifiers);
  const other = prng.pick(identifiers).image;
  return { text: text.slice(0, t.start) + other + text.slice(t.end), note: `rename identifier ${show(t.image)} at ${t.start} to ${show(other)}` };
};

const truncate: Mutator = (text, prng) => {
  const at = prng.int(0, text.length);
  return { text: text.slice(0, at), note: `truncate at ${at}` };
};

const insertCharacter: Mutator = (text, prng) => {
  const at = prng.int(0, text.length);
  const ch = randomCharacter(prng);
  return { text: text.slice(0, at) + ch + text.slice(at), note: `insert character U+${ch.codePointAt(0)?.toString(16).padStart(4, "0")} at ${at}` };
};

const deleteCharacter: Mutator = (text, prng) => {
  if (text.length === 0) return undefined;
  const at = prng.int(0, text.length - 1);
  return { text: text.slice(0, at) + text.slice(at + 1), note: `delete character ${show(text[at] as string)} at ${at}` };
};

const replaceCharacter: Mutator = (text, prng) => {
  if (text.length === 0) return undefined;
  const at = prng.int(0, text.length - 1);
  const ch = randomCharacter(prng);
  return { text: text.slice(0, at) + ch + text.slice(at + 1), note: `replace character at ${at} with U+${ch.codePointAt(0)?.toString(16).padStart(4, "0")}` };
};

/** Mutators with their weights: token-level edits dominate, character-level ones reach the lexer's edges. */
const MUTATORS: readonly (readonly [Mutator, number])[] = [
  [deleteToken, 14],
  [deleteTokenRun, 4],
  [swapTokens, 10],
  [duplicateToken, 8],
  [repeatToken, 3],
  [insertToken, 16],
  [replaceToken, 10],
  [replaceWithSameType, 12],
  [replaceValue, 8],
  [identifierToKeyword, 8],
  [renameIdentifier, 8],
  [truncate, 5],
  [insertCharacter, 6],
  [deleteCharacter, 5],
  [replaceCharacter, 6],
];
const TOTAL_WEIGHT = MUTATORS.reduce((sum, [, weight]) => sum + weight, 0);

function pickMutator(prng: Prng): Mutator {
  let roll = prng.next() * TOTAL_WEIGHT;
  for (const [mutator, weight] of MUTATORS) {
    roll -= weight;
    if (roll < 0) return mutator;
  }
  return insertCharacter;
}

/** Applies `count` random mutations in turn; a mutation that does not apply (no tokens left) inserts a character. */
export function mutate(text: string, count: number, prng: Prng, pool: TokenPool): Mutated {
  const notes: string[] = [];
  let current = text;
  for (let i = 0; i < count; i++) {
    const result = pickMutator(prng)(current, prng, pool) ?? insertCharacter(current, prng, pool);
    if (result === undefined) continue;
    current = result.text;
    notes.push(result.note);
  }
  return { text: current, note: notes.join("; ") };
}
