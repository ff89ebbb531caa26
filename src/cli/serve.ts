/**
 * `convspec serve [--port N] [--host ADDR]`: serves the built playground (dist/web) as static
 * files on 127.0.0.1 by default. No server logic: the page does everything in the browser.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError } from "./io.js";
import { ISOLATION } from "./isolation.js";

export interface ServeCommandOptions {
  readonly port?: string;
  readonly host?: string;
}

const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png", ".json": "application/json",
  ".wasm": "application/wasm", ".cnn": "text/plain; charset=utf-8", ".txt": "text/plain; charset=utf-8", ".ico": "image/x-icon",
};

/** A built asset named by its content's hash (vite: `assets/NAME-HASH.EXT`, the hash 8 characters of [A-Za-z0-9_-]). */
const HASHED = /^[\\/]assets[\\/][^\\/]+-[A-Za-z0-9_-]{8}\.(?:js|css|wasm)$/;

/** dist/web of this installation: beside dist/src, where `npm run web:build` puts it. */
export function defaultWebRoot(): string {
  return fileURLToPath(new URL("../../web/", import.meta.url));
}

/**
 * Starts a static file server over `root`; resolves once it listens. `isolated: false` leaves
 * out the cross-origin isolation headers (for the tests of a page served without them).
 */
export function startServer(root: string, port: number, host: string, options: { readonly isolated?: boolean } = {}): Promise<{ server: Server; url: string }> {
  const isolation = options.isolated === false ? {} : ISOLATION;
  const base = resolve(root);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    let file = normalize(join(base, path));
    if (file !== base && !file.startsWith(base + sep)) {
      res.writeHead(403).end("forbidden\n");
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, "index.html");
    if (!existsSync(file) || (req.method !== "GET" && req.method !== "HEAD")) {
      res.writeHead(req.method === "GET" || req.method === "HEAD" ? 404 : 405).end("not found\n");
      return;
    }
    const stat = statSync(file);
    const etag = `"${stat.size.toString(36)}-${Math.floor(stat.mtimeMs).toString(36)}"`;
    const headers = {
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
      // The build names its scripts and styles by their content (assets/index-BR18-KPd.js), so a
      // browser may keep them, and the compiled code it derives, for good; the page itself is
      // checked again each time (a rebuild changes the names it refers to).
      "cache-control": HASHED.test(file.slice(base.length)) ? "public, max-age=31536000, immutable" : "no-cache",
      etag,
      ...isolation,
    };
    if (req.headers["if-none-match"] === etag) {
      res.writeHead(304, headers).end();
      return;
    }
    res.writeHead(200, headers);
    res.end(req.method === "HEAD" ? undefined : readFileSync(file));
  });
  return new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(port, host, () => {
      const a = server.address();
      const p = typeof a === "object" && a ? a.port : port;
      ok({ server, url: `http://${host.includes(":") ? `[${host}]` : host}:${p}/` });
    });
  });
}

/** Runs the command until the process is stopped; returns the exit code. */
export async function runServe(opts: ServeCommandOptions): Promise<number> {
  const port = Number(opts.port ?? "8787");
  if (!/^\d+$/.test(opts.port ?? "8787") || port > 65535) throw new UsageError(`--port must be a whole number from 0 to 65535, got "${opts.port}"`);
  const root = defaultWebRoot();
  if (!existsSync(join(root, "index.html"))) throw new UsageError(`the playground is not built (${root} has no index.html): run npm run web:build`);
  let started;
  try {
    started = await startServer(root, port, opts.host ?? "127.0.0.1");
  } catch (e) {
    throw new UsageError(`cannot listen on ${opts.host ?? "127.0.0.1"}:${port}: ${(e as Error).message}`);
  }
  process.stdout.write(`convspec playground at ${started.url} (serving ${root}; Ctrl-C stops)\n`);
  await new Promise<void>((done) => {
    const stop = () => started.server.close(() => done());
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  return 0;
}
