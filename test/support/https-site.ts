/**
 * A web page on https://127.0.0.1 for Claude Code's WebFetch tool (which refuses plain http and
 * hosts without a dot): a throwaway CA and a certificate made with the `openssl` command, and the
 * CA file to give Claude Code as `NODE_EXTRA_CA_CERTS`. The same certificates serve a TLS OTLP
 * receiver (`startOtlpReceiver({ tls })`).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface HttpsSite {
  /** `https://127.0.0.1:PORT` */
  url: string;
  /** The CA that signed the site's certificate (PEM file). */
  caFile: string;
  /** Paths requested so far. */
  requested: string[];
  close(): Promise<void>;
}

/** Why the site cannot be made here (no `openssl`), or undefined. */
export function httpsSiteUnavailable(): string | undefined {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return undefined;
  } catch {
    return "the openssl command is not installed";
  }
}

/** A throwaway CA and a certificate it signed for 127.0.0.1, made with the `openssl` command. */
export interface TestCertificates {
  /** The CA (PEM file), for `NODE_EXTRA_CA_CERTS` or a CA setting. */
  caFile: string;
  key: Buffer;
  cert: Buffer;
  remove(): void;
}

export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), "claudia-site-"));
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });
  openssl(
    ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=claudia test CA"],
    ...["-keyout", at("ca.key"), "-out", at("ca.pem")],
    ...["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"],
  );
  openssl(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    "/CN=127.0.0.1",
    "-keyout",
    at("site.key"),
    "-out",
    at("site.csr"),
  );
  writeFileSync(at("site.ext"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  openssl(
    ...["x509", "-req", "-in", at("site.csr"), "-CA", at("ca.pem"), "-CAkey", at("ca.key"), "-CAcreateserial"],
    ...["-days", "2", "-extfile", at("site.ext"), "-out", at("site.pem")],
  );
  return {
    caFile: at("ca.pem"),
    key: readFileSync(at("site.key")),
    cert: readFileSync(at("site.pem")),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export async function startHttpsSite(page: (path: string) => string): Promise<HttpsSite> {
  const certificates = makeTestCertificates();
  const requested: string[] = [];
  const server = createServer({ key: certificates.key, cert: certificates.cert }, (req, res) => {
    requested.push(req.url ?? "");
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page(req.url ?? "/"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    caFile: certificates.caFile,
    requested,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          certificates.remove();
          resolve();
        });
      }),
  };
}
