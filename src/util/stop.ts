/**
 * Deadlines and abort signals, polled the same way by every stage (parse, import loading,
 * expansion, analysis, export): a reason to stop now, or undefined.
 */
/**
 * What convspec reads of an AbortSignal, typed by shape so that the shipped declarations need
 * neither the DOM's nor Node's types (an AbortSignal from either fits).
 */
export interface AbortLike {
  readonly aborted: boolean;
  addEventListener?(type: "abort", listener: () => void, options?: { once?: boolean }): void;
  removeEventListener?(type: "abort", listener: () => void): void;
}

export interface StopOptions {
  /** Stops the work: the stage ends with a CS6007 diagnostic once the signal aborts. */
  readonly signal?: AbortLike;
  /** Milliseconds the work may take; past them the stage ends with a CS6007 diagnostic. */
  readonly deadlineMs?: number;
}

/** Why work should stop now (the signal aborted, the deadline passed), or undefined. The clock starts at the call. */
export function stopCheck(options: StopOptions): () => string | undefined {
  const { signal, deadlineMs } = options;
  const until = deadlineMs === undefined ? Infinity : Date.now() + deadlineMs;
  return () => {
    if (signal?.aborted) return "the caller aborted it";
    if (Date.now() > until) return `it took longer than its deadline of ${deadlineMs} ms`;
    return undefined;
  };
}

export const STOP_HINT = "give it more time, or simplify the spec";
