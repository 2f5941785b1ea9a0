import { describe, expect, it } from "vitest";
import type { FlowEvent } from "../../../runtime/core/event";
import { EventSplitter } from "../../../runtime/sources/taildir/event-splitter";
import { createPrng } from "../../helpers/prng";

interface Split {
  readonly splitter: EventSplitter;
  readonly counts: { LineTruncatedCount: number; MultilineSplitCount: number };
  readonly events: FlowEvent[];
  readonly ends: number[];
  /** Pushes `text` as the next chunk (at the offset after the previous ones). */
  push(text: string | Buffer): void;
  bodies(): string[];
}

function split(options: { max?: number; multiline?: RegExp; headers?: Record<string, string> } = {}): Split {
  const counts = { LineTruncatedCount: 0, MultilineSplitCount: 0 };
  const splitter = new EventSplitter(options.max ?? 1024, options.multiline, options.headers, counts);
  const events: FlowEvent[] = [];
  const ends: number[] = [];
  let offset = 0;
  return {
    splitter,
    counts,
    events,
    ends,
    push(text) {
      const chunk = typeof text === "string" ? Buffer.from(text) : text;
      splitter.push(chunk, offset, events, ends);
      offset += chunk.length;
    },
    bodies: () => events.map((event) => event.bodyText()),
  };
}

describe("EventSplitter, one event per line", () => {
  it("emits complete lines with the offset just past each newline, and holds an unfinished one", () => {
    const s = split();
    s.push("alpha\nbeta\ngam");
    expect(s.bodies()).toEqual(["alpha", "beta"]);
    expect(s.ends).toEqual([6, 11]);
    expect(s.splitter.heldBytes).toBe(3);
    s.push("ma\n\ndelta\n");
    expect(s.bodies()).toEqual(["alpha", "beta", "gamma", "", "delta"]);
    expect(s.ends).toEqual([6, 11, 17, 18, 24]);
    expect(s.splitter.heldBytes).toBe(0);
  });

  it("keeps bodies as views of the chunk for lines inside it (no copy)", () => {
    const s = split();
    const chunk = Buffer.from("one\ntwo\n");
    s.push(chunk);
    expect(s.events[1]?.body.buffer).toBe(chunk.buffer);
  });

  it("gives every event its own copy of the headers", () => {
    const s = split({ headers: { file: "/x.log" } });
    s.push("a\nb\n");
    expect(s.events.map((e) => e.headers)).toEqual([{ file: "/x.log" }, { file: "/x.log" }]);
    expect(s.events[0]?.headers).not.toBe(s.events[1]?.headers);
  });

  it("cuts a line longer than the limit when its newline arrives, whether it spans chunks or not", () => {
    const s = split({ max: 4 });
    s.push("abcdefgh\nxy");
    s.push("zzzzzzzzzzzz");
    expect(s.splitter.heldBytes).toBe(4);
    s.push("zz\nok\n");
    expect(s.bodies()).toEqual(["abcd", "xyzz", "ok"]);
    expect(s.ends).toEqual([9, 26, 29]);
    expect(s.counts.LineTruncatedCount).toBe(2);
  });

  it("handles binary garbage: NUL bytes and invalid UTF-8 pass through unchanged", () => {
    const s = split();
    const garbage = Buffer.from([0, 0xff, 0xfe, 0x80, 0x0a, 0xc3, 0x28, 0x0a]);
    s.push(garbage);
    expect(s.events.map((e) => [...e.body])).toEqual([[0, 0xff, 0xfe, 0x80], [0xc3, 0x28]]);
  });

  it("emits the unfinished last line when the file is finished, ending at the last byte", () => {
    const s = split();
    s.push("one\ntw");
    s.splitter.finish(s.events, s.ends);
    expect(s.bodies()).toEqual(["one", "tw"]);
    expect(s.ends).toEqual([4, 6]);
    expect(s.splitter.heldBytes).toBe(0);
  });

  it("splits any chunking of the same bytes into the same events and ends (random chunkings)", () => {
    const prng = createPrng(7);
    const lines = Array.from({ length: 300 }, (_, i) => "x".repeat(prng.int(0, 39)) + String(i));
    const text = Buffer.from(lines.join("\n") + "\n");
    const whole = split({ max: 30 });
    whole.push(text);
    for (let round = 0; round < 20; round++) {
      const s = split({ max: 30 });
      let at = 0;
      while (at < text.length) {
        const size = prng.int(1, 50);
        s.push(text.subarray(at, at + size));
        at += size;
      }
      expect(s.bodies()).toEqual(whole.bodies());
      expect(s.ends).toEqual(whole.ends);
      expect(s.counts.LineTruncatedCount).toBe(whole.counts.LineTruncatedCount);
    }
  });
});

describe("EventSplitter, multi-line records", () => {
  const start = /^\d{4}-/;

  it("joins continuation lines to the line that starts the record, and ends it at its last line", () => {
    const s = split({ multiline: start });
    s.push("2024-01 first\n  at a\n  at b\n2024-02 second\n");
    expect(s.bodies()).toEqual(["2024-01 first\n  at a\n  at b"]);
    expect(s.ends).toEqual([28]);
    expect(s.splitter.hasOpenRecord).toBe(true);
    s.splitter.closeRecord(s.events, s.ends);
    expect(s.bodies()).toEqual(["2024-01 first\n  at a\n  at b", "2024-02 second"]);
    expect(s.ends).toEqual([28, 43]);
  });

  it("keeps a record open across chunks without pinning them, and starts a record with a line that does not match", () => {
    const s = split({ multiline: start });
    const first = Buffer.from("orphan\n2024-01 x\n  more");
    s.push(first);
    expect(s.bodies()).toEqual(["orphan"]);
    first.fill(0x21); // the splitter must have copied what it keeps of the open record
    s.push("\n  end\n2024-02 y\n");
    expect(s.bodies()[1]).toBe("2024-01 x\n  more\n  end");
  });

  it("hands a record on early when the next line would make it longer than the limit", () => {
    const s = split({ multiline: start, max: 20 });
    s.push("2024-01 abcdefgh\n  ijklmnop\n  q\n2024-02\n");
    expect(s.bodies()).toEqual(["2024-01 abcdefgh", "  ijklmnop\n  q"]);
    expect(s.counts.MultilineSplitCount).toBe(1);
  });

  it("tests each line afresh with a global pattern", () => {
    const s = split({ multiline: /^START/g });
    s.push("START a\nSTART b\nSTART c\n");
    expect(s.bodies()).toEqual(["START a", "START b"]);
  });

  it("finishes with the unfinished line joined to the open record", () => {
    const s = split({ multiline: start });
    s.push("2024-01 x\n  tail");
    s.splitter.finish(s.events, s.ends);
    expect(s.bodies()).toEqual(["2024-01 x\n  tail"]);
    expect(s.ends).toEqual([16]);
  });
});
