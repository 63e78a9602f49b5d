import { assert, assertEquals } from "./_assert.ts";
import { HAND_LETTER_NAMES, handLetter } from "../lib/image/hand_letters.ts";
import { Random } from "../lib/random.ts";

Deno.test("handLetter() fills the unit square, its longer side from edge to edge", () => {
  const rng = new Random(4);
  for (let i = 0; i < 200; i++) {
    const strokes = handLetter(rng);
    assert(strokes.length >= 1);
    const xs = strokes.flatMap((s) => s.filter((_, k) => k % 2 === 0));
    const ys = strokes.flatMap((s) => s.filter((_, k) => k % 2 === 1));
    for (const v of [...xs, ...ys]) assert(v >= -1e-9 && v <= 1 + 1e-9, `${v}`);
    const w = Math.max(...xs) - Math.min(...xs);
    const h = Math.max(...ys) - Math.min(...ys);
    assert(Math.abs(Math.max(w, h) - 1) < 1e-9, `${w} x ${h}`);
    // Centred on the shorter side.
    const mid = w < h ? xs : ys;
    assert(Math.abs(Math.min(...mid) + Math.max(...mid) - 1) < 1e-9);
  }
});

Deno.test("handLetter() is the same for the same seed, and bends each letter differently", () => {
  const a = handLetter(new Random(9)), b = handLetter(new Random(9));
  assertEquals(a, b);
  // Many draws give every letter, and no two alike.
  const rng = new Random(1);
  const seen = new Set<string>();
  for (let i = 0; i < 400; i++) seen.add(JSON.stringify(handLetter(rng)));
  assertEquals(seen.size, 400);
  assert(HAND_LETTER_NAMES.length >= 15);
  assert(!HAND_LETTER_NAMES.some((n) => "ODQILTSZBGP0123456789".includes(n)));
});
