import { INDENT_WIDTH } from "./layout-options";

/**
 * The text `printDoc` writes, line by line. Indentation is written lazily, with the first text of a
 * line, so a break that is immediately followed by another one never leaves an empty or half-indented
 * line; lines never end in spaces. A trailing comment waits for the end of its line: a comma may still be
 * written before it, anything else starts a new line first, so a comment stays after the token it
 * followed and before the next one.
 */
export class OutputLines {
  private readonly lines: string[] = [];
  private current = "";
  private currentIndent = 0;
  private pendingIndent = 0;
  private blankRequested = false;
  private pendingComment: string | undefined;

  /** The column the next text starts at. */
  column(): number {
    return this.current === "" ? this.pendingIndent : this.current.length;
  }

  text(text: string, indent: number): void {
    if (text === "") return;
    if (text === " ") {
      // Never at the start of a line, and never between a token and its comment.
      if (this.current !== "" && this.pendingComment === undefined) this.current += " ";
      return;
    }
    // A comment ended the line in the middle of a construct: continue it two columns in.
    if (this.pendingComment !== undefined && text !== ",") this.newline(Math.max(indent, this.currentIndent + INDENT_WIDTH));
    if (this.current === "") {
      if (this.blankRequested && this.lines.length > 0) this.lines.push("");
      this.blankRequested = false;
      this.current = " ".repeat(this.pendingIndent);
      this.currentIndent = this.pendingIndent;
    }
    this.current += text;
  }

  trailingComment(text: string, indent: number): void {
    if (this.pendingComment !== undefined || this.current === "") {
      // Cannot happen for a well-formed document; printing the comment on its own line keeps it anyway.
      this.newline(indent);
      this.text(text, indent);
      this.newline(indent);
      return;
    }
    this.pendingComment = text;
  }

  newline(indent: number): void {
    if (this.pendingComment !== undefined) {
      this.current = `${this.current.trimEnd()} ${this.pendingComment}`;
      this.pendingComment = undefined;
    }
    if (this.current !== "") this.lines.push(this.current.trimEnd());
    this.current = "";
    this.pendingIndent = indent;
  }

  blankLine(indent: number): void {
    this.newline(indent);
    this.blankRequested = true;
  }

  /** The text, ending with one newline (empty for an empty document). */
  finish(): string {
    this.newline(0);
    return this.lines.length === 0 ? "" : `${this.lines.join("\n")}\n`;
  }
}
