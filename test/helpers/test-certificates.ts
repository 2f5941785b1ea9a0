import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** PEM files made for one test run: a CA, a server and a client certificate it signed, and a stranger. */
export interface TestCertificates {
  readonly dir: string;
  readonly caCert: string;
  /** For `localhost` and 127.0.0.1, signed by the CA. */
  readonly serverCert: string;
  readonly serverKey: string;
  /** A client certificate signed by the CA (for mutual TLS). */
  readonly clientCert: string;
  readonly clientKey: string;
  /** A self-signed certificate for 127.0.0.1 that nobody trusts, and its key. */
  readonly untrustedCert: string;
  readonly untrustedKey: string;
}

function openssl(dir: string, args: readonly string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

/**
 * Makes fresh certificates with the `openssl` command in `dir` (EC P-256 keys, valid for a day): nothing
 * secret is kept in the repository and nothing expires between runs.
 */
export function makeTestCertificates(dir: string): TestCertificates {
  const file = (name: string): string => join(dir, name);
  writeFileSync(file("server.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  writeFileSync(file("client.ext"), "extendedKeyUsage=clientAuth\n");
  const key = (name: string): void => openssl(dir, ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", name]);
  key("ca.key");
  openssl(dir, ["req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=flowc test CA", "-days", "1", "-out", "ca.pem"]);
  for (const [name, subject] of [
    ["server", "/CN=localhost"],
    ["client", "/CN=edge"],
  ] as const) {
    key(`${name}.key`);
    openssl(dir, ["req", "-new", "-key", `${name}.key`, "-subj", subject, "-out", `${name}.csr`]);
    openssl(dir, ["x509", "-req", "-in", `${name}.csr`, "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "1", "-extfile", `${name}.ext`, "-out", `${name}.pem`]);
  }
  key("untrusted.key");
  openssl(dir, ["req", "-x509", "-new", "-key", "untrusted.key", "-subj", "/CN=localhost", "-days", "1", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-out", "untrusted.pem"]);
  return {
    dir,
    caCert: file("ca.pem"),
    serverCert: file("server.pem"),
    serverKey: file("server.key"),
    clientCert: file("client.pem"),
    clientKey: file("client.key"),
    untrustedCert: file("untrusted.pem"),
    untrustedKey: file("untrusted.key"),
  };
}
