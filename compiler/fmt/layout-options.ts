/** The widths `flowc fmt` lays code out with. Not configurable: one canonical layout for every file. */
export const LINE_WIDTH = 100;
/** Spaces per nesting level. */
export const INDENT_WIDTH = 2;
