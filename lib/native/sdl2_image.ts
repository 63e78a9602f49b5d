/**
 * A small binding to the system's SDL2_image: decodes PNG, JPEG and BMP files
 * held in memory to RGBA pixels.
 *
 * The library is opened on first use, not on import (lib/native/library.ts):
 * from the path in `MNIST_SDL2_IMAGE_PATH` when it is set, else by this
 * system's names for it (`libSDL2_image-2.0.so.0` on Linux).
 * It makes SDL surfaces, so SDL2 (lib/native/sdl2.ts) loads with it; no SDL
 * subsystem is initialised and no display is needed.
 *
 * Decoding trusts the size in the file's header: check it first
 * (lib/data/image_file.ts) so that a crafted file cannot make the decoder
 * allocate gigabytes. Check a PNG whole there too: libpng prints its own
 * errors and warnings on stderr.
 *
 * @module
 */
import { LIBRARIES, openLibrary } from "./library.ts";
import { decodeSurface, type RgbaImage, SdlError } from "./sdl2.ts";

export type { RgbaImage };

/** SDL2_image's name and override variable (MNIST_SDL2_IMAGE_PATH). */
export const SDL2_IMAGE = LIBRARIES.SDL2_image;

/** Environment variable that overrides the path of the SDL2_image library. */
export const SDL2_IMAGE_PATH_ENV = SDL2_IMAGE.envVar;

const IMG_SYMBOLS = {
  // int IMG_Init(int flags)
  IMG_Init: { parameters: ["i32"], result: "i32" },
  // SDL_Surface *IMG_LoadTyped_RW(SDL_RWops *src, int freesrc, const char *type)
  IMG_LoadTyped_RW: {
    parameters: ["pointer", "i32", "buffer"],
    result: "pointer",
  },
} as const satisfies Deno.ForeignLibraryInterface;

// IMG_InitFlags: the formats with a decoder in a library of their own
// (libjpeg, libpng); BMP is built in.
const IMG_INIT_JPG = 0x1;
const IMG_INIT_PNG = 0x2;

/** The formats decoded, and SDL2_image's name for each (IMG_LoadTyped_RW). */
export type DecodableFormat = "PNG" | "JPEG" | "BMP";
const TYPE_NAMES: Record<DecodableFormat, Uint8Array<ArrayBuffer>> = {
  PNG: new TextEncoder().encode("PNG\0"),
  JPEG: new TextEncoder().encode("JPG\0"),
  BMP: new TextEncoder().encode("BMP\0"),
};

type ImgSymbols = Deno.DynamicLibrary<typeof IMG_SYMBOLS>["symbols"];
let img: ImgSymbols | null = null;

function imgSymbols(): ImgSymbols {
  if (img) return img;
  const symbols = openLibrary(SDL2_IMAGE, IMG_SYMBOLS).symbols;
  const want = IMG_INIT_JPG | IMG_INIT_PNG;
  const got = symbols.IMG_Init(want);
  if ((got & want) !== want) {
    throw new SdlError(
      `SDL2_image cannot decode ${
        (got & IMG_INIT_PNG) ? "JPEG" : "PNG"
      } files (IMG_Init): its libjpeg or libpng is missing`,
    );
  }
  img = symbols;
  return img;
}

/**
 * Decodes the `format` image in `bytes` to RGBA. SDL2_image is told the
 * format, so it tries no other decoder on the bytes. A corrupt file throws an
 * `SdlError` with SDL2_image's reason.
 */
export function decodeImage(
  bytes: Uint8Array<ArrayBuffer>,
  format: DecodableFormat,
): RgbaImage {
  const { IMG_LoadTyped_RW } = imgSymbols();
  const type = TYPE_NAMES[format];
  // freesrc = 1: SDL2_image closes the SDL_RWops, whether it succeeds or not.
  return decodeSurface(
    bytes,
    (rw) => IMG_LoadTyped_RW(rw, 1, type),
    `IMG_LoadTyped_RW(${format})`,
  );
}
