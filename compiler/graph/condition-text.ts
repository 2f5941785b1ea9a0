// Route conditions written back as `.flow` text: one printer, in the runtime, shared with `--describe`.
export { conditionText, flowString } from "../../runtime/agent/condition-text";
