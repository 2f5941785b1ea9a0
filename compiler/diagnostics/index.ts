export * from "./codes";
export * from "./diagnostic";
export * from "./render-json";
export * from "./render-pretty";
export * from "./source-file";
export * from "./suggest";
