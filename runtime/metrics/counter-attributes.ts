/**
 * Reads a counter's Flume attributes: its PascalCase public fields (`EventReceivedCount`) and PascalCase
 * getters anywhere up its class chain (`ChannelFillPercentage`), whose value is a number or a boolean.
 * Counters keep plain fields so the hot path only adds to them; the metrics endpoints read them here, and
 * only when scraped. camelCase members are a counter's own business and never exported.
 */
export type AttributeValue = number | boolean;

const ATTRIBUTE_NAME = /^[A-Z]/;

/** Getter names per counter class, found once per class. */
const gettersByPrototype = new WeakMap<object, readonly string[]>();

function gettersOf(prototype: object | null): readonly string[] {
  if (prototype === null) return [];
  let names = gettersByPrototype.get(prototype);
  if (names === undefined) {
    const found: string[] = [];
    for (let proto: object | null = prototype; proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
      for (const name of Object.getOwnPropertyNames(proto)) {
        if (!ATTRIBUTE_NAME.test(name) || found.includes(name)) continue;
        if (Object.getOwnPropertyDescriptor(proto, name)?.get !== undefined) found.push(name);
      }
    }
    names = found;
    gettersByPrototype.set(prototype, names);
  }
  return names;
}

/** Calls `visit` for each attribute of `counter`: own fields in declaration order, then getters. */
export function forEachAttribute(counter: object, visit: (name: string, value: AttributeValue) => void): void {
  const record = counter as Record<string, unknown>;
  for (const name of Object.keys(counter)) {
    const value = record[name];
    if (ATTRIBUTE_NAME.test(name) && (typeof value === "number" || typeof value === "boolean")) visit(name, value);
  }
  for (const name of gettersOf(Object.getPrototypeOf(counter) as object | null)) {
    if (Object.prototype.hasOwnProperty.call(counter, name)) continue;
    const value = record[name];
    if (typeof value === "number" || typeof value === "boolean") visit(name, value);
  }
}
