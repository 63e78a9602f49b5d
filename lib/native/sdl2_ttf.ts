/**
 * A small binding to the system's SDL2_ttf: TrueType fonts, and lines of text
 * rendered into textures of an SDL2 window (lib/native/sdl2.ts).
 *
 * The library is opened on first use, not on import (lib/native/library.ts):
 * from the path in `MNIST_SDL2_TTF_PATH` when it is set, else by this system's
 * names for it (`libSDL2_ttf-2.0.so.0` on Linux). SDL2_ttf reports its errors through SDL2's
 * SDL_GetError(), so SDL2 loads with it.
 *
 * A font file that cannot be opened is a `FontError`, the user's to fix; other
 * failures are `SdlError`s, as in sdl2.ts.
 *
 * @module
 */
import { UserError } from "../errors.ts";
import { LIBRARIES, openLibrary } from "./library.ts";
import {
  _cString,
  _loadSdl,
  _rgbaOfSurface,
  _sdlErrorText,
  _textureFromSurface,
  _throwSdlError,
  type Rgb,
  SdlError,
  type Texture,
  type Window,
} from "./sdl2.ts";

/** SDL2_ttf's name and override variable (MNIST_SDL2_TTF_PATH). */
export const SDL2_TTF = LIBRARIES.SDL2_ttf;

/** Environment variable that overrides the path of the SDL2_ttf library. */
export const SDL2_TTF_PATH_ENV = SDL2_TTF.envVar;

const SYMBOLS = {
  // int TTF_Init(void)
  TTF_Init: { parameters: [], result: "i32" },
  // TTF_Font *TTF_OpenFont(const char *file, int ptsize)
  TTF_OpenFont: {
    parameters: [
      "buffer", // file
      "i32", // ptsize
    ],
    result: "pointer",
  },
  // void TTF_CloseFont(TTF_Font *font)
  TTF_CloseFont: { parameters: ["pointer"], result: "void" },
  // int TTF_GlyphIsProvided32(TTF_Font *font, Uint32 ch)
  TTF_GlyphIsProvided32: {
    parameters: [
      "pointer", // font
      "u32", // ch
    ],
    result: "i32",
  },
  // SDL_Surface *TTF_RenderUTF8_Blended(TTF_Font *font, const char *text, SDL_Color fg)
  TTF_RenderUTF8_Blended: {
    parameters: [
      "pointer", // font
      "buffer", // text
      { struct: ["u8", "u8", "u8", "u8"] }, // fg: SDL_Color { r, g, b, a }, by value
    ],
    result: "pointer",
  },
} as const satisfies Deno.ForeignLibraryInterface;

type TtfSymbols = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

let ttf: TtfSymbols | null = null;
let ready = false;

/** Loads SDL2 and SDL2_ttf and initialises SDL2_ttf, once. */
function initTtf(): TtfSymbols {
  if (!ttf) {
    _loadSdl();
    ttf = openLibrary(SDL2_TTF, SYMBOLS).symbols;
  }
  if (!ready) {
    if (ttf.TTF_Init() < 0) _throwSdlError("TTF_Init");
    ready = true;
  }
  return ttf;
}

/** A font file that SDL2_ttf cannot open: missing, unreadable or no font. */
export class FontError extends UserError {}

// Key to a font's native handle. Not exported, so the pointer stays here.
const HANDLE = Symbol("handle");

/** A TrueType font at one size. */
export class Font {
  #font: Deno.PointerValue;
  /** The font file. */
  readonly path: string;
  /** Size in points (pixels at 72 dpi). */
  readonly size: number;

  /** Opens the font file `path` at `size` points. */
  constructor(path: string, size: number) {
    const t = initTtf();
    this.#font = t.TTF_OpenFont(_cString(path), size);
    if (this.#font === null) {
      const why = _sdlErrorText();
      throw new FontError(
        `Cannot open the font '${path}'${why ? `: ${why}` : ""}`,
      );
    }
    this.path = path;
    this.size = size;
  }

  get [HANDLE](): Deno.PointerValue {
    if (this.#font === null) throw new SdlError("The font is closed");
    return this.#font;
  }

  /** Closes the font; later calls do nothing. */
  close(): void {
    if (this.#font !== null) {
      ttf!.TTF_CloseFont(this.#font);
      this.#font = null;
    }
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

const colour = new Uint8Array(4);

/** Whether `font` has a glyph of its own for the character `ch` (a code point). */
export function hasGlyph(font: Font, ch: number): boolean {
  return initTtf().TTF_GlyphIsProvided32(font[HANDLE], ch) !== 0;
}

/** A line of text as ink: its coverage of each pixel, 0 to 255. */
export interface TextInk {
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * Renders `text` in `font` into memory, anti-aliased, as the ink it lays on
 * each pixel (0 = none, 255 = full): no window is needed.
 */
export function renderInk(font: Font, text: string): TextInk {
  const t = initTtf();
  colour.fill(255);
  const { width, height, data } = _rgbaOfSurface(
    t.TTF_RenderUTF8_Blended(font[HANDLE], _cString(text), colour),
    "TTF_RenderUTF8_Blended",
  );
  const ink = new Uint8Array(width * height);
  for (let i = 0; i < ink.length; i++) ink[i] = data[4 * i + 3];
  return { width, height, data: ink };
}

/** A line of text rendered into a texture of one window, ready to draw. */
export class Text {
  readonly #texture: Texture;
  /** Size in pixels. */
  readonly width: number;
  readonly height: number;

  /** Renders `text` in `font` and colour `rgb` for drawing in `window`. */
  constructor(window: Window, font: Font, text: string, rgb: Rgb) {
    const t = initTtf();
    colour[0] = rgb >> 16 & 255;
    colour[1] = rgb >> 8 & 255;
    colour[2] = rgb & 255;
    colour[3] = 255;
    // TTF renders nothing for an empty string; a space keeps the height.
    const surface = t.TTF_RenderUTF8_Blended(
      font[HANDLE],
      _cString(text === "" ? " " : text),
      colour,
    );
    if (surface === null) _throwSdlError("TTF_RenderUTF8_Blended");
    this.#texture = _textureFromSurface(window, surface);
    this.width = this.#texture.width;
    this.height = this.#texture.height;
  }

  /** Draws the text with its top-left corner at (x, y). */
  draw(x: number, y: number): void {
    this.#texture.draw(x, y);
  }

  /** Frees the texture; later calls do nothing. */
  close(): void {
    this.#texture.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
