import { lookup, lookupService } from "node:dns/promises";
import { hostname } from "node:os";
import { hostAddress } from "../../interceptors/host/host-interceptor";
import type { HostValue, TemplatePart } from "./path-template";

/** How long start() waits for the reverse lookup behind `%[FQDN]` before using the host name. */
const FQDN_TIMEOUT_MS = 2_000;

/**
 * The values of `%[localhost]` (the host name), `%[IP]` (the address the `host` interceptor reports: the
 * first non-internal IPv4 address) and `%[FQDN]` (the name a reverse lookup of the host's address gives,
 * Java's canonical host name; the host name when that fails). Found once, when the sink starts; the
 * lookup only happens when the template uses `%[FQDN]`.
 */
export async function resolveHostValues(parts: readonly TemplatePart[]): Promise<Readonly<Record<HostValue, string>>> {
  const name = hostname();
  const needsFqdn = parts.some((part) => part.kind === "host" && part.which === "FQDN");
  return { localhost: name, IP: hostAddress(), FQDN: needsFqdn ? await canonicalName(name) : name };
}

async function canonicalName(name: string): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(name), FQDN_TIMEOUT_MS);
  });
  const resolved = (async (): Promise<string> => {
    try {
      const { address } = await lookup(name);
      const { hostname: canonical } = await lookupService(address, 0);
      return canonical === "" ? name : canonical;
    } catch {
      return name;
    }
  })();
  try {
    return await Promise.race([resolved, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
