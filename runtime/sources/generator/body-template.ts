/**
 * The `body` of a `generator`: text with placeholders, compiled once when the source is built.
 *
 * - `%{seq}`: the event's number, counting from 0; `%{seq:N}` pads it with zeros to N digits (1 to 20)
 * - `%{timestamp}`: when the batch was made, in milliseconds since the Unix epoch
 * - `%{iso8601}`: the same time as `2026-11-21T12:00:00.000Z`
 * - `%{host}`: the host's name
 * - `%%`: a literal `%` (a `%` followed by anything else than `{` or `%` is literal too)
 */
export type TemplatePart =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "seq"; readonly width: number }
  | { readonly kind: "timestamp" }
  | { readonly kind: "iso8601" }
  | { readonly kind: "host" };

export const PLACEHOLDERS = ["seq", "seq:N", "timestamp", "iso8601", "host"] as const;

/** What varies from batch to batch: the time (one reading per batch) and the host name. */
export interface BatchValues {
  readonly timestamp: string;
  readonly iso8601: string;
  readonly host: string;
}

export class TemplateError extends Error {}

const PLACEHOLDER = /%%|%\{([^}]*)\}/g;

export class BodyTemplate {
  readonly parts: readonly TemplatePart[];
  /** The body when it has no placeholder: every event shares these bytes. */
  readonly fixed: Buffer | undefined;
  readonly usesTime: boolean;

  constructor(template: string) {
    const parts: TemplatePart[] = [];
    let text = "";
    let last = 0;
    for (const match of template.matchAll(PLACEHOLDER)) {
      text += template.slice(last, match.index);
      last = match.index + match[0].length;
      if (match[0] === "%%") {
        text += "%";
        continue;
      }
      const part = placeholder(match[1] as string);
      if (text !== "") parts.push({ kind: "text", text });
      text = "";
      parts.push(part);
    }
    text += template.slice(last);
    if (text !== "") parts.push({ kind: "text", text });
    this.parts = parts;
    this.fixed = parts.every((part) => part.kind === "text") ? Buffer.from(parts.map((part) => (part.kind === "text" ? part.text : "")).join(""), "utf8") : undefined;
    this.usesTime = parts.some((part) => part.kind === "timestamp" || part.kind === "iso8601");
  }

  /** The body of event number `seq`. */
  render(seq: number, values: BatchValues): string {
    let out = "";
    const parts = this.parts;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] as TemplatePart;
      switch (part.kind) {
        case "text":
          out += part.text;
          break;
        case "seq":
          out += part.width === 0 ? String(seq) : String(seq).padStart(part.width, "0");
          break;
        case "timestamp":
          out += values.timestamp;
          break;
        case "iso8601":
          out += values.iso8601;
          break;
        case "host":
          out += values.host;
          break;
      }
    }
    return out;
  }
}

function placeholder(name: string): TemplatePart {
  switch (name) {
    case "seq":
      return { kind: "seq", width: 0 };
    case "timestamp":
      return { kind: "timestamp" };
    case "iso8601":
      return { kind: "iso8601" };
    case "host":
      return { kind: "host" };
  }
  const padded = /^seq:(\d{1,2})$/.exec(name);
  if (padded !== null) {
    const width = Number(padded[1]);
    if (width >= 1 && width <= 20) return { kind: "seq", width };
  }
  throw new TemplateError(
    `unknown placeholder \`%{${name}}\`; the placeholders are ${PLACEHOLDERS.map((p) => `\`%{${p}}\``).join(", ")} (N from 1 to 20), and \`%%\` is a literal \`%\``,
  );
}
