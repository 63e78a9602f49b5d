/** The in-memory RGB picture that inspect draws into, and its pixel font. */
import { alignedLeft, labelWidth, Raster } from "../lib/image/raster.ts";
import { assertEquals, assertThrows } from "./_assert.ts";

const at = (r: Raster, x: number, y: number) => {
  const i = (y * r.width + x) * 3;
  return r.rgb[i] << 16 | r.rgb[i + 1] << 8 | r.rgb[i + 2];
};

Deno.test("Raster fills rectangles clipped to its edges", () => {
  const r = new Raster(4, 3, 0x102030);
  assertEquals(at(r, 3, 2), 0x102030);
  r.fill(-2, 1, 4, 10, 0xff0000);
  assertEquals([at(r, 0, 0), at(r, 1, 1), at(r, 1, 2), at(r, 2, 1)], [
    0x102030,
    0xff0000,
    0xff0000,
    0x102030,
  ]);
  assertThrows(() => new Raster(0, 3), RangeError, "0x3");
});

Deno.test("alignedLeft() puts the left, centre or right of a line at x", () => {
  assertEquals(alignedLeft(100, 30, "left"), 100);
  assertEquals(alignedLeft(100, 30, "centre"), 85);
  assertEquals(alignedLeft(100, 31, "centre"), 84);
  assertEquals(alignedLeft(100, 30, "right"), 70);
});

Deno.test("Raster.label() writes the pixel font aligned as asked", () => {
  // "1" is 3x5 font pixels; at scale 2, 6x10 screen pixels.
  assertEquals(labelWidth("1", 2), 6);
  assertEquals(labelWidth("10", 2), 14);
  assertEquals(labelWidth(""), 0);
  for (const align of ["left", "centre", "right"] as const) {
    const r = new Raster(40, 12, 0xffffff);
    const w = r.label("-", 20, 0, 0x000000, 2, align);
    // "-" is the middle row of its three columns: font row 2, screen rows 4-5.
    const left = alignedLeft(20, w, align);
    assertEquals(at(r, left, 4), 0x000000, align);
    assertEquals(at(r, left + w - 1, 5), 0x000000, align);
    assertEquals(at(r, left - 1, 4), 0xffffff, align);
    assertEquals(at(r, left + w, 4), 0xffffff, align);
  }
});

Deno.test("Raster.toArgb() gives opaque 0xAARRGGBB pixels", () => {
  const r = new Raster(2, 1, 0x123456);
  const out = new Uint32Array(2);
  r.toArgb(out);
  assertEquals([...out], [0xff123456, 0xff123456]);
  assertThrows(() => r.toArgb(new Uint32Array(3)), RangeError, "3 pixels");
});

Deno.test("Raster.ink() lays a colour over the picture as the ink covers it, clipped at the edges", () => {
  const r = new Raster(4, 3, 0x000000);
  const ink = {
    width: 3,
    height: 2,
    data: Uint8Array.from([255, 128, 0, 0, 255, 255]),
  };
  r.ink(2, 2, ink, 0xff8040);
  const at = (x: number, y: number) =>
    Array.from(r.rgb.subarray(3 * (y * 4 + x), 3 * (y * 4 + x) + 3));
  assertEquals(at(2, 2), [0xff, 0x80, 0x40]); // full ink
  assertEquals(at(3, 2), [128, 64, 32]); // half: 128 / 255 of the way
  assertEquals(at(0, 0), [0, 0, 0]); // outside the ink
  assertEquals(at(1, 2), [0, 0, 0]);
  // The ink's second row and third column fall outside the picture.
  assertEquals(r.rgb.length, 36);
});
