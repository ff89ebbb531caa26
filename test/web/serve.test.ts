/** `convspec serve`: the built playground over http on 127.0.0.1, nothing outside dist/web. */
import { spawn } from "node:child_process";
import { request } from "node:http";
import { describe, expect, it } from "vitest";
import { ensureWebBuild, ROOT } from "../../bench/chromium.js";

/** A raw GET, so the path reaches the server as written (fetch would normalise `..`). */
function get(url: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; body: string; cache: string; etag: string; isolation: string }> {
  const u = new URL(url);
  return new Promise((ok, fail) => {
    const req = request({ host: u.hostname, port: u.port, path, method: "GET", headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => ok({ status: res.statusCode ?? 0, type: String(res.headers["content-type"] ?? ""), body, cache: String(res.headers["cache-control"] ?? ""), etag: String(res.headers.etag ?? ""), isolation: `${res.headers["cross-origin-opener-policy"]} ${res.headers["cross-origin-embedder-policy"]}` }));
    });
    req.on("error", fail);
    req.end();
  });
}

describe("convspec serve", () => {
  it("serves dist/web on 127.0.0.1 and nothing above it", async () => {
    ensureWebBuild();
    const child = spawn(process.execPath, [`${ROOT}bin/convspec.js`, "serve", "--port", "0"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    try {
      const url = await new Promise<string>((ok, fail) => {
        let out = "";
        child.stdout.on("data", (c: Buffer) => {
          out += c.toString();
          const m = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
          if (m) ok(m[1]!);
        });
        child.on("exit", (code) => fail(new Error(`serve exited with ${code}`)));
      });
      const index = await get(url, "/");
      expect(index.status).toBe(200);
      expect(index.type).toBe("text/html; charset=utf-8");
      expect(index.body).toContain("<title>convspec playground</title>");
      // Cross-origin isolated (the worker's answers also come through shared memory), the scripts too.
      expect(index.isolation).toBe("same-origin require-corp");
      const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(index.body)![1]!;
      const js = await get(url, `/${script}`);
      expect(js.status).toBe(200);
      expect(js.type).toBe("text/javascript; charset=utf-8");
      expect(js.isolation).toBe("same-origin require-corp");
      // Built assets are named by content: kept for good; the page is checked each time, and
      // an unchanged file is not sent again.
      expect(script).toMatch(/^assets\/index-[A-Za-z0-9_-]{8}\.js$/);
      expect(js.cache).toBe("public, max-age=31536000, immutable");
      expect(index.cache).toBe("no-cache");
      expect(index.etag).toMatch(/^"[0-9a-z]+-[0-9a-z]+"$/);
      const again = await get(url, "/", { "if-none-match": index.etag });
      expect(again.status).toBe(304);
      expect(again.body).toBe("");
      expect((await get(url, "/", { "if-none-match": '"other"' })).status).toBe(200);
      // No address outside this machine is referenced by the page: everything is bundled.
      expect(index.body).not.toMatch(/https?:\/\//);
      expect((await get(url, "/../package.json")).status).not.toBe(200);
      expect((await get(url, "/%2e%2e/%2e%2e/package.json")).status).not.toBe(200);
      expect((await get(url, "/nope.js")).status).toBe(404);
    } finally {
      child.kill("SIGTERM");
    }
  });

  it("refuses a bad port with one line and exit 2", async () => {
    const child = spawn(process.execPath, [`${ROOT}bin/convspec.js`, "serve", "--port", "http"], { cwd: ROOT });
    let err = "";
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    const code = await new Promise((ok) => child.on("exit", ok));
    expect(code).toBe(2);
    expect(err).toBe('convspec: --port must be a whole number from 0 to 65535, got "http"\n');
  });
});
