import type { CstNode, IToken } from "chevrotain";
import { DURATION_UNITS_MS, SIZE_UNITS_BYTES } from "../../runtime/spec";
import { type DiagnosticBag, listNames, type SourceFile, type Span } from "../diagnostics";
import { children, name, nodes, nodeSpan, token } from "./cst-access";
import type { Name, Property, Value } from "./nodes";

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { "\\": "\\", '"': '"', n: "\n", r: "\r", t: "\t" };

/** Decodes values and property blocks: escapes, `_` in numbers, units, regex literals. */
export class ValueBuilder {
  constructor(
    readonly source: SourceFile,
    readonly diagnostics: DiagnosticBag,
  ) {}

  /** The properties of a `block` node, or of any node holding `property` children. */
  properties(node: CstNode): Property[] {
    return nodes(node, "property").flatMap((property) => {
      const nameToken = token(property, "Identifier");
      const quotedName = token(property, "StringLiteral");
      const valueNode = nodes(property, "value")[0];
      const span = nodeSpan(property);
      if (valueNode === undefined || span === undefined) return [];
      const propertyName = nameToken !== undefined ? name(nameToken) : quotedName !== undefined ? this.quotedName(quotedName) : undefined;
      if (propertyName === undefined) return [];
      return [{ $type: "Property", name: propertyName, value: this.value(valueNode), span }];
    });
  }

  /** A quoted property name, decoded like a string (`"X-Team"` is `X-Team`). */
  private quotedName(t: IToken): Name {
    const span = { start: t.startOffset, end: (t.endOffset ?? t.startOffset) + 1 };
    const decoded = this.string(t, span);
    return { $type: "Name", text: decoded.$type === "StringValue" ? decoded.value : t.image.slice(1, -1), span };
  }

  value(node: CstNode): Value {
    const span = nodeSpan(node) ?? { start: 0, end: 0 };
    const list = nodes(node, "list")[0];
    if (list !== undefined) return { $type: "ListValue", items: nodes(list, "value").map((item) => this.value(item)), span };
    const block = nodes(node, "block")[0];
    if (block !== undefined) return { $type: "BlockValue", properties: this.properties(block), span };
    const call = nodes(node, "callOrReference")[0];
    if (call !== undefined) return this.callOrReference(call, span);
    const [key, found] = Object.entries(node.children)[0] ?? [];
    const literal = found?.[0] as IToken | undefined;
    if (key === undefined || literal === undefined || Number.isNaN(literal.startOffset)) return { $type: "InvalidValue", span };
    return this.literal(key, literal, span);
  }

  /** A `RegexLiteral` token, checked to compile. */
  regex(t: IToken): Value {
    const span = { start: t.startOffset, end: (t.endOffset ?? t.startOffset) + 1 };
    const close = t.image.lastIndexOf("/");
    const pattern = t.image.slice(1, close);
    const flags = t.image.slice(close + 1);
    try {
      new RegExp(pattern, flags);
    } catch (error) {
      const reason = (error as Error).message.replace(/^Invalid (regular expression|flags)[^:]*: /, "");
      this.diagnostics.report("FLOW1007", this.source, span, "invalid regular expression", {
        label: reason,
        help: "flags are `i` (ignore case), `m`, `s` and `u`; write `\\/` for a slash inside the pattern",
      });
      return { $type: "InvalidValue", span };
    }
    return { $type: "RegexValue", pattern, flags, span };
  }

  private callOrReference(node: CstNode, span: Span): Value {
    const identifiers = (children(node, "Identifier") as IToken[]).map(name);
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
      case "RegexLiteral":
        return this.regex(t);
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
    this.diagnostics.report("FLOW1004", this.source, { start: span.end - unit.length, end: span.end }, `unknown unit \`${unit}\``, {
      label: "not a duration or size unit",
      help: [
        `durations take ${listNames(Object.keys(DURATION_UNITS_MS))}`,
        `sizes take ${listNames(Object.keys(SIZE_UNITS_BYTES))}`,
      ],
    });
    return { $type: "InvalidValue", span };
  }

  /** Decodes a string token; reports each invalid escape. */
  string(t: IToken, span: Span): Value {
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
      const simple = SIMPLE_ESCAPES[next];
      if (simple !== undefined) {
        value += simple;
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
      const escapeStart = span.start + 1 + i;
      this.diagnostics.report("FLOW1005", this.source, { start: escapeStart, end: escapeStart + 2 }, `invalid escape \`\\${next}\``, {
        label: "not a known escape",
        help: "known escapes are `\\\\`, `\\\"`, `\\n`, `\\r`, `\\t` and `\\u{…}`; write `\\\\` for a backslash",
      });
      i++;
    }
    return valid ? { $type: "StringValue", value, span } : { $type: "InvalidValue", span };
  }
}
