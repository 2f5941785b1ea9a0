import { describe, expect, it } from "vitest";
import { crc32, tableCrc32 } from "../../../runtime/channels/file/crc32";
import { createPrng } from "../../helpers/prng";

describe("crc32", () => {
  it("computes the standard CRC-32 check value", () => {
    const data = Buffer.from("123456789");
    expect(crc32(data, 0, data.length)).toBe(0xcbf43926);
    expect(tableCrc32(data, 0, data.length)).toBe(0xcbf43926);
  });

  it("agrees with the JavaScript fallback on random ranges, so files verify whichever Node wrote them", () => {
    const rng = createPrng(7);
    const data = Buffer.alloc(4096);
    for (let i = 0; i < data.length; i++) data[i] = rng.int(0, 255);
    for (let n = 0; n < 200; n++) {
      const start = rng.int(0, 100);
      const end = rng.int(start, data.length);
      expect(tableCrc32(data, start, end), `[${start}, ${end})`).toBe(crc32(data, start, end));
    }
  });
});
