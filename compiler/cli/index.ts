import { main } from "./main";

// The `flowc` executable (bundled to build/flowc.cjs).
void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
