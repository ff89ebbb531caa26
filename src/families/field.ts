/** The receptive-field record every family's rule reads and returns (Araujo et al., Distill 2019). */

/**
 * Receptive field per spatial axis (Araujo et al., Distill 2019): `size` is the extent in
 * input units, `jump` the distance in input units between adjacent output units (fractional
 * after a transposed conv or upsample), `start` the centre of the first output unit's field
 * in input coordinates (may be negative with padding). `global` marks a field that spans the
 * whole input (after dense or global pooling), or a merge that mixed in such a path.
 */
export interface ReceptiveField {
  readonly size: readonly number[];
  readonly jump: readonly number[];
  readonly start: readonly number[];
  readonly global: boolean;
  /**
   * True when the field is the whole input only because a global path (global pooling, dense)
   * feeds it and no local path does; false or absent for a local field, also one with a global
   * gate mixed in (whose `size` is its local part). Merges take their size from non-whole fields.
   */
  readonly whole?: boolean;
  /**
   * Exact per-unit fields where they vary with the position (after a transposed conv or an
   * upsample), one entry per spatial axis; absent when every unit's field is `size` wide.
   */
  readonly phases?: readonly FieldPhases[];
  /**
   * The input region, [lo, hi] per spatial axis, that the tensor as a whole depends on, when
   * it is less than the whole input: set by a window layer that never reads its input's last
   * rows, kept by every layer after it (unions at merges), and read by the layers that mix the
   * whole tensor (global pooling, dense, layer norm). Absent: the whole input.
   */
  readonly read?: readonly (readonly [number, number])[];
  /**
   * True for a tensor that depends on no input position (a `param` or `buffer`): it has no
   * axes of field, and a merge takes its field from its other operands.
   */
  readonly constant?: boolean;
  /**
   * Set (to the reason) when units are no longer tied to input positions: a reshape moved
   * elements between spatial positions (or onto a grid from a flat vector) here or upstream.
   * `size`, `jump` and `start` then describe no spatial window.
   */
  readonly notSpatial?: string;
  /**
   * Set where a layer upstream dropped or reordered axes (a select, a permute): a global field
   * after it is the region the input read, an upper bound, and is not measured.
   */
  readonly axesLost?: string;
}

/**
 * Fields that repeat with a period: along one axis, unit u's field is the input interval
 * [lo[u mod period], hi[u mod period]] + floor(u / period)·shift (shift = jump·period).
 */
export interface FieldPhases {
  readonly period: number;
  readonly shift: number;
  readonly lo: readonly number[];
  readonly hi: readonly number[];
}
