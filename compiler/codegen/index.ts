export { generateEntry, RUNTIME_MODULE } from "./generate-entry";
