/**
 * A small scanner for the source rules that keep user-sized input off the call stack and out of
 * Object.prototype: finds `f(...xs)` (spread into a call) and plain-object lookups. Comments and
 * string contents are blanked first, so prose and messages do not count.
 */

/** The text with comments and the insides of string and template literals replaced by spaces. */
export function blank(src: string): string {
  let out = "";
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i]!;
    const d = src[i + 1];
    if (c === "/" && d === "/") {
      const j = src.indexOf("\n", i);
      const end = j === -1 ? n : j;
      out += " ".repeat(end - i);
      i = end;
    } else if (c === "/" && d === "*") {
      const j = src.indexOf("*/", i + 2);
      const end = j === -1 ? n : j + 2;
      out += src.slice(i, end).replace(/[^\n]/g, " ");
      i = end;
    } else if (c === '"' || c === "'" || c === "`") {
      let j = i + 1;
      while (j < n && src[j] !== c) j += src[j] === "\\" ? 2 : 1;
      out += c + src.slice(i + 1, j).replace(/[^\n]/g, " ") + c;
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** 1-based line of an offset. */
function lineOf(text: string, at: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < at; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

/**
 * Lines where `...` spreads into a call's arguments (`f(...xs)`, `f(a, ...xs)`, `new X(...xs)`):
 * the engine copies every element onto the stack, so a user-sized array overflows it (about
 * 120k elements). Rest parameters in a declaration (`(...xs) =>`, `function f(...xs)`) are not calls.
 */
export function callSpreads(src: string): number[] {
  const text = blank(src);
  const found: number[] = [];
  const stack: number[] = []; // offsets of open brackets
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "(" || c === "[" || c === "{") stack.push(i);
    else if (c === ")" || c === "]" || c === "}") stack.pop();
    else if (c === "." && text.startsWith("...", i)) {
      const open = stack[stack.length - 1];
      if (open !== undefined && text[open] === "(" && isCall(text, open)) found.push(lineOf(text, i));
      i += 2;
    }
  }
  return found;
}

/** Whether the `(` at `open` starts a call's arguments, not a parameter list. */
function isCall(text: string, open: number): boolean {
  const before = text.slice(Math.max(0, open - 200), open);
  if (/\bfunction\s*\*?\s*[\w$]*\s*(<[^()]*>)?\s*$/.test(before)) return false;
  // A method or constructor declaration: `name(...xs): T {` or `constructor(...xs) {`.
  let depth = 0;
  let j = open;
  for (; j < text.length; j++) {
    if (text[j] === "(") depth++;
    else if (text[j] === ")" && --depth === 0) break;
  }
  const after = text.slice(j + 1, j + 200);
  if (/^\s*(=>|:\s*[^,;)]*?(=>|\{)|\{)/.test(after)) return false;
  return /[\w$)\]>]\s*$/.test(before);
}
