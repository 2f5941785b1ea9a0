import { type KafkaMockCluster, kcat } from "../../helpers/kafka-mock";

/**
 * Every record of `topic` as kcat (an independent client) formats it, one line each (`-f`: `%t` topic,
 * `%p` partition, `%k` key, `%h` headers, `%T` timestamp, `%s` value). Short fetch waits: kcat's default
 * 500 ms per fetch would make each read, and every test that polls one, slow.
 */
export function readBack(cluster: KafkaMockCluster, topic: string, format = "%s\n"): string[] {
  const out = kcat(["-C", "-b", cluster.bootstrap, "-t", topic, "-e", "-q", "-X", "fetch.wait.max.ms=10", "-X", "fetch.error.backoff.ms=10", "-f", format]);
  return out.split("\n").filter((line) => line !== "");
}
