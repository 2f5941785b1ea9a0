import { describe, expect, it } from "vitest";
import * as runtime from "../../../runtime/index";
import { findSpec } from "../../../runtime/registry";
import { KEYWORD_WORDS } from "../../../runtime/spec/keywords";
import { spooldirSourceSpec } from "../../../runtime/sources/spooldir/spec";
import { tcpSourceSpec } from "../../../runtime/sources/tcp/spec";

const specs = [tcpSourceSpec, spooldirSourceSpec];

describe("the tcp and spooldir source specs", () => {
  it("are registered and name an implementation the runtime exports", () => {
    for (const spec of specs) {
      expect(findSpec("source", spec.kind)).toBe(spec);
      expect(typeof (runtime as Record<string, unknown>)[spec.implementation], spec.implementation).toBe("function");
    }
  });

  it("use snake_case property names and enum values that can be written bare (no keyword such as `drop`)", () => {
    for (const spec of specs) {
      for (const [name, property] of Object.entries(spec.properties)) {
        expect(name, `${spec.kind}.${name}`).toMatch(/^[a-z]+(_[a-z]+)*$/);
        if (property.type.kind !== "enum") continue;
        for (const value of property.type.values) {
          expect(value, `${spec.kind}.${name}`).toMatch(/^[a-z][a-z_]*$/);
          expect(KEYWORD_WORDS as readonly string[], `${spec.kind}.${name} = ${value}`).not.toContain(value);
        }
      }
    }
  });

  it("mark the listening port, the directories the agent writes, and the headers spooldir sets", () => {
    expect(tcpSourceSpec.properties.port.listens).toBe("tcp");
    expect(spooldirSourceSpec.properties.directory.writes).toBe("directory");
    expect(spooldirSourceSpec.properties.tracker_dir.writes).toBe("directory");
    expect(spooldirSourceSpec.setsHeaders).toEqual([{ nameFrom: "file_header" }, { nameFrom: "basename_header" }]);
  });
});
