import type { ComponentSpec } from "../../spec";

export const execSourceSpec = {
  role: "source",
  kind: "exec",
  summary:
    "Runs a command with `/bin/sh -c` and turns each line it writes to stdout into one event (Flume's exec source), e.g. " +
    '`command = "tail -F /var/log/app.log"`. Its stderr is logged, its exit status logged and counted, and it can be restarted with backoff. ' +
    "A full channel pauses reading the command's output, so the command blocks when it next writes: that holds back a command that reads " +
    "its input at its own pace (`tail -F`), but not one that cannot wait (it loses or buffers what happens meanwhile), and the command " +
    "never learns what was delivered. See [exec-source.md](exec-source.md) for what is lost when the agent stops or the command dies. " +
    "Without `restart`, the source is finished when the command ended and its output is in the channels (see [agent.md](agent.md#finite-sources)).",
  implementation: "ExecSource",
  properties: {
    command: {
      type: { kind: "string" },
      required: true,
      doc: "The command, run as `/bin/sh -c COMMAND` in its own process group, with the agent's environment and working directory, and stdin from `/dev/null`.",
    },
    restart: {
      type: { kind: "boolean" },
      default: false,
      doc: "Run the command again whenever it ends (whatever its exit status). When false, the source is finished once the command ended.",
    },
    restart_backoff: {
      type: { kind: "duration", min: 100 },
      default: 1_000,
      doc: "Wait before the first restart; it doubles with each restart up to `restart_backoff_max`, and starts again from here after a run that lasted longer than `restart_backoff_max`. With both equal the command runs periodically. At least 100ms, so a command that fails at once cannot make the agent spawn it in a tight loop.",
    },
    restart_backoff_max: {
      type: { kind: "duration", min: 100 },
      default: 60_000,
      doc: "Longest wait between two runs (at least `restart_backoff`).",
    },
    batch_size: {
      type: { kind: "integer", min: 1 },
      default: 1_000,
      doc: "Most lines handed to the channels in one transaction.",
    },
    batch_timeout: {
      type: { kind: "duration", min: 0 },
      default: 250,
      doc: "Longest a line waits for others to fill a batch before a partial batch is handed over; 0 hands over whatever one read of the output gave at once. A command that writes a line at a time then costs at most a few channel transactions per second.",
    },
    max_line_length: {
      type: { kind: "size", min: 1 },
      default: 1_048_576,
      doc: "Longest line accepted; a longer line is cut to this length, the rest up to its newline is discarded, and `LineTruncatedCount` counts it.",
    },
    log_stderr: {
      type: { kind: "boolean" },
      default: true,
      doc: "Log each line the command writes to stderr (level info, cut to 4 KiB, counted in `StderrLineCount`); when false, stderr goes to `/dev/null`.",
    },
  },
} as const satisfies ComponentSpec;
