/**
 * The bundled specs (specs/ and specs/lib/) by path: the examples menu, and the files a text in
 * the editor may `use`. Imported by the page's entry (the first analysis, and the default
 * example), the analysis worker, and main.ts (the menu).
 */
const raw = import.meta.glob("../specs/**/*.cnn", { query: "?raw", import: "default", eager: true }) as Record<string, string>;
/** Every bundled spec by its path (`specs/lenet5.cnn`, `specs/lib/resnet.cnn`). */
export const files: Record<string, string> = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k.replace(/^(\.\.\/)+/, ""), v]));
