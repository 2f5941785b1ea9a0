import type { ComponentSpec } from "../../spec";

export const staticInterceptorSpec = {
  role: "interceptor",
  kind: "static",
  summary: "Sets one header to a fixed value (Flume's static interceptor); chain several for several headers.",
  implementation: "StaticInterceptor",
  setsHeaders: [{ nameFrom: "key" }],
  properties: {
    key: {
      type: { kind: "string" },
      required: true,
      doc: "Header to set.",
    },
    value: {
      type: { kind: "string" },
      required: true,
      doc: "Value to set it to.",
    },
    preserve_existing: {
      type: { kind: "boolean" },
      default: true,
      doc: "When true, an event that already has the header keeps its value.",
    },
  },
} as const satisfies ComponentSpec;
