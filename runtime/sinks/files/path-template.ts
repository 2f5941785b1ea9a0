import type { FlowEvent } from "../../core/event";
import { roundDown, type Rounding, type TimeFields, ZonedClock } from "./zoned-clock";

/**
 * Flume's escape sequences in a path (its `BucketPath`): `%{header}`, `%[localhost]`, `%[IP]`, `%[FQDN]`,
 * `%%`, and a letter for a part of the event's time. Parsed once when the sink is constructed (an unknown
 * escape is an error then, where Flume silently writes nothing) and compiled once at start into a
 * function from an event to its path.
 */
export type TemplatePart =
  | { readonly kind: "literal"; readonly text: string }
  | { readonly kind: "header"; readonly name: string }
  | { readonly kind: "host"; readonly which: HostValue }
  | { readonly kind: "time"; readonly letter: TimeLetter };

export type HostValue = "localhost" | "IP" | "FQDN";

/** The letters Flume's BucketPath knows, with what each writes (Java `SimpleDateFormat` patterns). */
export const TIME_ESCAPES = {
  t: "the event's time in milliseconds since the Unix epoch (not rounded)",
  a: "short weekday name (`Mon`)",
  A: "full weekday name (`Monday`)",
  b: "short month name (`Jan`)",
  B: "full month name (`January`)",
  c: "date and time (`Thu Mar 3 23:05:25 2005`)",
  d: "day of month, two digits (`01`)",
  e: "day of month (`1`)",
  D: "date, `MM/dd/yy` (writes two directory levels)",
  H: "hour 00-23",
  I: "hour 01-12",
  j: "day of year, three digits (`001`-`366`)",
  k: "hour 0-23",
  l: "hour 1-12",
  m: "month, two digits (`01`-`12`)",
  n: "month (`1`-`12`)",
  M: "minute, two digits",
  p: "`AM` or `PM`",
  s: "seconds since the Unix epoch",
  S: "second, two digits",
  y: "year, two digits",
  Y: "year, four digits",
  z: "the zone's offset, `+hhmm`",
} as const;

export type TimeLetter = keyof typeof TIME_ESCAPES;

const HOST_VALUES: Readonly<Record<string, HostValue>> = { localhost: "localhost", ip: "IP", fqdn: "FQDN" };

/** Flume's header names: word characters, `.` and `-`. */
const HEADER_NAME = /^[\w.-]+$/;

export class TemplateError extends Error {}

/** Splits a path into literal text and escapes; throws `TemplateError` for one Flume does not define. */
export function parseTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = "";
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (char !== "%") {
      literal += char;
      continue;
    }
    const next = text[i + 1];
    // As in Flume, `%` before anything but a word character, `{` or `[` is itself; `%%` is one `%`.
    if (next === undefined || !/[\w{[%]/.test(next)) {
      literal += "%";
      continue;
    }
    if (next === "%") {
      literal += "%";
      i++;
      continue;
    }
    let part: TemplatePart;
    if (next === "{" || next === "[") {
      const close = text.indexOf(next === "{" ? "}" : "]", i + 2);
      const name = close < 0 ? "" : text.slice(i + 2, close);
      if (next === "{") {
        if (!HEADER_NAME.test(name)) throw new TemplateError(`\`${text.slice(i, close < 0 ? i + 2 : close + 1)}\` is not a header escape: \`%{name}\`, the name made of letters, digits, \`_\`, \`.\` and \`-\``);
        part = { kind: "header", name };
      } else {
        const which = HOST_VALUES[name.toLowerCase()];
        if (which === undefined) throw new TemplateError(`\`${text.slice(i, close < 0 ? i + 2 : close + 1)}\` is not a host escape: \`%[localhost]\`, \`%[IP]\` or \`%[FQDN]\``);
        part = { kind: "host", which };
      }
      i = close;
    } else {
      if (!Object.hasOwn(TIME_ESCAPES, next)) throw new TemplateError(`unknown escape \`%${next}\` (write \`%%\` for a literal \`%\`)`);
      part = { kind: "time", letter: next as TimeLetter };
      i++;
    }
    if (literal !== "") parts.push({ kind: "literal", text: literal });
    literal = "";
    parts.push(part);
  }
  if (literal !== "" || parts.length === 0) parts.push({ kind: "literal", text: literal });
  return parts;
}

/** Whether a parsed template has no escapes, i.e. is one fixed path. */
export function isFixed(parts: readonly TemplatePart[]): boolean {
  return parts.every((part) => part.kind === "literal");
}

/**
 * The directory every expansion of the template lies under: the part before the first escape, up to its
 * last `/` (`logs/%Y/%m/app.log` → `logs`, `%{host}.log` → `.`).
 */
export function fixedDirectoryOf(parts: readonly TemplatePart[]): string {
  const first = parts[0];
  const fixed = first?.kind === "literal" ? first.text : "";
  const slash = fixed.lastIndexOf("/");
  return slash < 0 ? "." : slash === 0 ? "/" : fixed.slice(0, slash);
}

/** Most characters of one header value in a path: longer values are cut, so a name stays under 255 bytes. */
export const MAX_HEADER_VALUE_LENGTH = 100;

/**
 * A header value as it goes into a path: `/` and NUL become `_`, `.` and `..` become `_` and `__` (so a
 * header can neither climb out of the sink's directory nor name a directory), and it is cut to
 * `MAX_HEADER_VALUE_LENGTH` characters. A missing header is an empty string, as in Flume.
 */
export function pathSafe(value: string | undefined): string {
  if (value === undefined) return "";
  if (value.length <= MAX_HEADER_VALUE_LENGTH && value.indexOf("/") < 0 && value.indexOf("\0") < 0 && value !== "." && value !== "..") return value;
  if (value === ".") return "_";
  if (value === "..") return "__";
  return value.slice(0, MAX_HEADER_VALUE_LENGTH).replace(/[/\0]/g, "_");
}

export interface TemplateOptions {
  /** Header holding the event's time in milliseconds since the epoch. */
  readonly timestampHeader: string;
  /** Use the agent's clock for every event instead of the header. */
  readonly useLocalTime: boolean;
  readonly rounding: Rounding | undefined;
  readonly clock: ZonedClock;
  readonly hosts: Readonly<Record<HostValue, string>>;
}

/** What a compiled template needs per batch: the batch's clock reading, and a count of events without a usable time. */
export interface ResolveContext {
  /** `Date.now()` once per batch: the time of events without a usable timestamp (or every event with `use_local_time`). */
  now: number;
  /** Incremented for each event whose timestamp header is missing or not a number. */
  timestampFallbacks: number;
}

type Piece = (event: FlowEvent, fields: TimeFields, raw: number) => string;

const SLASH = 0x2f;

/** Most paths remembered per second for a template with one header (`%{host}`): more clears the memo. */
const MEMO_SIZE = 4_096;

/**
 * A template compiled into one function. Time parts are rendered once per distinct (rounded) second and
 * cached; a template that reads no header is cached whole, so a batch whose events share a second costs a
 * header read and a comparison per event; one that reads a single header remembers the path of each value
 * (within the second), so the usual `%{host}/…` costs a header read and a map lookup.
 */
export class CompiledTemplate {
  private readonly pieces: readonly (string | Piece)[];
  private readonly usesTime: boolean;
  private readonly usesHeaders: boolean;
  private readonly usesRawTime: boolean;
  /** The last second rendered and its fields. */
  private fieldsSecond = Number.NaN;
  private fields: TimeFields | undefined = undefined;
  /** For a template without headers: the last cache key (second, or millisecond with `%t`) and its path. */
  private pathKey = Number.NaN;
  private path = "";
  /** The header of a template with exactly one (and no `%t`), whose paths are memoised per value. */
  private readonly memoHeader: string | undefined;
  private readonly memo = new Map<string | undefined, string>();
  private memoSecond = Number.NaN;

  constructor(
    parts: readonly TemplatePart[],
    private readonly options: TemplateOptions,
  ) {
    const pieces: (string | Piece)[] = [];
    let usesTime = false;
    let usesHeaders = false;
    let usesRawTime = false;
    for (const part of parts) {
      switch (part.kind) {
        case "literal":
          appendText(pieces, part.text);
          break;
        case "host":
          appendText(pieces, options.hosts[part.which]);
          break;
        case "header": {
          const name = part.name;
          usesHeaders = true;
          pieces.push((event) => pathSafe(event.headers[name]));
          break;
        }
        case "time": {
          usesTime = true;
          if (part.letter === "t") {
            usesRawTime = true;
            pieces.push((_event, _fields, raw) => String(raw));
          } else {
            const letter = part.letter;
            pieces.push((_event, fields) => fields[letter]);
          }
          break;
        }
      }
    }
    this.pieces = pieces;
    this.usesTime = usesTime;
    this.usesHeaders = usesHeaders;
    this.usesRawTime = usesRawTime;
    const headers = parts.filter((part) => part.kind === "header");
    this.memoHeader = headers.length === 1 && !usesRawTime ? (headers[0] as { name: string }).name : undefined;
  }

  /** The path for `event`. */
  resolve(event: FlowEvent, context: ResolveContext): string {
    if (this.memoHeader !== undefined) return this.resolveMemoised(event, context, this.memoHeader);
    let raw = 0;
    let fields: TimeFields | undefined;
    if (this.usesTime) {
      raw = this.timeOf(event, context);
      const second = Math.floor(raw / 1_000);
      if (!this.usesHeaders) {
        const key = this.usesRawTime ? raw : second;
        if (key === this.pathKey) return this.path;
        this.pathKey = key;
        this.path = this.render(event, this.fieldsAt(raw, second), raw);
        return this.path;
      }
      fields = this.fieldsAt(raw, second);
    }
    return this.render(event, fields as TimeFields, raw);
  }

  private resolveMemoised(event: FlowEvent, context: ResolveContext, header: string): string {
    let raw = 0;
    let second = 0;
    if (this.usesTime) {
      raw = this.timeOf(event, context);
      second = Math.floor(raw / 1_000);
      if (second !== this.memoSecond) {
        this.memo.clear();
        this.memoSecond = second;
      }
    }
    const value = event.headers[header];
    let path = this.memo.get(value);
    if (path !== undefined) return path;
    path = this.render(event, (this.usesTime ? this.fieldsAt(raw, second) : undefined) as TimeFields, raw);
    if (this.memo.size >= MEMO_SIZE) this.memo.clear();
    this.memo.set(value, path);
    return path;
  }

  private render(event: FlowEvent, fields: TimeFields, raw: number): string {
    const pieces = this.pieces;
    let path = "";
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i] as string | Piece;
      path += typeof piece === "string" ? piece : piece(event, fields, raw);
    }
    // A file name that expanded to nothing (`logs/%{host}` without the header) would name the directory.
    return path.charCodeAt(path.length - 1) === SLASH ? `${path}_` : path;
  }

  private timeOf(event: FlowEvent, context: ResolveContext): number {
    if (this.options.useLocalTime) return context.now;
    const header = event.headers[this.options.timestampHeader];
    if (header !== undefined) {
      const value = Number(header);
      if (Number.isSafeInteger(value) && header.trim() !== "") return value;
    }
    context.timestampFallbacks++;
    return context.now;
  }

  private fieldsAt(raw: number, second: number): TimeFields {
    if (second === this.fieldsSecond && this.fields !== undefined) return this.fields;
    const { clock, rounding } = this.options;
    const offset = clock.offsetAt(raw);
    const local = rounding === undefined ? raw + offset : roundDown(raw + offset, rounding);
    this.fields = clock.fields(local, offset);
    this.fieldsSecond = second;
    return this.fields;
  }
}

function appendText(pieces: (string | Piece)[], text: string): void {
  const last = pieces.length - 1;
  if (last >= 0 && typeof pieces[last] === "string") pieces[last] = (pieces[last] as string) + text;
  else if (text !== "") pieces.push(text);
}
