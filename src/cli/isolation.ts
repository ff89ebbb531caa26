/**
 * Cross-origin isolation: the playground's worker also hands its answers over in shared memory
 * (web/mailbox.ts), which browsers give only to isolated pages. Sent by `convspec serve` and by
 * the Vite dev and preview servers (web/vite.config.ts); the page loads nothing from other
 * origins, so nothing is lost by requiring it.
 */
export const ISOLATION = { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" } as const;
