import { assert, assertEquals } from "./_assert.ts";
import { removeRuling, RULED_LINES } from "../lib/image/ruling.ts";
import { photoInk } from "../lib/image/photo.ts";
import { compose, drawn } from "./_numbers.ts";
import { DIGITS } from "./_sample_drawings.ts";

/** A blank `w` x `h` ink image. */
function blank(w: number, h: number) {
  return { width: w, height: h, data: new Uint8Array(w * h) };
}

/** Ink over rows y0..y1-1 and columns x0..x1-1. */
function fill(
  img: ReturnType<typeof blank>,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  v = 255,
) {
  for (let y = y0; y < y1; y++) {
    img.data.fill(v, y * img.width + x0, y * img.width + x1);
  }
}

Deno.test("removeRuling() clears a notebook's lines and margin, and keeps the strokes that cross them", () => {
  const img = blank(400, 300);
  for (let y = 30; y < 300; y += 40) fill(img, 0, y, 400, y + 2, 120);
  fill(img, 40, 0, 42, 300, 90); // the margin
  fill(img, 200, 50, 206, 250); // a "1" crossing five lines
  const stroke =
    img.data.filter((_, i) => i % 400 >= 200 && i % 400 < 206).length;
  const lines = removeRuling(img);
  assertEquals(lines, 7 + 1);
  // Nothing is left of the lines but where the stroke crosses them.
  for (let y = 0; y < 300; y++) {
    for (let x = 0; x < 400; x++) {
      const inStroke = x >= 200 && x < 206 && y >= 50 && y < 250;
      assertEquals(img.data[y * 400 + x] !== 0, inStroke, `(${x}, ${y})`);
    }
  }
  assert(stroke > 0);
});

Deno.test("removeRuling() leaves a picture with fewer lines than a ruling alone", () => {
  // A big 7: its bar runs across most of the picture, once.
  const img = blank(200, 240);
  fill(img, 10, 10, 190, 22);
  fill(img, 100, 22, 112, 230);
  for (let lines = 1; lines < RULED_LINES; lines++) {
    const copy = { ...img, data: img.data.slice() };
    for (let k = 1; k < lines; k++) {
      fill(copy, 0, 100 + 40 * k, 200, 102 + 40 * k);
    }
    const before = copy.data.slice();
    assertEquals(removeRuling(copy), 0, `${lines} lines`);
    assertEquals(copy.data, before);
  }
});

Deno.test("removeRuling() keeps a tall thin 1 written across the lines of a ruled page", () => {
  const img = blank(400, 300);
  for (let y = 30; y < 300; y += 40) fill(img, 0, y, 400, y + 2, 120);
  fill(img, 200, 40, 203, 260); // 3 pixels wide, 220 of 300 tall
  removeRuling(img);
  for (let y = 40; y < 260; y++) {
    assert(img.data[y * 400 + 201] !== 0, `the 1 at row ${y}`);
  }
});

Deno.test("photoInk() of a number on a ruled page with a margin finds the number, not the page", () => {
  const number = compose(
    [DIGITS[4], DIGITS[1]].map((s) => drawn(s, 120, 4)),
    { gap: 30 },
  ).image;
  const W = 640, H = 480, ox = 250, oy = 170;
  const data = new Uint8Array(W * H * 4);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const ruled = y % 32 < 2 || (x >= 60 && x < 62);
      let v = ruled ? 150 : 235;
      const nx = x - ox, ny = y - oy;
      if (nx >= 0 && ny >= 0 && nx < number.width && ny < number.height) {
        const ink = number.data[ny * number.width + nx];
        v = Math.round(v * (1 - ink) + 40 * ink);
      }
      data.set([v, v, v, 255], 4 * (y * W + x));
    }
  }
  const ink = photoInk({ width: W, height: H, data });
  // The crop is the number's box and its margin, well inside the page.
  assert(ink.x >= ox - 40 && ink.y >= oy - 40, `${ink.x}, ${ink.y}`);
  assert(
    ink.width * ink.scale <= number.width + 80 &&
      ink.height * ink.scale <= number.height + 80,
    `${ink.width} x ${ink.height}`,
  );
});

Deno.test("removeRuling() bridges the short gaps where a photographed line fades", () => {
  const img = blank(400, 300);
  for (let y = 30; y < 300; y += 40) {
    // 46 pixels of line, 3 of paper (under RULE_GAP of the width), and again.
    for (let x = 0; x < 400; x += 49) {
      fill(img, x, y, Math.min(400, x + 46), y + 2, 120);
    }
  }
  assertEquals(removeRuling(img), 7);
  assert(img.data.every((v) => v === 0), "lines left");
});

Deno.test("removeRuling() clears a margin that a photo's blur has widened, on a small picture", () => {
  const img = blank(200, 150);
  for (let y = 20; y < 150; y += 25) fill(img, 0, y, 200, y + 4, 120);
  fill(img, 20, 0, 27, 150, 90); // 7 pixels wide
  fill(img, 100, 30, 112, 117); // a bold "1" across three lines
  removeRuling(img);
  for (let y = 0; y < 150; y++) {
    for (let x = 0; x < 200; x++) {
      const inStroke = x >= 100 && x < 112 && y >= 30 && y < 117;
      assertEquals(img.data[y * 200 + x] !== 0, inStroke, `(${x}, ${y})`);
    }
  }
});
