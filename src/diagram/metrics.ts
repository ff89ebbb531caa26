/**
 * Text metrics shared by layout and drawing. Text is set in a monospace font, so a line's
 * width is its length times one advance (DejaVu Sans Mono's is 0.602 em), with no font
 * measurement needed in Node, in a worker or in resvg.
 */

export const FONT_FAMILY = "DejaVu Sans Mono, Menlo, Consolas, monospace";
export const FONT_SIZE = 11;
/** Advance of one character at FONT_SIZE, rounded up so text never spills. */
export const CHAR_WIDTH = 6.7;
export const LINE_HEIGHT = 14;
export const BOX_PAD_X = 8;
export const BOX_PAD_Y = 5;

/** Edge and cluster labels: a smaller size. */
export const LABEL_FONT_SIZE = 10;
export const LABEL_CHAR_WIDTH = 6.1;
export const LABEL_HEIGHT = 13;
export const CLUSTER_LABEL_HEIGHT = 14;
