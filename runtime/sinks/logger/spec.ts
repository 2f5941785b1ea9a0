import type { ComponentSpec } from "../../spec";

export const loggerSinkSpec = {
  role: "sink",
  kind: "logger",
  summary:
    "Writes each event to the agent's stdout as one human-readable line, for trying out and debugging a topology (Flume's logger sink): " +
    "its headers, then its body, e.g. `{host=web-1 level=ERROR} GET /index.html 500`. Header names and values with spaces or other " +
    "special characters are quoted. In the body, a backslash is written `\\\\`, tab, newline and carriage return `\\t`, `\\n`, `\\r`, other " +
    "control bytes and bytes that are not UTF-8 `\\xNN`, and invisible or direction-changing Unicode characters `\\u{NNNN}`, so an event " +
    "can neither break the line nor send escape sequences to a terminal. A body longer than `max_body_length` ends with `... (+N bytes)`. " +
    "The agent's own log goes to stderr, so stdout holds only events. A batch is committed once stdout took it; when stdout is closed " +
    "(EPIPE) deliveries fail and are retried, and nothing is acknowledged.",
  implementation: "LoggerSink",
  properties: {
    max_body_length: {
      type: { kind: "size", min: 0 },
      default: 1_024,
      doc:
        "Most bytes of a body shown (never cutting a character in two); 0 shows only the body's length. Flume shows 16 bytes, too few to " +
        "read a log line; 1 KiB shows a whole typical line while one large event (a stack trace, a JSON document) stays a few terminal lines.",
    },
    batch_size: {
      type: { kind: "integer", min: 1 },
      default: 100,
      doc: "Most events taken from the channel and written (in one write) per transaction.",
    },
  },
} as const satisfies ComponentSpec;
