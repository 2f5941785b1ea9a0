import { execFileSync } from "node:child_process";
import { join } from "node:path";

/** PEM files of a self-signed certificate and its key, valid for 127.0.0.1 and localhost. */
export interface SelfSigned {
  readonly cert: string;
  readonly key: string;
}

/**
 * Makes a self-signed certificate with `openssl req -x509` (an EC P-256 key, so it takes milliseconds)
 * in `dir`, named `<name>.pem` and `<name>.key`. Self-signed, it is its own CA: trust it with
 * `--cacert <name>.pem` (curl), `tls_ca`/`tls_client_ca` (flowc) or `ca` (Node).
 */
export function selfSigned(dir: string, name: string): SelfSigned {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}.key`);
  execFileSync(
    "openssl",
    [
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
      "-keyout", key, "-out", cert, "-days", "2", "-subj", `/CN=${name}`,
      "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
    ],
    { stdio: ["ignore", "ignore", "pipe"], timeout: 20_000 },
  );
  return { cert, key };
}
