import { ListenSource } from "../../runtime/sources/listen/listen-source";
import { listenSourceSpec } from "../../runtime/sources/listen/spec";
import { EventTime, modes, RawClient } from "../helpers/forward-raw-client";
import { configOf } from "../helpers/spec-config";
import { sourceCompliance } from "./source-compliance";

/** Events per Forward chunk the client sends. */
const CHUNK = 25;

sourceCompliance("listen", ({ processor, batchSize }) => {
  const source = new ListenSource("compliance", configOf(listenSourceSpec, { bind: "127.0.0.1", port: 0, batch_size: batchSize }), processor);
  const clients: RawClient[] = [];
  return {
    source,
    // A well-behaved Forward client: one chunk at a time, the next only once the last was acknowledged, so
    // a source that holds a chunk back (its channel is full) holds the client back too.
    async send(bodies, started) {
      const client = await RawClient.open(Number(/:(\d+)$/.exec(started)?.[1]));
      clients.push(client);
      for (let at = 0; at < bodies.length; at += CHUNK) {
        const entries = bodies.slice(at, at + CHUNK).map((body) => [new EventTime(1_700_000_000, 0), { message: body }] as const);
        const id = `chunk-${at}`;
        client.send(modes.packedForward("compliance", entries, id));
        await client.until(`the ack of ${id}`, () => client.acks().includes(id) || client.closed, 30_000);
        if (!client.acks().includes(id)) throw new Error(`the connection closed before ${id} was acknowledged`);
      }
    },
    async cleanup() {
      for (const client of clients.splice(0)) client.destroy();
    },
  };
});
