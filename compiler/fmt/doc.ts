/**
 * A small document algebra in the style of Wadler's "prettier printer" (the one Prettier uses): the
 * printers describe a construct once, with the places where it may break, and `printDoc` chooses for
 * each group whether it fits on the rest of the line (flat) or breaks at every `line` it holds.
 */
export type Doc = string | readonly Doc[] | GroupDoc | IndentDoc | LineDoc | IfBreakDoc | TrailingCommentDoc | BlankLineDoc;

export interface GroupDoc {
  readonly kind: "group";
  readonly contents: Doc;
  /** Break whatever the width, e.g. because a comment sits inside. */
  readonly shouldBreak: boolean;
  /** Lets an `ifBreak` elsewhere ask how this group was laid out. */
  readonly id: symbol | undefined;
}

export interface IndentDoc {
  readonly kind: "indent";
  readonly contents: Doc;
}

/** A possible line break: a space (`space`) or nothing (`soft`) when flat; `hard` always breaks. */
export interface LineDoc {
  readonly kind: "line";
  readonly flat: "space" | "soft" | "hard";
}

export interface IfBreakDoc {
  readonly kind: "if-break";
  readonly broken: Doc;
  readonly flat: Doc;
  /** The group to ask; the innermost enclosing group when undefined. */
  readonly groupId: symbol | undefined;
}

/** `# …` at the end of the current line; the next text (other than a comma) starts a new line. */
export interface TrailingCommentDoc {
  readonly kind: "trailing-comment";
  readonly text: string;
}

/** A line break with one empty line before the next text (however many are requested). */
export interface BlankLineDoc {
  readonly kind: "blank-line";
}

export function group(contents: Doc, options: { shouldBreak?: boolean; id?: symbol } = {}): GroupDoc {
  return { kind: "group", contents, shouldBreak: options.shouldBreak ?? false, id: options.id };
}

export function indent(contents: Doc): IndentDoc {
  return { kind: "indent", contents };
}

export const line: LineDoc = { kind: "line", flat: "space" };
export const softline: LineDoc = { kind: "line", flat: "soft" };
export const hardline: LineDoc = { kind: "line", flat: "hard" };
export const blankLine: BlankLineDoc = { kind: "blank-line" };

export function ifBreak(broken: Doc, flat: Doc = "", groupId?: symbol): IfBreakDoc {
  return { kind: "if-break", broken, flat, groupId };
}

export function trailingComment(text: string): TrailingCommentDoc {
  return { kind: "trailing-comment", text };
}

export function join(separator: Doc, docs: readonly Doc[]): Doc[] {
  return docs.flatMap((doc, index) => (index === 0 ? [doc] : [separator, doc]));
}
