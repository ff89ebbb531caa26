/**
 * Share links: the spec travels in the URL hash as `#spec=<base64url of its UTF-8 bytes>`
 * (RFC 4648 §5, no padding), so a link holds the whole design and needs no server.
 */

/** UTF-8 text → base64url without padding. */
export function encodeSpec(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = "";
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]!);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** base64url (padding optional) → UTF-8 text; undefined when it is not valid base64url UTF-8. */
export function decodeSpec(code: string): string | undefined {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(code)) return undefined;
  try {
    const bin = atob(code.replace(/=+$/, "").replace(/-/g, "+").replace(/_/g, "/"));
    const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** The spec in a location hash (`#spec=...`, other `&`-separated keys ignored), if any. */
export function specFromHash(hash: string): string | undefined {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const code = params.get("spec");
  return code === null ? undefined : decodeSpec(code);
}

/** The hash for a spec. */
export function hashFor(text: string): string {
  return `#spec=${encodeSpec(text)}`;
}
