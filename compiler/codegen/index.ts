export { generateEntry, RUNTIME_MODULE, type EntryOptions } from "./generate-entry";
export { flowSourceMap, inlineSourceMapComment, type SourceMapV3 } from "./flow-source-map";
