import type { IToken } from "chevrotain";

/** A comment alone on its line (or lines of them), printed before the token that follows it. */
export interface OwnLineComment {
  readonly text: string;
  /** The user left at least one blank line before it. */
  readonly blankBefore: boolean;
}

/** The end of the file, which own-line comments after the last token are attached to. */
export const END_OF_FILE: unique symbol = Symbol("end of file");
type Anchor = IToken | typeof END_OF_FILE;

/**
 * Attaches every comment to one significant token (commas are not significant: the formatter writes
 * its own). A comment with code before it on its line is the *trailing* comment of the last token
 * before it; any other comment is an *own-line* comment of the next token (or of the end of the file).
 * The printers take each comment when they print its token, so none can be lost or printed twice, and
 * the written order of tokens and comments never changes.
 */
export class CommentMap {
  private readonly leading = new Map<Anchor, OwnLineComment[]>();
  private readonly trailing = new Map<IToken, string>();
  private readonly blank = new Map<IToken, boolean>();
  private readonly starts: number[];

  constructor(text: string, significant: readonly IToken[], comments: readonly IToken[]) {
    this.starts = comments.map((comment) => comment.startOffset).sort((a, b) => a - b);
    const sequence = [...significant.map((token) => ({ token, comment: false })), ...comments.map((token) => ({ token, comment: true }))].sort(
      (a, b) => a.token.startOffset - b.token.startOffset,
    );
    let previousToken: IToken | undefined;
    let previousEnd = 0;
    let pending: OwnLineComment[] = [];
    for (const { token, comment } of sequence) {
      const blankBefore = countNewlines(text, previousEnd, token.startOffset) >= 2;
      previousEnd = end(token);
      if (!comment) {
        if (pending.length > 0) this.leading.set(token, pending);
        pending = [];
        this.blank.set(token, blankBefore);
        previousToken = token;
        continue;
      }
      const commentText = token.image.trimEnd();
      if (previousToken !== undefined && countNewlines(text, end(previousToken), token.startOffset) === 0) {
        this.trailing.set(previousToken, commentText);
      } else {
        pending.push({ text: commentText, blankBefore });
      }
    }
    if (pending.length > 0) this.leading.set(END_OF_FILE, pending);
  }

  /** The own-line comments before `anchor`; each can be taken once. */
  takeLeading(anchor: Anchor): OwnLineComment[] {
    const found = this.leading.get(anchor) ?? [];
    this.leading.delete(anchor);
    return found;
  }

  /** Whether `token` has a trailing comment that no printer has taken yet. */
  hasTrailing(token: IToken): boolean {
    return this.trailing.has(token);
  }

  /** The comment at the end of `token`'s line, if any; it can be taken once. */
  takeTrailing(token: IToken): string | undefined {
    const found = this.trailing.get(token);
    this.trailing.delete(token);
    return found;
  }

  /** Whether the user left a blank line between `token` and what came before it (a token or a comment). */
  blankBefore(token: IToken): boolean {
    return this.blank.get(token) ?? false;
  }

  /** Whether a comment lies strictly between the first and the last token of a construct. */
  containsComment(first: IToken, last: IToken): boolean {
    let low = 0;
    let high = this.starts.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((this.starts[mid] as number) <= first.startOffset) low = mid + 1;
      else high = mid;
    }
    const next = this.starts[low];
    return next !== undefined && next < end(last);
  }

  /** How many comments no printer has taken (zero after a complete print). */
  untaken(): number {
    return this.trailing.size + [...this.leading.values()].reduce((sum, list) => sum + list.length, 0);
  }
}

function end(token: IToken): number {
  return (token.endOffset ?? token.startOffset) + 1;
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 10) count++;
  return count;
}
