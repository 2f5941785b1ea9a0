export { formatFlow, FormatterBugError, UnformattableError } from "./format-flow";
export { formatSource, type FormatResult } from "./format-source";
export { LINE_WIDTH, INDENT_WIDTH } from "./layout-options";
