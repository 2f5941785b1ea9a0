import { describe, expect, it } from "vitest";
import { editDistance, listNames, nearestNames } from "../../compiler/diagnostics";

describe("name suggestions", () => {
  it.each([
    ["port", "port", 0],
    ["prot", "port", 1],
    ["archiv", "archive", 1],
    ["memroy", "memory", 1],
    ["kitten", "sitting", 3],
    ["", "abc", 3],
  ])("distance(%s, %s) = %i", (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });

  it("keeps only close names, nearest first", () => {
    expect(nearestNames("capacty", ["capacity", "transaction_capacity", "path"])).toEqual(["capacity"]);
    expect(nearestNames("zzz", ["capacity"])).toEqual([]);
  });

  it("lists names with backticks", () => {
    expect(listNames(["a"])).toBe("`a`");
    expect(listNames(["a", "b", "c"], "and")).toBe("`a`, `b` and `c`");
  });
});
