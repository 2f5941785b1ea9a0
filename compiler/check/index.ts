export * from "./checked-model";
export { checkFile } from "./check-file";
