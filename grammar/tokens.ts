import { createToken, Lexer, type TokenType } from "chevrotain";
import type { KeywordWord } from "../runtime/spec/keywords";

/**
 * The tokens of the `.flow` language. Keywords come before `Identifier` and name it as their
 * `longer_alt`, so `tiers` is an identifier, not `tier` + `s`. Number-like tokens are ordered so that
 * `5MB` is a size, `5m` a duration and `5` an integer; `MalformedNumber` catches `5x` so the checker can
 * name the unit that is wrong instead of reporting two confusing tokens.
 */
export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\n]+/, group: Lexer.SKIPPED });
export const Comment = createToken({ name: "Comment", pattern: /#[^\n]*/, group: "comments" });

export const Identifier = createToken({ name: "Identifier", pattern: /[A-Za-z_][A-Za-z0-9_]*/, label: "a name" });

function keyword(word: KeywordWord): TokenType {
  return createToken({ name: word[0]!.toUpperCase() + word.slice(1), pattern: new RegExp(word), longer_alt: Identifier, label: `\`${word}\`` });
}

export const Import = keyword("import");
export const Tier = keyword("tier");
export const Source = keyword("source");
export const Channel = keyword("channel");
export const Sink = keyword("sink");
export const Group = keyword("group");
export const Route = keyword("route");
export const When = keyword("when");
export const Else = keyword("else");
export const Optional = keyword("optional");
export const Drop = keyword("drop");
export const Test = keyword("test");
export const Send = keyword("send");
export const Expect = keyword("expect");
export const Dropped = keyword("dropped");
export const And = keyword("and");
export const Or = keyword("or");
export const Not = keyword("not");
export const In = keyword("in");
export const Exists = keyword("exists");
export const True = keyword("true");
export const False = keyword("false");

/** All keywords, for messages and for the formatter. */
export const KEYWORDS: readonly TokenType[] = [
  Import, Tier, Source, Channel, Sink, Group, Route, When, Else, Optional, Drop, Test, Send, Expect, Dropped, And, Or, Not, In, Exists, True, False,
];

export const StringLiteral = createToken({
  name: "StringLiteral",
  pattern: /"(?:[^"\\\n]|\\.)*"/,
  label: "a string",
});
export const UnterminatedString = createToken({ name: "UnterminatedString", pattern: /"(?:[^"\\\n]|\\.)*/, label: "a string" });

/** `/pattern/flags`; a `/` inside the pattern is written `\/`. Nothing else in the language uses `/`. */
export const RegexLiteral = createToken({ name: "RegexLiteral", pattern: /\/(?:[^/\\\n]|\\.)+\/[A-Za-z]*/, label: "a regular expression" });

const NOT_WORD = "(?![A-Za-z0-9_])";
export const Size = createToken({
  name: "Size",
  pattern: new RegExp(`\\d[\\d_]*(?:KiB|MiB|GiB|TiB|KB|MB|GB|TB|B)${NOT_WORD}`),
  label: "a size",
});
export const Duration = createToken({
  name: "Duration",
  pattern: new RegExp(`\\d[\\d_]*(?:ms|s|m|h|d)${NOT_WORD}`),
  label: "a duration",
});
export const MalformedNumber = createToken({ name: "MalformedNumber", pattern: /\d[\d_]*[A-Za-z]\w*/, label: "a number" });
export const Integer = createToken({ name: "Integer", pattern: /\d[\d_]*/, label: "an integer" });

export const Arrow = createToken({ name: "Arrow", pattern: /->/, label: "`->`" });
export const EqualEqual = createToken({ name: "EqualEqual", pattern: /==/, label: "`==`" });
export const NotEqual = createToken({ name: "NotEqual", pattern: /!=/, label: "`!=`" });
export const NotMatch = createToken({ name: "NotMatch", pattern: /!~/, label: "`!~`" });
export const Match = createToken({ name: "Match", pattern: /~/, label: "`~`" });
export const Pipe = createToken({ name: "Pipe", pattern: /\|/, label: "`|`" });
export const LBrace = createToken({ name: "LBrace", pattern: /\{/, label: "`{`" });
export const RBrace = createToken({ name: "RBrace", pattern: /\}/, label: "`}`" });
export const LBracket = createToken({ name: "LBracket", pattern: /\[/, label: "`[`" });
export const RBracket = createToken({ name: "RBracket", pattern: /\]/, label: "`]`" });
export const LParen = createToken({ name: "LParen", pattern: /\(/, label: "`(`" });
export const RParen = createToken({ name: "RParen", pattern: /\)/, label: "`)`" });
export const Equals = createToken({ name: "Equals", pattern: /=/, label: "`=`" });
export const Comma = createToken({ name: "Comma", pattern: /,/, label: "`,`" });
export const Dot = createToken({ name: "Dot", pattern: /\./, label: "`.`" });

export const ALL_TOKENS: TokenType[] = [
  WhiteSpace,
  Comment,
  // Longest first: `dropped` must be tried before `drop`, `import` before `in` (chevrotain takes the
  // first pattern that matches; `longer_alt` then prefers a longer identifier).
  ...[...KEYWORDS].sort((a, b) => String(b.PATTERN).length - String(a.PATTERN).length),
  Identifier,
  StringLiteral,
  UnterminatedString,
  RegexLiteral,
  Size,
  Duration,
  MalformedNumber,
  Integer,
  Arrow,
  EqualEqual,
  NotEqual,
  NotMatch,
  Match,
  Pipe,
  LBrace,
  RBrace,
  LBracket,
  RBracket,
  LParen,
  RParen,
  Equals,
  Comma,
  Dot,
];

export const flowLexer = new Lexer(ALL_TOKENS, { positionTracking: "full", ensureOptimizations: true });
