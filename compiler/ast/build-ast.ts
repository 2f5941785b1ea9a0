import type { CstElement, CstNode, IToken } from "chevrotain";
import type { ParseOutput } from "../../grammar";
import { DURATION_UNITS_MS, SIZE_UNITS_BYTES, type ComponentRole } from "../../runtime/spec";
import { DiagnosticBag, listNames, type SourceFile, type Span } from "../diagnostics";
import type { ComponentDecl, FlowFile, Name, Property, TierDecl, Value, Wiring } from "./nodes";

/**
 * Turns the CST into the typed AST, decoding literals (escapes, `_` in numbers, units). Syntax errors
 * found here (a bad escape, an unknown unit, an unterminated string) go into `diagnostics`; nodes that
 * error recovery left incomplete are dropped, because their problem was already reported by the parser.
 */
export function buildAst(source: SourceFile, parsed: ParseOutput, diagnostics: DiagnosticBag): FlowFile {
  return new AstBuilder(source, diagnostics).file(parsed.cst);
}

function children(node: CstNode, key: string): CstElement[] {
  return node.children[key] ?? [];
}

function nodes(node: CstNode, key: string): CstNode[] {
  return children(node, key) as CstNode[];
}

/** A token that error recovery inserted has no position; treat it as absent. */
function token(node: CstNode, key: string, index = 0): IToken | undefined {
  const found = children(node, key)[index] as IToken | undefined;
  return found === undefined || found.isInsertedInRecovery === true || Number.isNaN(found.startOffset) ? undefined : found;
}

function tokenSpan(t: IToken): Span {
  return { start: t.startOffset, end: (t.endOffset ?? t.startOffset) + 1 };
}

function join(a: Span, b: Span): Span {
  return { start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };
}

function name(t: IToken): Name {
  return { $type: "Name", text: t.image, span: tokenSpan(t) };
}

/** The span of a CST node, from its positioned tokens. */
function nodeSpan(node: CstNode): Span | undefined {
  let span: Span | undefined;
  for (const list of Object.values(node.children)) {
    for (const element of list) {
      const inner = "image" in element ? (Number.isNaN(element.startOffset) ? undefined : tokenSpan(element)) : nodeSpan(element);
      if (inner !== undefined) span = span === undefined ? inner : join(span, inner);
    }
  }
  return span;
}

const ROLE_BY_KEYWORD: Record<string, ComponentRole> = { Source: "source", Channel: "channel", Sink: "sink" };

class AstBuilder {
  constructor(
    private readonly source: SourceFile,
    private readonly diagnostics: DiagnosticBag,
  ) {}

  file(cst: CstNode): FlowFile {
    const tiers = nodes(cst, "tierDecl").flatMap((tier) => this.tier(tier) ?? []);
    return { $type: "FlowFile", source: this.source, tiers };
  }

  private tier(node: CstNode): TierDecl | undefined {
    const nameToken = token(node, "Identifier");
    const span = nodeSpan(node);
    if (nameToken === undefined || span === undefined) return undefined;
    const items = nodes(node, "tierItem");
    return {
      $type: "TierDecl",
      name: name(nameToken),
      components: items.flatMap((item) => nodes(item, "componentDecl").flatMap((decl) => this.component(decl) ?? [])),
      wirings: items.flatMap((item) => nodes(item, "wiring").flatMap((wiring) => this.wiring(wiring) ?? [])),
      span,
    };
  }

  private component(node: CstNode): ComponentDecl | undefined {
    const keyword = ["Source", "Channel", "Sink"].find((key) => token(node, key) !== undefined);
    const nameToken = token(node, "name");
    const kindToken = token(node, "kind");
    const span = nodeSpan(node);
    if (keyword === undefined || nameToken === undefined || kindToken === undefined || span === undefined) return undefined;
    const block = nodes(node, "block")[0];
    return {
      $type: "ComponentDecl",
      role: ROLE_BY_KEYWORD[keyword] as ComponentRole,
      name: name(nameToken),
      kind: name(kindToken),
      properties: block === undefined ? [] : this.properties(block),
      span,
    };
  }

  private properties(block: CstNode): Property[] {
    return nodes(block, "property").flatMap((property) => {
      const nameToken = token(property, "Identifier");
      const valueNode = nodes(property, "value")[0];
      const span = nodeSpan(property);
      if (nameToken === undefined || valueNode === undefined || span === undefined) return [];
      return [{ $type: "Property", name: name(nameToken), value: this.value(valueNode), span }];
    });
  }

  private wiring(node: CstNode): Wiring | undefined {
    const span = nodeSpan(node);
    const steps = children(node, "Identifier")
      .map((t) => t as IToken)
      .filter((t) => t.isInsertedInRecovery !== true && !Number.isNaN(t.startOffset))
      .map(name);
    if (span === undefined || steps.length < 2) return undefined;
    return { $type: "Wiring", steps, span };
  }

  private value(node: CstNode): Value {
    const span = nodeSpan(node) ?? { start: 0, end: 0 };
    const list = nodes(node, "list")[0];
    if (list !== undefined) return { $type: "ListValue", items: nodes(list, "value").map((item) => this.value(item)), span };
    const block = nodes(node, "block")[0];
    if (block !== undefined) return { $type: "BlockValue", properties: this.properties(block), span };
    const call = nodes(node, "callOrReference")[0];
    if (call !== undefined) return this.callOrReference(call, span);
    const [key, t] = Object.entries(node.children)[0] ?? [];
    const literal = t?.[0] as IToken | undefined;
    if (key === undefined || literal === undefined || Number.isNaN(literal.startOffset)) return { $type: "InvalidValue", span };
    return this.literal(key, literal, span);
  }

  private callOrReference(node: CstNode, span: Span): Value {
    const identifiers = children(node, "Identifier").map((t) => name(t as IToken));
    const head = identifiers[0];
    if (head === undefined) return { $type: "InvalidValue", span };
    if (token(node, "LParen") !== undefined) {
      return { $type: "CallValue", callee: head, args: nodes(node, "value").map((arg) => this.value(arg)), span };
    }
    return { $type: "ReferenceValue", path: identifiers, span };
  }

  private literal(key: string, t: IToken, span: Span): Value {
    switch (key) {
      case "StringLiteral":
        return this.string(t, span);
      case "UnterminatedString":
        this.diagnostics.report("FLOW1003", this.source, span, "unterminated string", {
          label: "this string has no closing `\"`",
          help: "strings end on the line they start on; write `\\n` for a newline inside one",
        });
        return { $type: "InvalidValue", span };
      case "True":
      case "False":
        return { $type: "BooleanValue", value: key === "True", span };
      case "Integer":
        return this.number(t.image, 1, span, (value) => ({ $type: "IntegerValue", value, span }));
      case "Duration":
        return this.quantity(t.image, DURATION_UNITS_MS, span, (milliseconds) => ({ $type: "DurationValue", milliseconds, span }));
      case "Size":
        return this.quantity(t.image, SIZE_UNITS_BYTES, span, (bytes) => ({ $type: "SizeValue", bytes, span }));
      case "MalformedNumber":
        return this.malformedNumber(t, span);
      default:
        return { $type: "InvalidValue", span };
    }
  }

  private quantity(image: string, units: Readonly<Record<string, number>>, span: Span, make: (n: number) => Value): Value {
    const unit = /[A-Za-z]+$/.exec(image)?.[0] ?? "";
    return this.number(image.slice(0, image.length - unit.length), units[unit] ?? 1, span, make);
  }

  private number(digits: string, scale: number, span: Span, make: (n: number) => Value): Value {
    const value = Number(digits.replaceAll("_", "")) * scale;
    if (!Number.isSafeInteger(value)) {
      this.diagnostics.report("FLOW1006", this.source, span, "number too large", { label: "does not fit in 53 bits" });
      return { $type: "InvalidValue", span };
    }
    return make(value);
  }

  private malformedNumber(t: IToken, span: Span): Value {
    const unit = /[A-Za-z]\w*$/.exec(t.image)?.[0] ?? t.image;
    const unitStart = span.end - unit.length;
    this.diagnostics.report("FLOW1004", this.source, { start: unitStart, end: span.end }, `unknown unit \`${unit}\``, {
      label: "not a duration or size unit",
      help: [
        `durations take ${listNames(Object.keys(DURATION_UNITS_MS))}`,
        `sizes take ${listNames(Object.keys(SIZE_UNITS_BYTES))}`,
      ],
    });
    return { $type: "InvalidValue", span };
  }

  private string(t: IToken, span: Span): Value {
    const raw = t.image.slice(1, -1);
    let value = "";
    let valid = true;
    for (let i = 0; i < raw.length; i++) {
      const ch = raw[i] as string;
      if (ch !== "\\") {
        value += ch;
        continue;
      }
      const next = raw[i + 1] ?? "";
      const escapeStart = span.start + 1 + i;
      const simple: Record<string, string> = { "\\": "\\", '"': '"', n: "\n", r: "\r", t: "\t" };
      if (next in simple) {
        value += simple[next];
        i++;
        continue;
      }
      const unicode = /^u\{([0-9a-fA-F]{1,6})\}/.exec(raw.slice(i + 1));
      const codePoint = unicode === null ? Number.NaN : parseInt(unicode[1] as string, 16);
      if (unicode !== null && codePoint <= 0x10ffff) {
        value += String.fromCodePoint(codePoint);
        i += unicode[0].length;
        continue;
      }
      valid = false;
      this.diagnostics.report("FLOW1005", this.source, { start: escapeStart, end: escapeStart + 2 }, `invalid escape \`\\${next}\``, {
        label: "not a known escape",
        help: "known escapes are `\\\\`, `\\\"`, `\\n`, `\\r`, `\\t` and `\\u{…}`; write `\\\\` for a backslash",
      });
      i++;
    }
    return valid ? { $type: "StringValue", value, span } : { $type: "InvalidValue", span };
  }
}
