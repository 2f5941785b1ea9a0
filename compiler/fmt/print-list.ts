import type { CstNode, IToken } from "chevrotain";
import { END_OF_FILE } from "./comments";
import { firstToken } from "./cst-tokens";
import { blankLine, hardline, ifBreak, type Doc } from "./doc";
import type { FormatContext } from "./format-context";

export interface ListOptions {
  /** What separates two items when the enclosing group is flat; the list is always broken when absent. */
  readonly flatSeparator?: Doc;
  /** Printed after each item (e.g. a comma that only a broken list has). */
  readonly itemSuffix?: Doc;
  /** Whether two items must have a blank line between them even if the user wrote none. */
  readonly blankBetween?: (previous: CstNode, next: CstNode) => boolean;
}

export interface ListBody {
  readonly doc: Doc;
  /** No items and no comments. */
  readonly empty: boolean;
}

interface Entry {
  readonly doc: Doc;
  blank: boolean;
}

/**
 * The items of a file, tier, block, route, test or list, one per line when broken, with the own-line
 * comments before each item and before the closing token (or the end of the file). Blank lines are kept
 * where the user had one or more (as one), never added (unless `blankBetween` asks) and never at the start.
 */
export function printListBody(
  context: FormatContext,
  items: readonly CstNode[],
  print: (item: CstNode) => Doc,
  closing: IToken | typeof END_OF_FILE,
  options: ListOptions = {},
): ListBody {
  const entries: Entry[] = [];
  items.forEach((item, index) => {
    const first = firstToken(item);
    const gap: Entry[] = context.comments.takeLeading(first).map((comment) => ({ doc: comment.text, blank: comment.blankBefore }));
    gap.push({ doc: [print(item), options.itemSuffix ?? ""], blank: context.comments.blankBefore(first) });
    const previous = items[index - 1];
    if (previous !== undefined && options.blankBetween?.(previous, item) === true && !gap.some((entry) => entry.blank)) (gap[0] as Entry).blank = true;
    entries.push(...gap);
  });
  for (const comment of context.comments.takeLeading(closing)) entries.push({ doc: comment.text, blank: comment.blankBefore });
  const doc = entries.map((entry, index) => {
    if (index === 0) return entry.doc;
    const broken = entry.blank ? blankLine : hardline;
    return [options.flatSeparator === undefined ? broken : ifBreak(broken, options.flatSeparator), entry.doc];
  });
  return { doc, empty: entries.length === 0 };
}
