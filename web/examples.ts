/**
 * The bundled specs (specs/ and specs/lib/) by path: the examples menu, and the files a text in
 * the editor may `use`. Imported by the analysis worker and by main.ts (the menu), not by the
 * page's entry (boot.ts), which stays small so the worker starts early.
 */
const raw = import.meta.glob("../specs/**/*.cnn", { query: "?raw", import: "default", eager: true }) as Record<string, string>;
/** Every bundled spec by its path (`specs/lenet5.cnn`, `specs/lib/resnet.cnn`). */
export const files: Record<string, string> = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k.replace(/^(\.\.\/)+/, ""), v]));
