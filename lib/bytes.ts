/**
 * Byte-array helpers shared by the file formats.
 *
 * @module
 */

/** `parts` one after another, in one new array. */
export function concatBytes(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** `n` zero bytes, in a SharedArrayBuffer with `shared` (for workers). */
export function newBytes(
  n: number,
  { shared = false }: { shared?: boolean } = {},
): Uint8Array {
  return shared ? new Uint8Array(new SharedArrayBuffer(n)) : new Uint8Array(n);
}

/** `bytes` if they lie in shared memory, else a copy of them there. */
export function inSharedMemory(bytes: Uint8Array): Uint8Array {
  if (bytes.buffer instanceof SharedArrayBuffer) return bytes;
  const copy = newBytes(bytes.length, { shared: true });
  copy.set(bytes);
  return copy;
}
