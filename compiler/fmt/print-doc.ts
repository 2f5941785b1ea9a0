import type { Doc, GroupDoc } from "./doc";
import { INDENT_WIDTH } from "./layout-options";
import { OutputLines } from "./output-lines";

type Mode = "flat" | "break";

interface Command {
  readonly indent: number;
  readonly mode: Mode;
  readonly doc: Doc;
}

/**
 * Lays a document out in `width` columns: a group is printed flat when it has no forced break inside
 * and what it holds, up to the next possible line break after it, fits on the current line; otherwise
 * each of its `line`s becomes a newline. The result depends only on the document, never on how the
 * source was laid out, which is what makes formatting idempotent.
 */
export function printDoc(doc: Doc, width: number): string {
  const out = new OutputLines();
  const groupModes = new Map<symbol, Mode>();
  const commands: Command[] = [{ indent: 0, mode: "break", doc }];
  for (let command = commands.pop(); command !== undefined; command = commands.pop()) {
    const { indent, mode, doc: current } = command;
    if (typeof current === "string") {
      out.text(current, indent);
      continue;
    }
    if (isDocArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) commands.push({ indent, mode, doc: current[i] as Doc });
      continue;
    }
    switch (current.kind) {
      case "indent":
        commands.push({ indent: indent + INDENT_WIDTH, mode, doc: current.contents });
        break;
      case "group": {
        let groupMode: Mode;
        if (mustBreak(current)) groupMode = "break";
        else if (mode === "flat") groupMode = "flat";
        else groupMode = fits({ indent, mode: "flat", doc: current.contents }, commands, width - out.column(), groupModes) ? "flat" : "break";
        if (current.id !== undefined) groupModes.set(current.id, groupMode);
        commands.push({ indent, mode: groupMode, doc: current.contents });
        break;
      }
      case "line":
        if (mode === "flat" && current.flat !== "hard") out.text(current.flat === "space" ? " " : "", indent);
        else out.newline(indent);
        break;
      case "blank-line":
        out.blankLine(indent);
        break;
      case "if-break": {
        const chosen = current.groupId === undefined ? mode : (groupModes.get(current.groupId) ?? "flat");
        commands.push({ indent, mode, doc: chosen === "break" ? current.broken : current.flat });
        break;
      }
      case "trailing-comment":
        out.trailingComment(current.text, indent);
        break;
    }
  }
  return out.finish();
}

/** Whether `next` printed flat, then the commands after it up to their first line break, fit in `remaining` columns. */
function fits(next: Command, rest: readonly Command[], remaining: number, groupModes: ReadonlyMap<symbol, Mode>): boolean {
  const stack: { mode: Mode; doc: Doc }[] = [next];
  let restIndex = rest.length;
  let left = remaining;
  for (;;) {
    let item = stack.pop();
    if (item === undefined) {
      const following = restIndex > 0 ? rest[--restIndex] : undefined;
      if (following === undefined) return true;
      item = following;
    }
    const { mode, doc } = item;
    if (typeof doc === "string") {
      left -= doc.length;
      if (left < 0) return false;
      continue;
    }
    if (isDocArray(doc)) {
      for (let i = doc.length - 1; i >= 0; i--) stack.push({ mode, doc: doc[i] as Doc });
      continue;
    }
    switch (doc.kind) {
      case "indent":
        stack.push({ mode, doc: doc.contents });
        break;
      case "group":
        stack.push({ mode: mustBreak(doc) ? "break" : mode, doc: doc.contents });
        break;
      case "line":
        if (mode === "break" || doc.flat === "hard") return true;
        if (doc.flat === "space") left -= 1;
        if (left < 0) return false;
        break;
      case "if-break": {
        const chosen = doc.groupId === undefined ? mode : (groupModes.get(doc.groupId) ?? "flat");
        stack.push({ mode, doc: chosen === "break" ? doc.broken : doc.flat });
        break;
      }
      // The line ends at a comment or a blank line; comments do not count towards the width.
      case "trailing-comment":
      case "blank-line":
        return true;
    }
  }
}

const breaks = new WeakMap<GroupDoc, boolean>();

/** A group must break when asked to, or when its flat form would hold a hard line break. */
function mustBreak(doc: GroupDoc): boolean {
  let known = breaks.get(doc);
  if (known === undefined) {
    known = doc.shouldBreak || hasHardBreak(doc.contents);
    breaks.set(doc, known);
  }
  return known;
}

function hasHardBreak(doc: Doc): boolean {
  if (typeof doc === "string") return false;
  if (isDocArray(doc)) return doc.some(hasHardBreak);
  switch (doc.kind) {
    case "indent":
      return hasHardBreak(doc.contents);
    case "group":
      return mustBreak(doc);
    case "line":
      return doc.flat === "hard";
    case "blank-line":
      return true;
    case "if-break":
      return hasHardBreak(doc.flat);
    case "trailing-comment":
      return false;
  }
}

function isDocArray(doc: Doc): doc is readonly Doc[] {
  return Array.isArray(doc);
}
