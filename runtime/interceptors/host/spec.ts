import type { ComponentSpec } from "../../spec";

export const hostInterceptorSpec = {
  role: "interceptor",
  kind: "host",
  summary: "Sets a header to this host's IP address or name, looked up once when the agent starts (Flume's host interceptor).",
  implementation: "HostInterceptor",
  setsHeaders: [{ nameFrom: "header", defaultName: "host" }],
  properties: {
    header: {
      type: { kind: "string" },
      default: "host",
      doc: "Header to set.",
    },
    use_ip: {
      type: { kind: "boolean" },
      default: true,
      doc: "When true, the header is the host's first non-loopback IP address (IPv4 before IPv6, `127.0.0.1` when there is none); when false, its host name as the operating system reports it.",
    },
    preserve_existing: {
      type: { kind: "boolean" },
      default: false,
      doc: "When true, an event that already has the header keeps its value.",
    },
  },
} as const satisfies ComponentSpec;
