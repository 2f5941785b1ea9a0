import { createToken, Lexer, type TokenType } from "chevrotain";

/**
 * The tokens of the `.flow` language. Keywords come before `Identifier` and name it as their
 * `longer_alt`, so `tiers` is an identifier, not `tier` + `s`. Number-like tokens are ordered so that
 * `5MB` is a size, `5m` a duration and `5` an integer; `MalformedNumber` catches `5x` so the checker can
 * name the unit that is wrong instead of reporting two confusing tokens.
 */
export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\n]+/, group: Lexer.SKIPPED });
export const Comment = createToken({ name: "Comment", pattern: /#[^\n]*/, group: "comments" });

export const Identifier = createToken({ name: "Identifier", pattern: /[A-Za-z_][A-Za-z0-9_]*/, label: "a name" });

function keyword(word: string): TokenType {
  return createToken({ name: word[0]!.toUpperCase() + word.slice(1), pattern: new RegExp(word), longer_alt: Identifier, label: `\`${word}\`` });
}

export const Tier = keyword("tier");
export const Source = keyword("source");
export const Channel = keyword("channel");
export const Sink = keyword("sink");
export const True = keyword("true");
export const False = keyword("false");

export const StringLiteral = createToken({
  name: "StringLiteral",
  pattern: /"(?:[^"\\\n]|\\.)*"/,
  label: "a string",
});
export const UnterminatedString = createToken({ name: "UnterminatedString", pattern: /"(?:[^"\\\n]|\\.)*/, label: "a string" });

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
  Tier,
  Source,
  Channel,
  Sink,
  True,
  False,
  Identifier,
  StringLiteral,
  UnterminatedString,
  Size,
  Duration,
  MalformedNumber,
  Integer,
  Arrow,
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
