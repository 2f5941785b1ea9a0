/**
 * Help for the syntax mistakes people make most, keyed on what the parser found and what came before.
 * Each hint states the fix; an error with no matching hint gets none.
 */
export function syntaxHint(found: string, previous: string | undefined, message: string): string | undefined {
  if (found === "." && previous !== undefined && /^\d/.test(previous)) {
    return 'addresses, paths and other text are strings: write them in double quotes, e.g. `"0.0.0.0"`';
  }
  if (found === "=" && message.includes("`==`")) return "compare with `==` (a single `=` sets a property)";
  if (found === ":" || (found === "=" && message.includes("`:`"))) return "properties are written `name = value`";
  if (found === "'") return "strings are written in double quotes";
  if (found === ";") return "no `;` is needed: a newline or a comma separates items";
  if (found === "=>") return "wirings and route arms use `->`";
  return undefined;
}
