/** Waits for `promise` (settled either way) until `deadline` (epoch ms) at the latest. */
export function within(promise: Promise<unknown>, deadline: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    promise.then(done, done);
  });
}
