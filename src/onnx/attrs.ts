/** Typed ONNX attribute values, as the exporter's emitters write them (no protobuf code here). */

/** A typed ONNX attribute value. */
export type Attr =
  | { readonly t: "i"; readonly v: number }
  | { readonly t: "f"; readonly v: number }
  | { readonly t: "s"; readonly v: string }
  | { readonly t: "ints"; readonly v: readonly number[] }
  | { readonly t: "floats"; readonly v: readonly number[] };

/** An INT attribute. */
export const int = (v: number): Attr => ({ t: "i", v });
/** A FLOAT attribute. */
export const float = (v: number): Attr => ({ t: "f", v });
/** A STRING attribute. */
export const str = (v: string): Attr => ({ t: "s", v });
/** An INTS attribute. */
export const ints = (v: readonly number[]): Attr => ({ t: "ints", v });
/** A FLOATS attribute. */
export const floats = (v: readonly number[]): Attr => ({ t: "floats", v });
