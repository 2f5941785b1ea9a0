import type { CstNode, IToken } from "chevrotain";
import { type CommentMap } from "./comments";
import { firstToken, lastToken } from "./cst-tokens";
import { hardline, trailingComment, type Doc } from "./doc";
import { canonicalString } from "./strings";

/** What every printer needs: the comments of the file, and how to print one token with them. */
export class FormatContext {
  constructor(readonly comments: CommentMap) {}

  /**
   * A token as it is printed: its own-line comments first (each on its own line), then its text (strings
   * in canonical form, everything else as written), then its trailing comment. Every significant token
   * goes through here exactly once, so every comment is printed exactly once.
   */
  token(token: IToken): Doc {
    const text = token.tokenType.name === "StringLiteral" ? canonicalString(token.image) : token.image;
    const trailing = this.comments.takeTrailing(token);
    return [this.leading(token), text, trailing === undefined ? "" : trailingComment(trailing)];
  }

  /**
   * The own-line comments before a token, each on a line of its own. Printers that lay out a group call
   * this for the group's first token before building the group, so the comments stay outside it.
   */
  leading(token: IToken): Doc {
    const comments = this.comments.takeLeading(token);
    return comments.length === 0 ? "" : [hardline, ...comments.map((comment) => [comment.text, hardline])];
  }

  /** Whether a comment sits inside the construct (not before its first or after its last token): it cannot be flat then. */
  hasComment(node: CstNode): boolean;
  hasComment(first: IToken, last: IToken): boolean;
  hasComment(nodeOrFirst: CstNode | IToken, last?: IToken): boolean {
    if (last !== undefined) return this.comments.containsComment(nodeOrFirst as IToken, last);
    const node = nodeOrFirst as CstNode;
    return this.comments.containsComment(firstToken(node), lastToken(node));
  }
}
