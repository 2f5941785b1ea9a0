export { generateEntry, RUNTIME_MODULE, type EntryOptions } from "./generate-entry";
