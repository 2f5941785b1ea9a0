import type { ComponentSpec } from "../../spec";

export const timestampInterceptorSpec = {
  role: "interceptor",
  kind: "timestamp",
  summary:
    "Sets a header to the time the event passed through, in milliseconds since the Unix epoch (Flume's timestamp interceptor). The clock is read once per batch, so a batch's events share one value.",
  implementation: "TimestampInterceptor",
  setsHeaders: [{ nameFrom: "header", defaultName: "timestamp" }],
  properties: {
    header: {
      type: { kind: "string" },
      default: "timestamp",
      doc: "Header to set.",
    },
    preserve_existing: {
      type: { kind: "boolean" },
      default: false,
      doc: "When true, an event that already has the header keeps its value.",
    },
  },
} as const satisfies ComponentSpec;
