import { hostname, networkInterfaces } from "node:os";
import type { Interceptor } from "../../core/component";
import type { FlowEvent } from "../../core/event";
import type { ConfigOf } from "../../spec";
import { checkHeaderName } from "../interceptor-config";
import { InterceptorCounter } from "../interceptor-counter";
import type { hostInterceptorSpec } from "./spec";

export type HostInterceptorConfig = ConfigOf<typeof hostInterceptorSpec>;

/** Sets a header to this host's address or name, found once at construction. */
export class HostInterceptor implements Interceptor {
  readonly counter = new InterceptorCounter();
  /** It sets or changes headers or bodies in place and drops nothing (see `Interceptor`). */
  readonly keepsEveryEvent = true;
  /** The header value, the same for every event. */
  readonly value: string;
  private readonly header: string;
  private readonly preserveExisting: boolean;

  constructor(
    readonly name: string,
    config: HostInterceptorConfig,
  ) {
    this.header = checkHeaderName(config.header, `header of interceptor \`${name}\``);
    this.preserveExisting = config.preserve_existing;
    this.value = config.use_ip ? hostAddress() : hostname();
  }

  intercept(events: FlowEvent[]): FlowEvent[] {
    this.counter.EventsInterceptedCount += events.length;
    // Its own loop rather than a helper shared with the other header-setting interceptors: see
    // StaticInterceptor.intercept.
    const key = this.header;
    const value = this.value;
    const preserveExisting = this.preserveExisting;
    for (let i = 0; i < events.length; i++) {
      const headers = (events[i] as FlowEvent).headers;
      if (!preserveExisting || !Object.hasOwn(headers, key)) headers[key] = value;
    }
    return events;
  }
}

/**
 * The address other hosts most likely know this one by: the first non-internal IPv4 address, else the
 * first non-internal, non-link-local IPv6 address, else `127.0.0.1`. (Flume resolves the host name, which
 * on many Linux hosts gives a loopback address such as 127.0.1.1.)
 */
export function hostAddress(): string {
  const interfaces = networkInterfaces();
  let ipv6: string | undefined;
  for (const name of Object.keys(interfaces)) {
    for (const info of interfaces[name] ?? []) {
      if (info.internal) continue;
      if (info.family === "IPv4") return info.address;
      if (ipv6 === undefined && !info.address.toLowerCase().startsWith("fe80:")) ipv6 = info.address;
    }
  }
  return ipv6 ?? "127.0.0.1";
}
