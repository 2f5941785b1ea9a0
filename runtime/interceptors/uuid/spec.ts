import type { ComponentSpec } from "../../spec";

export const uuidInterceptorSpec = {
  role: "interceptor",
  kind: "uuid",
  summary:
    "Sets a header to a random UUID (version 4), so later hops and stores can recognise duplicates (Flume's UUIDInterceptor). Put it on the first tier: by default events that already carry the header keep it.",
  implementation: "UuidInterceptor",
  setsHeaders: [{ nameFrom: "header", defaultName: "id" }],
  properties: {
    header: {
      type: { kind: "string" },
      default: "id",
      doc: "Header to set.",
    },
    preserve_existing: {
      type: { kind: "boolean" },
      default: true,
      doc: "When true, an event that already has the header keeps its value.",
    },
    prefix: {
      type: { kind: "string" },
      default: "",
      doc: "Text put before each UUID.",
    },
  },
} as const satisfies ComponentSpec;
