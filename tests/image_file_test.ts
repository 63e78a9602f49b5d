/**
 * The image header reader: sizes of real PNG, JPEG and BMP files (written by
 * the PNG encoder in _images.ts and by ImageMagick), crafted and truncated
 * headers refused with their reason, and files that are not images at all;
 * PNGs checked whole, so that libpng never speaks on stderr.
 */
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import { concatBytes } from "../lib/bytes.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  assertThrows,
} from "./_assert.ts";
import { pngChunk } from "../lib/image/png.ts";
import { encodePng, magick } from "./_images.ts";
import { corruptPngs, damagedPngs, goodPng } from "./_corrupt_images.ts";
import {
  checkPng,
  ImageFileError,
  MAX_SIDE,
  readImageFile,
  readImageHeader,
  sniffFormat,
} from "../lib/data/image_file.ts";
import { pngRows } from "../lib/data/png_file.ts";
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

/** A PNG of MAGICK_PNGS, made once. */
function magickPng(name: string): Uint8Array<ArrayBuffer> {
  const bytes = magickPngs.get(name);
  if (!bytes) throw new Error(`${name} is not in MAGICK_PNGS`);
  return bytes;
}

/** PNGs of every colour type, bit depth and interlacing, by ImageMagick. */
const MAGICK_PNGS: [string, string, ...string[]][] = [
  ["rgb.png", "PNG24:"],
  ["rgb16.png", "PNG48:"],
  [
    "rgba.png",
    "PNG32:",
    "-alpha",
    "set",
    "-channel",
    "A",
    "-evaluate",
    "set",
    "60%",
  ],
  ["rgba16.png", "PNG64:", "-alpha", "set"],
  ["grey-alpha.png", "PNG:", "-colorspace", "Gray", "-alpha", "set"],
  ["grey16.png", "PNG:", "-colorspace", "Gray", "-depth", "16"],
  ["mono.png", "PNG:", "-monochrome"],
  ["grey2.png", "PNG:", "-colorspace", "Gray", "-depth", "2"],
  ["palette.png", "PNG8:"],
  ["interlaced.png", "PNG24:", "-interlace", "PNG"],
  [
    "interlaced-grey4.png",
    "PNG:",
    "-colorspace",
    "Gray",
    "-depth",
    "4",
    "-interlace",
    "PNG",
  ],
];
const magickPngs = new Map<string, Uint8Array<ArrayBuffer>>();
{
  // A larger picture than the gradient, so that interlacing has every pass.
  const source = join(dir, "source.png");
  await magick("-size", "23x17", "plasma:fractal", "-seed", "3", source);
  for (const [name, prefix, ...options] of MAGICK_PNGS) {
    await magick(source, ...options, prefix + join(dir, name));
    magickPngs.set(name, await Deno.readFile(join(dir, name)));
  }
}

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
  // A JPEG whose Huffman table is garbage: libjpeg fails, and SDL2_image
  // keeps it quiet. (A corrupt PNG never gets this far: checkPng().)
  const corrupt = jpeg.slice();
  const view = new DataView(corrupt.buffer);
  let at = 2;
  while (corrupt[at + 1] !== 0xc4) at += 2 + view.getUint16(at + 2);
  corrupt.fill(0xff, at + 5, at + 21);
  assertThrows(
    () => decodeImage(corrupt, "JPEG"),
    SdlError,
    "IMG_LoadTyped_RW(JPEG)",
  );
});

/** The types of the chunks of a PNG, in order. */
function chunkTypes(bytes: Uint8Array): string[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const types: string[] = [];
  for (let at = 8; at < bytes.length; at += 12 + view.getUint32(at)) {
    types.push(String.fromCharCode(...bytes.subarray(at + 4, at + 8)));
  }
  return types;
}

Deno.test("checkPng() refuses each kind of damage that made libpng print, saying what and where", () => {
  for (const { name, bytes, reason } of corruptPngs()) {
    const e = assertThrows(
      () => checkPng(bytes, name),
      ImageFileError,
    ) as ImageFileError;
    assert(
      e.reason.startsWith(reason),
      `${name}: '${e.reason}', expected '${reason}'`,
    );
    assertEquals(e.message, `Cannot read image '${name}': ${e.reason}`);
    // readImageHeader() and readImageFile() check as much.
    assertThrows(() => readImageHeader(bytes, name), ImageFileError, reason);
  }
  assertThrows(() => checkPng(jpeg), ImageFileError, "not a PNG image");
});

Deno.test("checkPng() leaves only the chunks that make the pixels, and a tRNS that fits", () => {
  const good = goodPng();
  assertEquals(checkPng(good), good);
  // ImageMagick writes gAMA, cHRM, bKGD, tIME and tEXt chunks.
  const rgb = magickPng("rgb.png");
  assertEquals(chunkTypes(rgb).includes("tEXt"), true);
  assertEquals(chunkTypes(checkPng(rgb)), ["IHDR", "IDAT", "IEND"]);
  for (const { name, bytes } of damagedPngs()) {
    assertEquals(chunkTypes(checkPng(bytes)), ["IHDR", "IDAT", "IEND"], name);
  }
  // A tRNS that fits stays, before the data; for a palette image, after PLTE.
  const withTrns = (trns: Uint8Array) =>
    concatBytes([
      good.subarray(0, 33),
      pngChunk("tRNS", trns),
      good.subarray(33),
    ]);
  assertEquals(chunkTypes(checkPng(withTrns(new Uint8Array([0, 255])))), [
    "IHDR",
    "tRNS",
    "IDAT",
    "IEND",
  ]);
  // Two palette entries, the first transparent, behind a tEXt.
  const checked = checkPng(palettePng(new Uint8Array([0])));
  assertEquals(chunkTypes(checked), ["IHDR", "PLTE", "tRNS", "IDAT", "IEND"]);
  const { data } = decodeImage(checked, "PNG");
  assertEquals([data[3], data[7]], [0, 255], "the alpha of both pixels");
  // An alpha for a third entry: ignored, as libpng ignores it.
  assertEquals(
    chunkTypes(checkPng(palettePng(new Uint8Array([0, 0, 0])))),
    ["IHDR", "PLTE", "IDAT", "IEND"],
  );
});

/**
 * A 2x1 palette image, black and white, with a tEXt before the palette and
 * `trns` as its tRNS.
 */
function palettePng(trns: Uint8Array): Uint8Array {
  return concatBytes([
    goodPng().subarray(0, 8),
    pngChunk("IHDR", new Uint8Array([0, 0, 0, 2, 0, 0, 0, 1, 8, 3, 0, 0, 0])),
    pngChunk("tEXt", new TextEncoder().encode("a\0b")),
    pngChunk("PLTE", new Uint8Array([0, 0, 0, 255, 255, 255])),
    pngChunk("tRNS", trns),
    pngChunk("IDAT", deflateSync(new Uint8Array([0, 0, 1]))),
    pngChunk("IEND", new Uint8Array(0)),
  ]);
}

Deno.test("checkPng() passes PNGs of every kind, and they decode to the same pixels", () => {
  for (const [name] of MAGICK_PNGS) {
    const bytes = magickPng(name);
    const checked = checkPng(bytes, name);
    const a = decodeImage(bytes, "PNG"), b = decodeImage(checked, "PNG");
    assertEquals([b.width, b.height], [a.width, a.height], name);
    assertEquals(b.data, a.data, name);
  }
  for (const { name, bytes } of damagedPngs()) {
    assertEquals(
      decodeImage(checkPng(bytes), "PNG"),
      decodeImage(goodPng(), "PNG"),
      name,
    );
  }
});

Deno.test("pngRows() gives Adam7's passes, which hold every pixel once", () => {
  assertEquals(pngRows(5, 3, 8, false), [{ rows: 3, bytes: 5 }]);
  // Bits packed into bytes, rounded up.
  assertEquals(pngRows(5, 3, 1, false), [{ rows: 3, bytes: 1 }]);
  assertEquals(pngRows(9, 1, 2, false), [{ rows: 1, bytes: 3 }]);
  // One pixel: only the first pass has it.
  assertEquals(
    pngRows(1, 1, 8, true).map((p) => p.rows * p.bytes),
    [1, 0, 0, 0, 0, 0, 0],
  );
  for (const [w, h] of [[1, 1], [8, 8], [23, 17], [3, 40], [100, 2]]) {
    const passes = pngRows(w, h, 8, true);
    assertEquals(passes.length, 7);
    assertEquals(
      passes.reduce((n, p) => n + p.rows * p.bytes, 0),
      w * h,
      `${w}x${h}`,
    );
  }
});

Deno.test("reading and decoding damaged PNGs prints one line each, ours", async () => {
  // In a process of its own, as predict reads files: whatever libpng printed
  // would show on its stderr.
  const files = [...corruptPngs(), ...damagedPngs()];
  for (const { name, bytes } of files) {
    await Deno.writeFile(join(dir, name), bytes);
  }
  const code = `
    import { readImageFile, ImageFileError } from "${new URL(
    "../lib/data/image_file.ts",
    import.meta.url,
  )}";
    import { decodeImage } from "${new URL(
    "../lib/native/sdl2_image.ts",
    import.meta.url,
  )}";
    for (const path of Deno.args) {
      try {
        const file = await readImageFile(path);
        const image = decodeImage(file.bytes, file.format);
        console.log(path + ": " + image.width + "x" + image.height);
      } catch (e) {
        if (!(e instanceof ImageFileError)) throw e;
        console.error(e.message);
      }
    }`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", code, ...files.map((f) => join(dir, f.name))],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  assertEquals(out.code, 0, text(out.stderr));
  const lines = text(out.stderr).trimEnd().split("\n");
  const corrupt = corruptPngs();
  assertEquals(lines.length, corrupt.length, text(out.stderr));
  corrupt.forEach(({ name, reason }, i) => {
    const ours = `Cannot read image '${join(dir, name)}': ${reason}`;
    assert(lines[i].startsWith(ours), `${lines[i]}, expected ${ours}`);
  });
  assertEquals(
    text(out.stdout).trimEnd().split("\n"),
    damagedPngs().map(({ name }) => `${join(dir, name)}: 12x10`),
  );
});

globalThis.addEventListener("unload", () => {
  Deno.removeSync(dir, { recursive: true });
});
