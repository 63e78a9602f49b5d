/** The PNG encoder, checked by decoding its files with Python's zlib. */
import { assertEquals, assertThrows } from "./_assert.ts";
import { crc32, encodePng } from "../lib/image/png.ts";

/**
 * Decodes a PNG with an independent reader (Python's zlib and struct, every
 * chunk's CRC checked): width, height, bit depth, colour type and the pixels.
 */
async function decodeWithPython(png: Uint8Array) {
  const script = `
import sys, struct, zlib, json
b = sys.stdin.buffer.read()
assert b[:8] == b"\\x89PNG\\r\\n\\x1a\\n", "signature"
pos, idat, ihdr, types = 8, b"", None, []
while pos < len(b):
    n, = struct.unpack(">I", b[pos:pos+4]); t = b[pos+4:pos+8]; d = b[pos+8:pos+8+n]
    crc, = struct.unpack(">I", b[pos+8+n:pos+12+n])
    assert zlib.crc32(t + d) == crc, "crc of " + t.decode()
    types.append(t.decode())
    if t == b"IHDR": ihdr = struct.unpack(">IIBBBBB", d)
    if t == b"IDAT": idat += d
    pos += 12 + n
w, h, depth, ctype, _, _, _ = ihdr
ch = {0: 1, 2: 3}[ctype]
raw = zlib.decompress(idat)
rows = [raw[y*(w*ch+1):(y+1)*(w*ch+1)] for y in range(h)]
assert all(r[0] == 0 for r in rows), "filter"
print(json.dumps({"w": w, "h": h, "depth": depth, "ctype": ctype, "types": types,
  "pixels": [v for r in rows for v in r[1:]]}))
`;
  const child = new Deno.Command("python3", {
    args: ["-c", script],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(png);
  await writer.close();
  const out = await child.output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

Deno.test("encodePng() writes 8-bit grey that decodes to the same pixels", async () => {
  const pixels = Uint8Array.from({ length: 5 * 3 }, (_, i) => i * 17);
  const got = await decodeWithPython(encodePng(5, 3, 1, pixels));
  assertEquals(got.w, 5);
  assertEquals(got.h, 3);
  assertEquals(got.depth, 8);
  assertEquals(got.ctype, 0);
  assertEquals(got.types, ["IHDR", "IDAT", "IEND"]);
  assertEquals(got.pixels, [...pixels]);
});

Deno.test("encodePng() writes 8-bit RGB that decodes to the same pixels", async () => {
  const pixels = Uint8Array.from({ length: 4 * 2 * 3 }, (_, i) => 255 - i * 9);
  const got = await decodeWithPython(encodePng(4, 2, 3, pixels));
  assertEquals([got.w, got.h, got.depth, got.ctype], [4, 2, 8, 2]);
  assertEquals(got.pixels, [...pixels]);
});

Deno.test("encodePng() output is read by ImageMagick", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/x.png`;
    await Deno.writeFile(path, encodePng(7, 9, 3, new Uint8Array(7 * 9 * 3)));
    const out = await new Deno.Command("identify", {
      args: ["-format", "%w %h %z", path],
      stdout: "piped",
    }).output();
    assertEquals(new TextDecoder().decode(out.stdout), "7 9 8");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("encodePng() rejects pixels that do not fit the size", () => {
  assertThrows(
    () => encodePng(2, 2, 3, new Uint8Array(11)),
    RangeError,
    "11 bytes of pixels",
  );
  assertThrows(
    () => encodePng(0, 2, 1, new Uint8Array(0)),
    RangeError,
    "width",
  );
});

Deno.test("crc32() gives the standard check value", () => {
  // The CRC-32 of "123456789" is 0xCBF43926 (the catalogue's check value).
  assertEquals(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
});
