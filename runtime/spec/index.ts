export * from "./component-spec";
export * from "./property-type";
export * from "./units";
export * from "./validators";
