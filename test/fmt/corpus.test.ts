import { describe, expect, it } from "vitest";
import { formatFlow, formatSource } from "../../compiler/fmt";
import { commentEverywhere, commentPlaces, corpusFiles, meaning, parses } from "./fmt-helpers";
import { MESSY_INPUTS } from "./messy-inputs";

/** The properties every formatted file must have: idempotent, same meaning, every comment in its place. */
function expectSafeFormatting(path: string, text: string): string {
  const formatted = formatFlow(text);
  expect(formatFlow(formatted)).toBe(formatted);
  expect(commentPlaces(formatted)).toEqual(commentPlaces(text));
  expect(meaning(path, formatted)).toEqual(meaning(path, text));
  return formatted;
}

describe("formatting the examples and the test cases", () => {
  const files = corpusFiles();
  const parsing = files.filter((file) => parses(file.text));

  it("finds the examples (and the test cases, once they exist)", () => {
    expect(files.some((file) => file.name.startsWith("examples"))).toBe(true);
  });

  it.each(parsing.map((file) => [file.name, file] as const))("%s: idempotent, same plans and codes, comments kept", (_name, file) => {
    expectSafeFormatting(file.path, file.text);
  });

  it.each(parsing.map((file) => [file.name, file] as const))("%s: with a comment after every token", (_name, file) => {
    expectSafeFormatting(file.path, commentEverywhere(file.text, "trailing"));
  });

  it.each(parsing.map((file) => [file.name, file] as const))("%s: with a comment on its own line before every token", (_name, file) => {
    expectSafeFormatting(file.path, commentEverywhere(file.text, "own-line"));
  });

  it.each(files.filter((file) => !parses(file.text)).map((file) => [file.name, file] as const))(
    "%s: does not parse, so it is not formatted",
    (_name, file) => {
      const result = formatSource(file.path, file.text);
      expect(result.kind).toBe("syntax-errors");
    },
  );
});

describe("formatting messy hand-written inputs", () => {
  it.each(Object.entries(MESSY_INPUTS))("%s", (_name, text) => {
    expectSafeFormatting("messy.flow", text);
    expectSafeFormatting("messy.flow", commentEverywhere(text, "trailing"));
    expectSafeFormatting("messy.flow", commentEverywhere(text, "own-line"));
  });
});
