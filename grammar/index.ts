export { MAX_NESTING, parseFlow, flowParser, type ParseOutput } from "./parser";
export * as tokens from "./tokens";
