import { describe, expect, it } from "vitest";
import { formatFlow } from "../../compiler/fmt";
import { flowLexer } from "../../grammar/tokens";
import { createPrng, type Prng } from "../helpers/prng";
import { commentPlaces, corpusFiles, meaning, parses } from "./fmt-helpers";
import { MESSY_INPUTS } from "./messy-inputs";

/** What may replace the whitespace between two tokens: nothing, spaces, newlines, commas, comments. */
const GAPS = ["", " ", "\n", "\n\n\n", " \t ", ",", "\n,\n", " # trailing\n", "\n# own line\n", "\n\n# own line\n\n"];

/** Re-lays `text` at random: changes some gaps between tokens, and rarely drops or repeats a token. */
function mutate(text: string, prng: Prng): string {
  const lexed = flowLexer.tokenize(text);
  const pieces = [...lexed.tokens, ...(lexed.groups["comments"] ?? [])].sort((a, b) => a.startOffset - b.startOffset);
  let out = "";
  let last = 0;
  for (const piece of pieces) {
    out += prng.chance(0.1) ? prng.pick(GAPS) : text.slice(last, piece.startOffset);
    last = (piece.endOffset ?? piece.startOffset) + 1;
    if (prng.chance(0.003)) continue;
    out += piece.image;
    if (prng.chance(0.003)) out += ` ${piece.image}`;
  }
  return out + text.slice(last);
}

describe("formatting randomly re-laid-out files", () => {
  const seeds = [...corpusFiles().map((file) => file.text), ...Object.values(MESSY_INPUTS)].filter(parses);

  // Mutants that no longer parse are skipped; the rest must format safely. Replay a failure by its seed.
  it.each([1, 2, 3, 4, 5])("seed %i: idempotent, same meaning, every comment kept", (seed) => {
    const prng = createPrng(seed);
    let formatted = 0;
    for (let i = 0; i < 150; i++) {
      const text = mutate(prng.pick(seeds), prng);
      if (!parses(text)) continue;
      const once = formatFlow(text);
      expect(formatFlow(once), text).toBe(once);
      expect(commentPlaces(once), text).toEqual(commentPlaces(text));
      expect(meaning("mutant.flow", once), text).toEqual(meaning("mutant.flow", text));
      formatted++;
    }
    expect(formatted).toBeGreaterThan(20);
  });
});
