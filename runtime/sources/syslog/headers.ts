/**
 * The headers the syslog source sets, by role. Flume's names where Flume has one (its syslog sources set
 * `Facility`, `Severity`, `timestamp`, `host`, `version` and `flume.syslog.status`), plain lower-case
 * names for the fields of RFC 5424 that Flume does not split out. docs/syslog.md describes each.
 * Dependency-free: the spec (read by the compiler) imports it.
 */
export const SYSLOG_HEADERS = {
  facility: "Facility",
  severity: "Severity",
  timestamp: "timestamp",
  host: "host",
  app: "app",
  procid: "procid",
  msgid: "msgid",
  structuredData: "structured_data",
  version: "version",
  status: "flume.syslog.status",
} as const;

/** Values of the status header (Flume's). A well-formed, whole message has no status header. */
export const SYSLOG_STATUS = {
  /** Not RFC 3164 or RFC 5424 (no valid PRI, or a broken RFC 5424 header): the body is the raw message. */
  invalid: "Invalid",
  /** Longer than `max_message_size` (cut to it), or cut off by the end of its connection. */
  incomplete: "Incomplete",
} as const;
