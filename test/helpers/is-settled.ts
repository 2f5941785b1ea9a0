/**
 * Whether `promise` has settled once pending callbacks had their turn. Deterministic for promises that
 * are resolved synchronously by the code under test: their reactions run as microtasks, before the
 * `setImmediate` this waits for. Use it to assert that something has NOT happened (yet).
 */
export async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  await new Promise<void>((resolve) => setImmediate(resolve));
  return settled;
}
