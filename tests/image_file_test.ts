/**
 * The image header reader: sizes of real PNG, JPEG and BMP files (written by
 * the PNG encoder in _images.ts and by ImageMagick), crafted and truncated
 * headers refused with their reason, and files that are not images at all.
 */
import { join } from "node:path";
import { assertEquals, assertRejects, assertThrows } from "./_assert.ts";
import { pngChunk } from "../lib/image/png.ts";
import { encodePng, magick } from "./_images.ts";
import {
  ImageFileError,
  MAX_SIDE,
  readImageFile,
  readImageHeader,
  sniffFormat,
} from "../lib/data/image_file.ts";
import { decodeImage } from "../lib/native/sdl2_image.ts";
import { SdlError } from "../lib/native/sdl2.ts";

const dir = await Deno.makeTempDir({ prefix: "image_file_test_" });
// A 7x5 grey gradient, wider than high so that swapped sides would show.
const W = 7, H = 5;
const grey = new Uint8Array(W * H).map((_, i) => i * 7);
const png = encodePng(W, H, grey);
const pngPath = join(dir, "a.png");
await Deno.writeFile(pngPath, png);

/** `pngPath` converted by ImageMagick to `name`, in format `prefix` if given. */
async function converted(name: string, prefix = "", ...options: string[]) {
  const out = join(dir, name);
  await magick(pngPath, ...options, prefix + out);
  return await Deno.readFile(out);
}

const bmpWindows = await converted("a3.bmp", "BMP3:", "-type", "TrueColor");
// ImageMagick writes a grey image as a run-length encoded 8-bit BMP.
const bmpRle = await converted("r.bmp", "BMP3:");
const bmpV5 = await converted("a5.bmp", "BMP:");
const bmpOs2 = await converted("a2.bmp", "BMP2:");
const jpeg = await converted("a.jpg");
const jpegProgressive = await converted("p.jpg", "", "-interlace", "Plane");

Deno.test("sniffFormat() tells the formats from their first bytes", () => {
  assertEquals(sniffFormat(png), "PNG");
  assertEquals(sniffFormat(jpeg), "JPEG");
  assertEquals(sniffFormat(bmpWindows), "BMP");
  assertEquals(sniffFormat(new TextEncoder().encode("GIF89a")), null);
  assertEquals(sniffFormat(new Uint8Array(0)), null);
});

Deno.test("readImageHeader() reads the size of a PNG from IHDR", () => {
  assertEquals(readImageHeader(png), { format: "PNG", width: W, height: H });
});

Deno.test("readImageHeader() reads the size of a JPEG from its frame header", () => {
  assertEquals(readImageHeader(jpeg), { format: "JPEG", width: W, height: H });
  assertEquals(readImageHeader(jpegProgressive), {
    format: "JPEG",
    width: W,
    height: H,
  });
});

Deno.test("readImageHeader() reads the size of Windows, V5 and OS/2 BMPs", () => {
  const want = { format: "BMP", width: W, height: H };
  assertEquals(readImageHeader(bmpWindows), want);
  assertEquals(readImageHeader(bmpV5), want);
  assertEquals(readImageHeader(bmpOs2), want);
  assertEquals(readImageHeader(bmpRle), want);
  assertEquals(new DataView(bmpRle.buffer).getUint32(30, true), 1);
  // Negative heights are top-down images.
  const topDown = bmpWindows.slice();
  new DataView(topDown.buffer).setInt32(22, -H, true);
  assertEquals(readImageHeader(topDown), want);
});

Deno.test("readImageHeader() refuses a PNG claiming 100000x100000 pixels", () => {
  const crafted = encodePng(W, H, grey, 1, { width: 100000, height: 100000 });
  const e = assertThrows(
    () => readImageHeader(crafted, "big.png"),
    ImageFileError,
    "too large: 100000x100000 pixels",
  ) as ImageFileError;
  assertEquals(e.path, "big.png");
  assertEquals(e.message.startsWith("Cannot read image 'big.png': "), true);
});

Deno.test("readImageHeader() refuses one side over the limit and too many pixels", () => {
  const tall = encodePng(W, H, grey, 1, { width: 1, height: MAX_SIDE + 1 });
  assertThrows(() => readImageHeader(tall), ImageFileError, "too large");
  const square = encodePng(W, H, grey, 1, { width: 8000, height: 8000 });
  assertThrows(
    () => readImageHeader(square),
    ImageFileError,
    "8000x8000 pixels",
  );
  const zero = encodePng(W, H, grey, 1, { width: 0, height: 5 });
  assertThrows(() => readImageHeader(zero), ImageFileError, "corrupt PNG");
});

Deno.test("readImageHeader() refuses a JPEG whose frame header is too large", () => {
  const crafted = jpeg.slice();
  const view = new DataView(crafted.buffer);
  // Find the SOF0/SOF2 segment and change its size to 30000x30000.
  let at = 2;
  while (crafted[at + 1] !== 0xc0 && crafted[at + 1] !== 0xc2) {
    at += 2 + view.getUint16(at + 2);
  }
  view.setUint16(at + 5, 30000);
  view.setUint16(at + 7, 30000);
  assertThrows(
    () => readImageHeader(crafted),
    ImageFileError,
    "too large: 30000x30000 pixels",
  );
});

Deno.test("readImageHeader() refuses a BMP whose header is too large", () => {
  const crafted = bmpWindows.slice();
  const view = new DataView(crafted.buffer);
  view.setInt32(18, 20000, true);
  view.setInt32(22, -20000, true);
  assertThrows(
    () => readImageHeader(crafted),
    ImageFileError,
    "too large: 20000x20000 pixels",
  );
});

Deno.test("readImageHeader() refuses truncated files of each format", () => {
  assertThrows(
    () => readImageHeader(png.subarray(0, png.length - 20)),
    ImageFileError,
    "truncated PNG",
  );
  // Cut after a whole chunk: no IEND.
  assertThrows(
    () => readImageHeader(png.subarray(0, png.length - 12)),
    ImageFileError,
    "truncated PNG: the file ends",
  );
  assertThrows(
    () => readImageHeader(png.subarray(0, 20)),
    ImageFileError,
    "too short",
  );
  assertThrows(
    () => readImageHeader(jpeg.subarray(0, jpeg.length - 10)),
    ImageFileError,
    "truncated JPEG: the image data",
  );
  assertThrows(
    () => readImageHeader(jpeg.subarray(0, 30)),
    ImageFileError,
    "truncated JPEG",
  );
  assertThrows(
    () => readImageHeader(bmpWindows.subarray(0, bmpWindows.length - 4)),
    ImageFileError,
    "truncated BMP",
  );
  assertThrows(
    () => readImageHeader(bmpRle.subarray(0, bmpRle.length - 4)),
    ImageFileError,
    "truncated BMP",
  );
});

Deno.test("readImageHeader() refuses a PNG without image data", () => {
  const signature = png.subarray(0, 8);
  const ihdr = png.subarray(8, 33);
  const noData = new Uint8Array([
    ...signature,
    ...ihdr,
    ...pngChunk("IEND", new Uint8Array(0)),
  ]);
  assertThrows(() => readImageHeader(noData), ImageFileError, "no image data");
});

Deno.test("readImageHeader() says what is not an image", () => {
  const text = new TextEncoder().encode("hello, world\n");
  assertThrows(
    () => readImageHeader(text),
    ImageFileError,
    "not a PNG, JPEG or BMP image",
  );
  assertThrows(
    () => readImageHeader(new Uint8Array(0)),
    ImageFileError,
    "empty file",
  );
});

Deno.test("readImageFile() names missing files, folders and empty files", async () => {
  const f = await readImageFile(pngPath);
  assertEquals([f.format, f.width, f.height, f.bytes.length], [
    "PNG",
    W,
    H,
    png.length,
  ]);
  await assertRejects(
    () => readImageFile(join(dir, "nope.png")),
    ImageFileError,
    "no such file",
  );
  await assertRejects(() => readImageFile(dir), ImageFileError, "a folder");
  const empty = join(dir, "empty.png");
  await Deno.writeFile(empty, new Uint8Array(0));
  await assertRejects(() => readImageFile(empty), ImageFileError, "empty file");
  await assertRejects(
    () => readImageFile("/dev/null"),
    ImageFileError,
    "not a regular file",
  );
});

/** The R channel of RGBA bytes. */
const red = (rgba: Uint8Array) => rgba.filter((_, i) => i % 4 === 0);

Deno.test("decodeImage() gives the pixels of PNG, BMP and JPEG files", () => {
  for (const [bytes, format] of [[png, "PNG"], [bmpWindows, "BMP"]] as const) {
    const image = decodeImage(bytes, format);
    assertEquals([image.width, image.height], [W, H]);
    assertEquals(red(image.data), grey);
    // Grey and opaque: R = G = B, A = 255.
    for (let k = 0; k < W * H; k++) {
      const [r, g, b, a] = image.data.subarray(4 * k, 4 * k + 4);
      assertEquals([g, b, a], [r, r, 255]);
    }
  }
  const image = decodeImage(jpeg, "JPEG");
  assertEquals([image.width, image.height], [W, H]);
  const r = red(image.data);
  const worst = Math.max(...grey.map((v, i) => Math.abs(v - r[i])));
  assertEquals(worst <= 12, true, `JPEG differs by ${worst} levels`);
});

Deno.test("decodeImage() reports corrupt image data", () => {
  const corrupt = png.slice();
  // Scramble the compressed data of IDAT (after its length and type).
  for (let i = 41; i < 50; i++) corrupt[i] ^= 0x5a;
  assertThrows(
    () => decodeImage(corrupt, "PNG"),
    SdlError,
    "IMG_LoadTyped_RW(PNG)",
  );
});

globalThis.addEventListener("unload", () => {
  Deno.removeSync(dir, { recursive: true });
});
