/**
 * Numbers as the windows write them: signed values with a real minus sign,
 * probabilities as percentages, counts with their noun. One place, so that a
 * weight or a probability reads the same in every window and in the printed
 * lines.
 *
 * @module
 */

/** The minus sign (U+2212), wider than a hyphen and as wide as "+". */
export const MINUS = "−";

/**
 * `v` with `decimals` decimals and its sign always written: "+1.23",
 * "−0.65". A value that rounds to zero is "+0.00", never "−0.00".
 */
export function signed(v: number, decimals = 2): string {
  const digits = Math.abs(v).toFixed(decimals);
  return `${v < 0 && Number(digits) !== 0 ? MINUS : "+"}${digits}`;
}

/**
 * `p` (0 to 1) as a percentage with `decimals` decimals: "97.3 %".
 * `separator` goes between the number and the sign ("97.3%" with "").
 */
export function percent(p: number, decimals = 1, separator = " "): string {
  return `${(p * 100).toFixed(decimals)}${separator}%`;
}

/** `n` and `noun`, plural unless `n` is 1: "1 epoch", "40 epochs". */
export function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
