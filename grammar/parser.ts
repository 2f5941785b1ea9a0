import { CstParser, type CstNode, type IParserErrorMessageProvider, type IToken, type TokenType } from "chevrotain";
import * as T from "./tokens";

/** Turns chevrotain's messages into the project's style: lowercase, what was expected, what was found. */
const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, actual }) => `expected ${label(expected)}, found ${describe(actual)}`,
  buildNotAllInputParsedMessage: ({ firstRedundant }) => `unexpected ${describe(firstRedundant)}: expected \`tier\``,
  buildNoViableAltMessage: ({ expectedPathsPerAlt, actual, ruleName }) => {
    const firsts = expectedPathsPerAlt.flatMap((paths) => paths.map((path) => path[0]));
    return `expected ${RULE_EXPECTS[ruleName] ?? alternatives(firsts)}, found ${describe(actual[0])}`;
  },
  buildEarlyExitMessage: ({ expectedIterationPaths, actual, ruleName }) => {
    const firsts = expectedIterationPaths.map((path) => path[0]);
    return `expected ${RULE_EXPECTS[ruleName] ?? alternatives(firsts)}, found ${describe(actual[0])}`;
  },
};

/** What a rule expects, in words, where listing its first tokens would be noise. */
const RULE_EXPECTS: Record<string, string> = {
  tierItem: "a declaration (`source`, `channel`, `sink`) or a wiring such as `a -> b`",
  value: "a value",
};

function label(type: TokenType): string {
  return type.LABEL ?? type.name;
}

function alternatives(types: (TokenType | undefined)[]): string {
  const labels = [...new Set(types.filter((type) => type !== undefined).map(label))];
  if (labels.length <= 1) return labels[0] ?? "more input";
  return `${labels.slice(0, -1).join(", ")} or ${labels[labels.length - 1]}`;
}

function describe(token: IToken | undefined): string {
  if (token === undefined || token.tokenType.name === "EOF") return "the end of the file";
  return `\`${token.image}\``;
}

/**
 * The `.flow` grammar as a chevrotain CST parser. Error recovery is on, so one run reports every
 * independent syntax error and the AST builder still sees the rest of the file.
 */
export class FlowParser extends CstParser {
  constructor() {
    super(T.ALL_TOKENS, { recoveryEnabled: true, errorMessageProvider: messages, maxLookahead: 3 });
    this.performSelfAnalysis();
  }

  file = this.RULE("file", () => {
    this.MANY(() => this.SUBRULE(this.tierDecl));
  });

  tierDecl = this.RULE("tierDecl", () => {
    this.CONSUME(T.Tier);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.tierItem));
    this.CONSUME(T.RBrace);
  });

  tierItem = this.RULE("tierItem", () => {
    this.OR([{ ALT: () => this.SUBRULE(this.componentDecl) }, { ALT: () => this.SUBRULE(this.wiring) }]);
  });

  componentDecl = this.RULE("componentDecl", () => {
    this.OR([{ ALT: () => this.CONSUME(T.Source) }, { ALT: () => this.CONSUME(T.Channel) }, { ALT: () => this.CONSUME(T.Sink) }]);
    this.CONSUME(T.Identifier, { LABEL: "name" });
    this.CONSUME(T.Equals);
    this.CONSUME2(T.Identifier, { LABEL: "kind" });
    this.OPTION(() => this.SUBRULE(this.block));
  });

  block = this.RULE("block", () => {
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      this.SUBRULE(this.property);
      this.OPTION(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RBrace);
  });

  property = this.RULE("property", () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.value);
  });

  value = this.RULE("value", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.StringLiteral) },
      { ALT: () => this.CONSUME(T.UnterminatedString) },
      { ALT: () => this.CONSUME(T.Integer) },
      { ALT: () => this.CONSUME(T.Duration) },
      { ALT: () => this.CONSUME(T.Size) },
      { ALT: () => this.CONSUME(T.MalformedNumber) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
      { ALT: () => this.SUBRULE(this.list) },
      { ALT: () => this.SUBRULE(this.block) },
      { ALT: () => this.SUBRULE(this.callOrReference) },
    ]);
  });

  /** Items separated by commas; a trailing comma is allowed, as in property blocks. */
  list = this.RULE("list", () => {
    this.CONSUME(T.LBracket);
    this.MANY(() => {
      this.SUBRULE(this.value);
      this.OPTION(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RBracket);
  });

  /** `env("NAME", default)` or a dotted reference such as `collector.inbound`. */
  callOrReference = this.RULE("callOrReference", () => {
    this.CONSUME(T.Identifier);
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.value) });
          this.CONSUME(T.RParen);
        },
      },
      {
        ALT: () =>
          this.MANY(() => {
            this.CONSUME(T.Dot);
            this.CONSUME2(T.Identifier);
          }),
      },
    ]);
  });

  wiring = this.RULE("wiring", () => {
    this.CONSUME(T.Identifier);
    this.AT_LEAST_ONE(() => {
      this.CONSUME(T.Arrow);
      this.CONSUME2(T.Identifier);
    });
  });
}

/** One parser instance, reused: chevrotain's self-analysis is the expensive part. */
export const flowParser = new FlowParser();

export interface ParseOutput {
  readonly cst: CstNode;
  readonly lexErrors: readonly { offset: number; length: number }[];
  readonly parseErrors: readonly { message: string; token: IToken; previousToken: IToken | undefined }[];
  readonly comments: readonly IToken[];
}

/** Lexes and parses `text`; never throws on bad input. */
export function parseFlow(text: string): ParseOutput {
  const lexed = T.flowLexer.tokenize(text);
  flowParser.input = lexed.tokens;
  const cst = flowParser.file();
  const parseErrors = flowParser.errors.map((error) => ({
    message: error.message,
    token: error.token,
    previousToken: (error as { previousToken?: IToken }).previousToken,
  }));
  return {
    cst,
    lexErrors: lexed.errors.map((error) => ({ offset: error.offset, length: error.length })),
    parseErrors,
    comments: lexed.groups["comments"] ?? [],
  };
}
