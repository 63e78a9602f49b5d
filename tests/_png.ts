/**
 * PNG files read back independently of the project's encoder: by Python's
 * zlib, chunk CRCs checked, for tests of the pictures the tasks write.
 *
 * @module
 */

/** Width, height, bit depth, colour type and pixels of a PNG, read by Python's zlib. */
export async function readPng(path: string) {
  const script = `
import sys, struct, zlib, json
b = open(sys.argv[1], "rb").read()
assert b[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
pos, idat = 8, b""
while pos < len(b):
    n, = struct.unpack(">I", b[pos:pos+4]); t = b[pos+4:pos+8]; d = b[pos+8:pos+8+n]
    assert zlib.crc32(t + d) == struct.unpack(">I", b[pos+8+n:pos+12+n])[0]
    if t == b"IHDR": w, h, depth, ctype = struct.unpack(">IIBB", d[:10])
    if t == b"IDAT": idat += d
    pos += 12 + n
ch = {0: 1, 2: 3}[ctype]
raw = zlib.decompress(idat)
px = [v for y in range(h) for v in raw[y*(w*ch+1)+1:(y+1)*(w*ch+1)]]
print(json.dumps({"w": w, "h": h, "depth": depth, "ctype": ctype, "pixels": px}))
`;
  const out = await new Deno.Command("python3", {
    args: ["-c", script, path],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout));
}
