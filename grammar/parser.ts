import { CstParser, type CstNode, type IParserErrorMessageProvider, type IToken, type TokenType } from "chevrotain";
import * as T from "./tokens";

/** Turns chevrotain's messages into the project's style: lowercase, what was expected, what was found. */
const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, actual }) => `expected ${label(expected)}, found ${describe(actual)}`,
  buildNotAllInputParsedMessage: ({ firstRedundant }) => `unexpected ${describe(firstRedundant)}: expected \`import\`, \`tier\` or a shared definition`,
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
  file: "`import`, `tier` or a shared definition",
  tierItem: "a declaration (`source`, `channel`, `sink`, `group`), a wiring such as `a -> b`, a `route` or a `test`",
  value: "a value",
  interceptor: "an interceptor such as `host()` or `drop(condition)`",
  routeArm: "`when` or `else`",
  notCondition: "a condition such as `header.level == \"ERROR\"`",
  atomCondition: "a condition such as `header.level == \"ERROR\"`",
  comparison: "`==`, `!=`, `in`, `~`, `!~` or `exists`",
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

  /** Imports, tiers, and definitions outside tiers (shared presets that tiers can use as kinds). */
  file = this.RULE("file", () => {
    this.MANY(() =>
      this.OR([
        { ALT: () => this.SUBRULE(this.importDecl) },
        { ALT: () => this.SUBRULE(this.tierDecl) },
        { ALT: () => this.SUBRULE(this.componentDecl) },
      ]),
    );
  });

  importDecl = this.RULE("importDecl", () => {
    this.CONSUME(T.Import);
    this.CONSUME(T.StringLiteral);
  });

  tierDecl = this.RULE("tierDecl", () => {
    this.CONSUME(T.Tier);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.tierItem));
    this.CONSUME(T.RBrace);
  });

  tierItem = this.RULE("tierItem", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.componentDecl) },
      { ALT: () => this.SUBRULE(this.wiring) },
      { ALT: () => this.SUBRULE(this.routeDecl) },
      { ALT: () => this.SUBRULE(this.testDecl) },
    ]);
  });

  /** `source NAME = KIND { … } | interceptor() | …` (also `channel`, `sink`, `group`). */
  componentDecl = this.RULE("componentDecl", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Source) },
      { ALT: () => this.CONSUME(T.Channel) },
      { ALT: () => this.CONSUME(T.Sink) },
      { ALT: () => this.CONSUME(T.Group) },
    ]);
    this.CONSUME(T.Identifier, { LABEL: "name" });
    this.CONSUME(T.Equals);
    this.CONSUME2(T.Identifier, { LABEL: "kind" });
    this.OPTION(() => this.SUBRULE(this.block));
    this.MANY(() => {
      this.CONSUME(T.Pipe);
      this.SUBRULE(this.interceptor);
    });
  });

  /** `host(header = "host")`, `timestamp()`, or `drop(condition)`. */
  interceptor = this.RULE("interceptor", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Drop);
          this.CONSUME(T.LParen);
          this.SUBRULE(this.condition);
          this.CONSUME(T.RParen);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Identifier);
          this.CONSUME2(T.LParen);
          this.MANY(() => {
            this.SUBRULE(this.property);
            this.OPTION(() => this.CONSUME(T.Comma));
          });
          this.CONSUME2(T.RParen);
        },
      },
    ]);
  });

  block = this.RULE("block", () => {
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      this.SUBRULE(this.property);
      this.OPTION(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RBrace);
  });

  /** `name = value`; a name that is not an identifier (an HTTP header such as `"X-Team"`) is quoted. */
  property = this.RULE("property", () => {
    this.OR([{ ALT: () => this.CONSUME(T.Identifier) }, { ALT: () => this.CONSUME(T.StringLiteral) }]);
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
      { ALT: () => this.CONSUME(T.RegexLiteral) },
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
          this.MANY(() => {
            this.SUBRULE(this.value);
            this.OPTION(() => this.CONSUME(T.Comma));
          });
          this.CONSUME(T.RParen);
        },
      },
      {
        ALT: () =>
          this.MANY2(() => {
            this.CONSUME(T.Dot);
            this.CONSUME2(T.Identifier);
          }),
      },
    ]);
  });

  /** `a -> b -> c`, `src -> hot, optional spill`: every name of a step feeds every name of the next. */
  wiring = this.RULE("wiring", () => {
    this.CONSUME(T.Identifier);
    this.AT_LEAST_ONE(() => {
      this.CONSUME(T.Arrow);
      this.SUBRULE(this.targets);
    });
  });

  targets = this.RULE("targets", () => {
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.target) });
  });

  target = this.RULE("target", () => {
    this.OPTION(() => this.CONSUME(T.Optional));
    this.CONSUME(T.Identifier);
  });

  /** `route SOURCE { when COND -> channels … else -> channels }`: multiplexing by header or body. */
  routeDecl = this.RULE("routeDecl", () => {
    this.CONSUME(T.Route);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.routeArm));
    this.CONSUME(T.RBrace);
  });

  routeArm = this.RULE("routeArm", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.When);
          this.SUBRULE(this.condition);
        },
      },
      { ALT: () => this.CONSUME(T.Else) },
    ]);
    this.CONSUME(T.Arrow);
    this.SUBRULE(this.targets);
  });

  condition = this.RULE("condition", () => {
    this.SUBRULE(this.andCondition);
    this.MANY(() => {
      this.CONSUME(T.Or);
      this.SUBRULE2(this.andCondition);
    });
  });

  andCondition = this.RULE("andCondition", () => {
    this.SUBRULE(this.notCondition);
    this.MANY(() => {
      this.CONSUME(T.And);
      this.SUBRULE2(this.notCondition);
    });
  });

  notCondition = this.RULE("notCondition", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Not);
          this.SUBRULE(this.notCondition);
        },
      },
      { ALT: () => this.SUBRULE(this.atomCondition) },
    ]);
  });

  atomCondition = this.RULE("atomCondition", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.SUBRULE(this.condition);
          this.CONSUME(T.RParen);
        },
      },
      {
        ALT: () => {
          this.SUBRULE(this.subject);
          this.SUBRULE(this.comparison);
        },
      },
    ]);
  });

  /** `header.level`, `header["x-request-id"]` or `body`. */
  subject = this.RULE("subject", () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() =>
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T.Dot);
            this.CONSUME2(T.Identifier, { LABEL: "field" });
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.LBracket);
            this.CONSUME(T.StringLiteral);
            this.CONSUME(T.RBracket);
          },
        },
      ]),
    );
  });

  comparison = this.RULE("comparison", () => {
    this.OR([
      {
        ALT: () => {
          this.OR2([{ ALT: () => this.CONSUME(T.EqualEqual) }, { ALT: () => this.CONSUME(T.NotEqual) }]);
          this.SUBRULE(this.value);
        },
      },
      {
        ALT: () => {
          this.OPTION(() => this.CONSUME(T.Not));
          this.CONSUME(T.In);
          this.SUBRULE(this.list);
        },
      },
      {
        ALT: () => {
          this.OR3([{ ALT: () => this.CONSUME(T.Match) }, { ALT: () => this.CONSUME(T.NotMatch) }]);
          this.CONSUME(T.RegexLiteral);
        },
      },
      { ALT: () => this.CONSUME(T.Exists) },
    ]);
  });

  /** `test "name" { send SOURCE { headers = {…}, body = "…" }  expect CHANNELS | dropped | headers {…} }` */
  testDecl = this.RULE("testDecl", () => {
    this.CONSUME(T.Test);
    this.CONSUME(T.StringLiteral);
    this.CONSUME(T.LBrace);
    this.MANY(() => this.OR([{ ALT: () => this.SUBRULE(this.sendStep) }, { ALT: () => this.SUBRULE(this.expectStep) }]));
    this.CONSUME(T.RBrace);
  });

  sendStep = this.RULE("sendStep", () => {
    this.CONSUME(T.Send);
    this.CONSUME(T.Identifier);
    this.SUBRULE(this.block);
  });

  expectStep = this.RULE("expectStep", () => {
    this.CONSUME(T.Expect);
    this.OR([
      { ALT: () => this.CONSUME(T.Dropped) },
      {
        GATE: () => this.LA(2).tokenType === T.LBrace,
        ALT: () => {
          this.CONSUME(T.Identifier, { LABEL: "what" });
          this.SUBRULE(this.block);
        },
      },
      { ALT: () => this.SUBRULE(this.targets) },
    ]);
  });
}

/** One parser instance, reused: chevrotain's self-analysis is the expensive part. */
export const flowParser = new FlowParser();

export interface ParseOutput {
  readonly cst: CstNode;
  readonly lexErrors: readonly { offset: number; length: number }[];
  readonly parseErrors: readonly { message: string; token: IToken; previousToken: IToken | undefined }[];
  readonly comments: readonly IToken[];
  /** Set when the input nests deeper than `MAX_NESTING`: it was not parsed (the CST is empty). */
  readonly tooDeep?: IToken;
}

/**
 * How deep brackets, parentheses, blocks and `not` chains may nest. The parser (and chevrotain's error
 * recovery) recurse once per level, so unbounded nesting would overflow the stack; real files stay
 * under ten levels.
 */
export const MAX_NESTING = 64;

const OPENERS = new Set([T.LBrace, T.LBracket, T.LParen]);
const CLOSERS = new Set([T.RBrace, T.RBracket, T.RParen]);

/** Tokens after which a run of `not` has ended: the negated operand is complete. */
const ENDS_NOT_RUN = new Set([T.And, T.Or, T.Arrow, T.Comma, T.When, T.Else]);

/**
 * The first token at which nesting exceeds `MAX_NESTING`, if any. The parser recurses once per open
 * bracket and once per `not`, so a run of `not` counts as depth until its operand ends, and runs
 * inside parentheses add up with the runs around them.
 */
function firstTooDeep(tokens: readonly IToken[]): IToken | undefined {
  let open = 0;
  let nots = 0;
  const notsOutside: number[] = [];
  for (const token of tokens) {
    const type = token.tokenType;
    if (OPENERS.has(type)) {
      notsOutside.push(nots);
      open++;
    } else if (CLOSERS.has(type)) {
      open = Math.max(0, open - 1);
      nots = notsOutside.pop() ?? 0;
    } else if (type === T.Not) {
      nots++;
    } else if (ENDS_NOT_RUN.has(type)) {
      nots = notsOutside[notsOutside.length - 1] ?? 0;
    }
    if (open + nots > MAX_NESTING) return token;
  }
  return undefined;
}

/** Lexes and parses `text`; never throws on bad input. */
export function parseFlow(text: string): ParseOutput {
  const lexed = T.flowLexer.tokenize(text);
  const comments = lexed.groups["comments"] ?? [];
  const lexErrors = lexed.errors.map((error) => ({ offset: error.offset, length: error.length }));
  const tooDeep = firstTooDeep(lexed.tokens);
  if (tooDeep !== undefined) return { cst: { name: "file", children: {} }, lexErrors, parseErrors: [], comments, tooDeep };
  flowParser.input = lexed.tokens;
  const cst = flowParser.file();
  const parseErrors = flowParser.errors.map((error) => ({
    message: error.message,
    token: error.token,
    previousToken: (error as { previousToken?: IToken }).previousToken,
  }));
  return { cst, lexErrors, parseErrors, comments };
}
