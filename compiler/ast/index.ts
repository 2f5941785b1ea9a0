export * from "./nodes";
export { buildAst } from "./build-ast";
