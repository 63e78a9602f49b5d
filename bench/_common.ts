/**
 * What the bench's sections share: the project's folder, how a target is
 * judged, the median of a few timings.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

/** The project's folder, where the tasks' scripts run from. */
export const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** A target's verdict as printed. */
export const verdict = (ok: boolean): string => (ok ? "ok" : "MISSED");

/** The median of `xs`. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2
    ? s[(s.length - 1) / 2]
    : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
