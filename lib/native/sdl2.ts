/**
 * A small binding to the system's SDL2: one window with a 2D renderer, filled
 * rectangles, textures, and keyboard, mouse and window events. Text is in
 * lib/native/sdl2_ttf.ts, the binding to SDL2_ttf.
 *
 * The library is opened on first use, not on import (lib/native/library.ts):
 * from the path in `MNIST_SDL2_PATH` when it is set, else by this system's
 * names for it (`libSDL2-2.0.so.0` on Linux).
 *
 * ## Errors
 *
 * What the user can fix is a `UserError`: no display, or one that cannot be
 * opened, is a `DisplayError`; a library that does not load is a
 * `LibraryError`. An SDL call that fails once the window is open is an
 * `SdlError`, an ordinary `Error` whose stack trace is worth keeping: nothing
 * the user did explains it.
 *
 * ## Shutting down
 *
 * `Window.close()` destroys the renderer and the window but this module never
 * calls `SDL_Quit()`; the process exit releases the rest. On X11, SDL 2.26's
 * `SDL_WaitEventTimeout()` dispatches the event that wakes it while it still
 * counts as waiting, so it "wakes itself up" with an `XSendEvent()` of a
 * ClientMessage to the window, on a second X connection (`request_display`),
 * flushed but never synchronised. If the window is destroyed on the main
 * connection before the X server has read that message (more likely the busier
 * the machine), the server answers the message with a `BadWindow` error. The
 * error sits unread in the second connection until `SDL_Quit()` closes it with
 * `XCloseDisplay()`, which reads it and hands it to Xlib's default error
 * handler, and that prints "X Error of failed request: BadWindow" and calls
 * `exit(1)`. Destroying the window touches only the main connection, so it is
 * safe; leaving `SDL_Quit()` to the process exit means the error is never read.
 *
 * @module
 */

import { UserError } from "../errors.ts";
import { LIBRARIES, openLibrary } from "./library.ts";

/** SDL2's name and override variable (MNIST_SDL2_PATH). */
export const SDL2 = LIBRARIES.SDL2;

/** Environment variable that overrides the path of the SDL2 library. */
export const SDL2_PATH_ENV = SDL2.envVar;

const SDL_SYMBOLS = {
  // int SDL_Init(Uint32 flags)
  SDL_Init: { parameters: ["u32"], result: "i32" },
  // SDL_bool SDL_SetHint(const char *name, const char *value)
  SDL_SetHint: { parameters: ["buffer", "buffer"], result: "i32" },
  // const char *SDL_GetError(void)
  SDL_GetError: { parameters: [], result: "pointer" },
  // SDL_Window *SDL_CreateWindow(const char *title, int x, int y, int w, int h, Uint32 flags)
  SDL_CreateWindow: {
    parameters: ["buffer", "i32", "i32", "i32", "i32", "u32"],
    result: "pointer",
  },
  // void SDL_DestroyWindow(SDL_Window *window)
  SDL_DestroyWindow: { parameters: ["pointer"], result: "void" },
  // void SDL_SetWindowTitle(SDL_Window *window, const char *title)
  SDL_SetWindowTitle: { parameters: ["pointer", "buffer"], result: "void" },
  // Uint32 SDL_GetWindowID(SDL_Window *window)
  SDL_GetWindowID: { parameters: ["pointer"], result: "u32" },
  // SDL_Renderer *SDL_CreateRenderer(SDL_Window *window, int index, Uint32 flags)
  SDL_CreateRenderer: {
    parameters: ["pointer", "i32", "u32"],
    result: "pointer",
  },
  // void SDL_DestroyRenderer(SDL_Renderer *renderer)
  SDL_DestroyRenderer: { parameters: ["pointer"], result: "void" },
  // int SDL_SetRenderDrawColor(SDL_Renderer *renderer, Uint8 r, Uint8 g, Uint8 b, Uint8 a)
  SDL_SetRenderDrawColor: {
    parameters: ["pointer", "u8", "u8", "u8", "u8"],
    result: "i32",
  },
  // int SDL_SetRenderDrawBlendMode(SDL_Renderer *renderer, SDL_BlendMode blendMode)
  SDL_SetRenderDrawBlendMode: { parameters: ["pointer", "i32"], result: "i32" },
  // int SDL_RenderClear(SDL_Renderer *renderer)
  SDL_RenderClear: { parameters: ["pointer"], result: "i32" },
  // int SDL_RenderFillRect(SDL_Renderer *renderer, const SDL_Rect *rect)
  SDL_RenderFillRect: { parameters: ["pointer", "buffer"], result: "i32" },
  // void SDL_RenderPresent(SDL_Renderer *renderer)
  SDL_RenderPresent: { parameters: ["pointer"], result: "void" },
  // SDL_Texture *SDL_CreateTextureFromSurface(SDL_Renderer *renderer, SDL_Surface *surface)
  SDL_CreateTextureFromSurface: {
    parameters: ["pointer", "pointer"],
    result: "pointer",
  },
  // void SDL_DestroyTexture(SDL_Texture *texture)
  SDL_DestroyTexture: { parameters: ["pointer"], result: "void" },
  // void SDL_FreeSurface(SDL_Surface *surface)
  SDL_FreeSurface: { parameters: ["pointer"], result: "void" },
  // int SDL_RenderCopy(SDL_Renderer *renderer, SDL_Texture *texture,
  //                    const SDL_Rect *srcrect, const SDL_Rect *dstrect)
  SDL_RenderCopy: {
    parameters: ["pointer", "pointer", "pointer", "buffer"],
    result: "i32",
  },
  // int SDL_WaitEventTimeout(SDL_Event *event, int timeout)
  SDL_WaitEventTimeout: { parameters: ["buffer", "i32"], result: "i32" },
  // int SDL_PollEvent(SDL_Event *event)
  SDL_PollEvent: { parameters: ["buffer"], result: "i32" },

  // Streaming textures (PixelTexture).
  // SDL_Texture *SDL_CreateTexture(SDL_Renderer *renderer, Uint32 format,
  //                                int access, int w, int h)
  SDL_CreateTexture: {
    parameters: ["pointer", "u32", "i32", "i32", "i32"],
    result: "pointer",
  },
  // int SDL_UpdateTexture(SDL_Texture *texture, const SDL_Rect *rect,
  //                       const void *pixels, int pitch)
  SDL_UpdateTexture: {
    parameters: ["pointer", "buffer", "buffer", "i32"],
    result: "i32",
  },

  // Surfaces in memory (decodeSurface, for SDL2_image).
  // SDL_RWops *SDL_RWFromConstMem(const void *mem, int size)
  SDL_RWFromConstMem: { parameters: ["buffer", "i32"], result: "pointer" },
  // SDL_Surface *SDL_ConvertSurfaceFormat(SDL_Surface *src, Uint32 pixel_format,
  //                                       Uint32 flags)
  SDL_ConvertSurfaceFormat: {
    parameters: ["pointer", "u32", "u32"],
    result: "pointer",
  },
} as const satisfies Deno.ForeignLibraryInterface;

// SDL_Init flags.
const SDL_INIT_VIDEO = 0x20;
// SDL_CreateWindow position and flags.
const SDL_WINDOWPOS_UNDEFINED = 0x1fff0000;
const SDL_WINDOW_SHOWN = 0x4;
// SDL_CreateRenderer flags.
const SDL_RENDERER_SOFTWARE = 0x1;
// SDL_BlendMode
const SDL_BLENDMODE_NONE = 0;
const SDL_BLENDMODE_BLEND = 1;

// SDL_PixelFormatEnum: 32-bit pixels 0xAARRGGBB in native byte order.
const SDL_PIXELFORMAT_ARGB8888 = 0x16362004;
// SDL_TextureAccess: changes often, written with SDL_UpdateTexture.
const SDL_TEXTUREACCESS_STREAMING = 1;

// SDL_EventType values.
const SDL_QUIT = 0x100;
const SDL_WINDOWEVENT = 0x200;
const SDL_KEYDOWN = 0x300;
const SDL_KEYUP = 0x301;
const SDL_MOUSEMOTION = 0x400;
const SDL_MOUSEBUTTONDOWN = 0x401;
const SDL_MOUSEBUTTONUP = 0x402;
// SDL_WindowEventID values.
const SDL_WINDOWEVENT_CLOSE = 14;

/**
 * sizeof(SDL_Event) on every platform SDL2 supports: a union padded to 56 bytes.
 * The offsets below are those of the x86-64 / aarch64 ABI (SDL_events.h):
 *   all events:          Uint32 type @0, Uint32 timestamp @4, Uint32 windowID @8
 *   SDL_WindowEvent:     Uint8 event @12, Sint32 data1 @16, Sint32 data2 @20
 *   SDL_KeyboardEvent:   Uint8 state @12, Uint8 repeat @13, SDL_Keysym keysym @16
 *     SDL_Keysym:        SDL_Scancode scancode @16, SDL_Keycode sym @20, Uint16 mod @24
 *   SDL_MouseMotionEvent: Uint32 which @12, Uint32 state @16, Sint32 x @20, Sint32 y @24
 *   SDL_MouseButtonEvent: Uint32 which @12, Uint8 button @16, Uint8 state @17,
 *                         Uint8 clicks @18, Sint32 x @20, Sint32 y @24
 */
export const SDL_EVENT_SIZE = 56;
const EV_TYPE = 0;
const EV_WINDOW_ID = 8;
const EV_WINDOW_EVENT = 12;
const EV_KEY_REPEAT = 13;
const EV_KEY_SYM = 20;
const EV_KEY_MOD = 24;
const EV_MOTION_STATE = 16;
const EV_BUTTON = 16;
const EV_X = 20;
const EV_Y = 24;

// SDL_Surface fields we read: int w @16, int h @20.
const SURFACE_W = 16;
const SURFACE_H = 20;

/** An image decoded to 8-bit RGBA: `width * height * 4` bytes, row-major. */
export interface RgbaImage {
  width: number;
  height: number;
  /** R, G, B, A bytes of each pixel. */
  data: Uint8Array;
}

// SDL_PixelFormatEnum: bytes R, G, B, A in memory on little-endian machines.
const SDL_PIXELFORMAT_ABGR8888 = 0x16762004;
// SDL_Surface fields (x86-64 / aarch64): int pitch @24, void *pixels @32.
const SURFACE_PITCH = 24;
const SURFACE_PIXELS = 32;

/**
 * For the bindings of libraries that make SDL surfaces (SDL2_image): makes an
 * SDL_RWops that reads `bytes`, passes it to `load`, which must return a new
 * surface (or null, with SDL's error set) and free the SDL_RWops, then copies
 * the surface's pixels out as RGBA and frees it. `call` names `load` in errors.
 * The pointers never leave the bindings.
 */
export function decodeSurface(
  bytes: Uint8Array<ArrayBuffer>,
  load: (rw: Deno.PointerObject) => Deno.PointerValue,
  call: string,
): RgbaImage {
  const s = sdlSymbols();
  const rw = s.SDL_RWFromConstMem(bytes, bytes.length);
  if (rw === null) _throwSdlError("SDL_RWFromConstMem");
  return _rgbaOfSurface(load(rw), call);
}

/**
 * For the bindings: the pixels of `surface` (made by `call`, which failed
 * when it is null) as RGBA; the surface is freed.
 */
export function _rgbaOfSurface(
  surface: Deno.PointerValue,
  call: string,
): RgbaImage {
  const s = sdlSymbols();
  if (surface === null) _throwSdlError(call);
  const rgba = s.SDL_ConvertSurfaceFormat(
    surface,
    SDL_PIXELFORMAT_ABGR8888,
    0,
  );
  s.SDL_FreeSurface(surface);
  if (rgba === null) _throwSdlError("SDL_ConvertSurfaceFormat");
  try {
    const view = new Deno.UnsafePointerView(rgba);
    const width = view.getInt32(SURFACE_W);
    const height = view.getInt32(SURFACE_H);
    const pitch = view.getInt32(SURFACE_PITCH);
    const pixels = Deno.UnsafePointer.create(
      view.getBigUint64(SURFACE_PIXELS),
    );
    if (pixels === null) {
      throw new SdlError(`${call} gave a surface without pixels`);
    }
    const rowBytes = width * 4;
    const data = new Uint8Array(rowBytes * height);
    const src = new Deno.UnsafePointerView(pixels);
    if (pitch === rowBytes) {
      src.copyInto(data, 0);
    } else {
      for (let y = 0; y < height; y++) {
        src.copyInto(
          data.subarray(y * rowBytes, (y + 1) * rowBytes),
          y * pitch,
        );
      }
    }
    return { width, height, data };
  } finally {
    s.SDL_FreeSurface(rgba);
  }
}

/** Key codes (SDL_Keycode) of the keys the scripts use. */
export const Key = {
  BACKSPACE: 8,
  TAB: 9,
  RETURN: 13,
  ESCAPE: 27,
  SPACE: 32,
  /** Digits are their ASCII codes: `Key.DIGIT_0 + n`. */
  DIGIT_0: 48,
  C: 99,
  E: 101,
  Q: 113,
  W: 119,
  // Keys without a character are SDL_SCANCODE_X | (1 << 30).
  HOME: 74 | 1 << 30,
  PAGE_UP: 75 | 1 << 30,
  END: 77 | 1 << 30,
  PAGE_DOWN: 78 | 1 << 30,
  RIGHT: 79 | 1 << 30,
  LEFT: 80 | 1 << 30,
  DOWN: 81 | 1 << 30,
  UP: 82 | 1 << 30,
  /** Keypad digits 1-9 are KP_1 + n - 1; keypad 0 comes after 9. */
  KP_1: 89 | 1 << 30,
  KP_0: 98 | 1 << 30,
} as const;

/** Modifier bits (SDL_Keymod) of key events. */
export const Mod = { SHIFT: 0x0003, CTRL: 0x00c0, ALT: 0x0300 } as const;

/** Mouse buttons, and their bits in `MouseMotion.buttons`: `1 << (button - 1)`. */
export const MouseButton = { LEFT: 1, MIDDLE: 2, RIGHT: 3 } as const;

/** An event from `Window.waitEvent()`. */
export type SdlEvent =
  /** The window was closed, or the process was asked to quit (Ctrl+C). */
  | { type: "quit" }
  /** The window was shown, exposed, moved or resized: draw it again. */
  | { type: "window" }
  | { type: "keydown" | "keyup"; key: number; mod: number; repeat: boolean }
  | {
    type: "mousedown" | "mouseup";
    button: number;
    x: number;
    y: number;
  }
  | { type: "mousemove"; x: number; y: number; buttons: number };

/**
 * An SDL or SDL_ttf call that failed where nothing the user did explains it
 * (see "Errors" in the module notes), or a closed window or texture used.
 */
export class SdlError extends Error {
  override name = "SdlError";
}

/** No display to open a window on, or one that cannot be opened. */
export class DisplayError extends UserError {}

type SdlSymbols = Deno.DynamicLibrary<typeof SDL_SYMBOLS>["symbols"];

let sdl: SdlSymbols | null = null;
let videoReady = false;

function sdlSymbols(): SdlSymbols {
  sdl ??= openLibrary(SDL2, SDL_SYMBOLS).symbols;
  return sdl;
}

/**
 * Loads SDL2, for the binding files beside this one: libraries such as
 * SDL2_ttf report their errors through SDL_GetError().
 */
export function _loadSdl(): void {
  sdlSymbols();
}

/**
 * The text of SDL_GetError(): SDL's and SDL_ttf's explanation of the last
 * failure. For the binding files beside this one.
 */
export function _sdlErrorText(): string {
  const ptr = sdl?.SDL_GetError();
  return ptr ? Deno.UnsafePointerView.getCString(ptr) : "";
}

/**
 * Throws an `SdlError` for a failed `call`, with SDL's own explanation. For
 * the binding files beside this one, which report through SDL_GetError too.
 */
export function _throwSdlError(call: string): never {
  const why = _sdlErrorText();
  throw new SdlError(`${call} failed${why ? `: ${why}` : ""}`);
}

/** Checks the status an SDL call returned: negative means it failed. */
function check(status: number, call: string): void {
  if (status < 0) _throwSdlError(call);
}

const encoder = new TextEncoder();
/**
 * A NUL-terminated UTF-8 copy of `s`, for `const char *` parameters. For the
 * binding files beside this one.
 */
export function _cString(s: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(encoder.encode(s).length + 1);
  encoder.encodeInto(s, bytes);
  return bytes;
}

/**
 * Initialises SDL's video subsystem once. Without DISPLAY or WAYLAND_DISPLAY it
 * does not try: SDL would go on to probe the console's graphics devices.
 */
function initVideo(): SdlSymbols {
  const s = sdlSymbols();
  if (videoReady) return s;
  const x11 = Deno.env.get("DISPLAY");
  const display = x11 || Deno.env.get("WAYLAND_DISPLAY");
  if (!display) {
    throw new DisplayError(
      "No display: neither DISPLAY nor WAYLAND_DISPLAY is set (without a screen, run it under a virtual one: xvfb-run -a deno task ...)",
    );
  }
  // The display the environment names, and no other: when it cannot be opened,
  // SDL would otherwise carry on with a driver that shows nothing (an
  // SDL_VIDEODRIVER environment variable still wins over this hint).
  s.SDL_SetHint(_cString("SDL_VIDEODRIVER"), _cString(x11 ? "x11" : "wayland"));
  // Draw the software renderer's pixels straight into the window (XShm on X11).
  // By default SDL would back them with an OpenGL texture, and to get an
  // OpenGL window it destroys the X window it made and creates another.
  s.SDL_SetHint(_cString("SDL_FRAMEBUFFER_ACCELERATION"), _cString("0"));
  if (s.SDL_Init(SDL_INIT_VIDEO) < 0) {
    const why = _sdlErrorText();
    throw new DisplayError(
      `Cannot open the display '${display}'${why ? ` (${why})` : ""}`,
    );
  }
  videoReady = true;
  return s;
}

/** A colour as 0xRRGGBB. */
export type Rgb = number;

// Keys to a window's native renderer and its texture drawing. Not exported,
// so the pointers stay inside this module.
const RENDERER = Symbol("renderer");
const COPY = Symbol("copy");
const FROM_SURFACE = Symbol("fromSurface");

/**
 * A texture of one window made from an image (an SDL_Surface) another binding
 * rendered, e.g. text from SDL2_ttf: ready to draw, at the image's size.
 */
export class Texture {
  #texture: Deno.PointerValue;
  readonly #window: Window;
  /** Size in pixels. */
  readonly width: number;
  readonly height: number;

  /** Use `_textureFromSurface()` or `PixelTexture`: the texture is a native pointer. */
  protected constructor(
    window: Window,
    texture: Deno.PointerValue,
    width: number,
    height: number,
  ) {
    this.#window = window;
    this.#texture = texture;
    this.width = width;
    this.height = height;
  }

  /** See `_textureFromSurface()`. */
  static [FROM_SURFACE](window: Window, surface: Deno.PointerValue): Texture {
    const s = sdl!;
    const view = new Deno.UnsafePointerView(surface!);
    const width = view.getInt32(SURFACE_W);
    const height = view.getInt32(SURFACE_H);
    let texture: Deno.PointerValue = null;
    try {
      texture = s.SDL_CreateTextureFromSurface(window[RENDERER], surface);
    } finally {
      s.SDL_FreeSurface(surface);
    }
    if (texture === null) _throwSdlError("SDL_CreateTextureFromSurface");
    return new Texture(window, texture, width, height);
  }

  /** The native texture, for the kinds of texture below; throws once closed. */
  protected get handle(): NonNullable<Deno.PointerValue> {
    if (this.#texture === null) throw new SdlError("The texture is closed");
    return this.#texture;
  }

  /** Draws the texture stretched to `w` x `h` at (x, y); by default at its own size. */
  draw(x: number, y: number, w = this.width, h = this.height): void {
    this.#window[COPY](this.handle, x, y, w, h);
  }

  /** Frees the texture; later calls do nothing. */
  close(): void {
    if (this.#texture !== null && this.#window.isOpen) {
      sdl!.SDL_DestroyTexture(this.#texture);
    }
    this.#texture = null;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * For the binding files beside this one: a texture of `window` made from
 * `surface` (an SDL_Surface they rendered), which is freed, whether or not the
 * texture could be made.
 */
export function _textureFromSurface(
  window: Window,
  surface: Deno.PointerValue,
): Texture {
  return Texture[FROM_SURFACE](window, surface);
}

/**
 * A texture of one window that the program writes pixels into, e.g. a canvas
 * being drawn on. Pixels are 32-bit 0xAARRGGBB values (`argb()` makes one) in
 * a `Uint32Array` of `width * height`, row-major, which the caller keeps; only
 * the rectangle that changed needs to be sent again.
 */
export class PixelTexture extends Texture {
  // The SDL_Rect { int x, y, w, h } of update(), reused by every call.
  readonly #rect = new Int32Array(4);

  /** A `width` x `height` texture for drawing in `window`; its pixels start undefined. */
  constructor(window: Window, width: number, height: number) {
    if (!Number.isInteger(width) || !Number.isInteger(height)) {
      throw new RangeError(
        `A texture is whole pixels, got ${width}x${height}`,
      );
    }
    if (width < 1 || height < 1) {
      throw new RangeError(`A texture is at least 1x1, got ${width}x${height}`);
    }
    const texture = sdl!.SDL_CreateTexture(
      window[RENDERER],
      SDL_PIXELFORMAT_ARGB8888,
      SDL_TEXTUREACCESS_STREAMING,
      width,
      height,
    );
    if (texture === null) _throwSdlError("SDL_CreateTexture");
    super(window, texture, width, height);
  }

  /**
   * Sends the pixels of `rect` (all of them when `null`) from `pixels`, an
   * image of exactly this texture's size, to the texture.
   */
  update(
    rect: { x: number; y: number; width: number; height: number } | null,
    pixels: Uint32Array,
  ): void {
    const handle = this.handle;
    const w = this.width;
    if (pixels.length !== w * this.height) {
      throw new RangeError(
        `PixelTexture.update: ${pixels.length} pixels, a ${w}x${this.height} texture has ${
          w * this.height
        }`,
      );
    }
    const r = this.#rect;
    r[0] = rect ? rect.x : 0;
    r[1] = rect ? rect.y : 0;
    r[2] = rect ? rect.width : w;
    r[3] = rect ? rect.height : this.height;
    if (
      r[0] < 0 || r[1] < 0 || r[2] < 1 || r[3] < 1 || r[0] + r[2] > w ||
      r[1] + r[3] > this.height
    ) {
      throw new RangeError(
        `PixelTexture.update: rectangle ${r[2]}x${r[3]} at (${r[0]}, ${
          r[1]
        }) is not inside ${w}x${this.height}`,
      );
    }
    // SDL reads `rect.h` rows of `rect.w` pixels from the rectangle's first
    // pixel, one row every `pitch` bytes: the full image's row length.
    check(
      sdl!.SDL_UpdateTexture(
        handle,
        r,
        pixels.subarray(r[1] * w + r[0]),
        w * 4,
      ),
      "SDL_UpdateTexture",
    );
  }
}

/** Hints (SDL_hints.h) for `setHint()`. */
export const Hint = {
  /**
   * "1": a click that gives a window the focus also reaches the window. By
   * default SDL drops a button press that comes within 10 ms of the focus,
   * which loses the start of a stroke into a window that was not focused.
   */
  MOUSE_FOCUS_CLICKTHROUGH: "SDL_MOUSE_FOCUS_CLICKTHROUGH",
} as const;

/**
 * Sets an SDL hint, a setting read when the behaviour it changes happens;
 * set it before opening the window. Returns false when SDL refused it.
 */
export function setHint(name: string, value: string): boolean {
  return sdlSymbols().SDL_SetHint(_cString(name), _cString(value)) !== 0;
}

/** An opaque `PixelTexture` pixel of colour `rgb`. */
export function argb(rgb: Rgb): number {
  return (0xff000000 | rgb) >>> 0;
}

/**
 * Frees a texture of `window`, unless it is already freed: `null`, or the
 * window is closed (destroying its renderer freed all its textures).
 */
/** A window with a 2D renderer, and the events sent to it. */
export class Window {
  #window: Deno.PointerValue;
  #renderer: Deno.PointerValue;
  #id: number;
  // One SDL_Rect { int x, y, w, h } and one SDL_Event, reused by every call.
  readonly #rect = new Int32Array(4);
  readonly #event = new Uint8Array(SDL_EVENT_SIZE);
  readonly #view = new DataView(this.#event.buffer);

  /** Opens a window of `width` x `height` pixels, shown at once. */
  constructor(title: string, width: number, height: number) {
    const s = initVideo();
    this.#window = s.SDL_CreateWindow(
      _cString(title),
      SDL_WINDOWPOS_UNDEFINED,
      SDL_WINDOWPOS_UNDEFINED,
      width,
      height,
      SDL_WINDOW_SHOWN,
    );
    if (this.#window === null) _throwSdlError("SDL_CreateWindow");
    this.#id = s.SDL_GetWindowID(this.#window);
    // The software renderer: rectangles and a little text need no GPU, it
    // starts at once, and unlike the OpenGL one it keeps the X window it was
    // given instead of replacing it with a new one.
    this.#renderer = s.SDL_CreateRenderer(
      this.#window,
      -1,
      SDL_RENDERER_SOFTWARE,
    );
    if (this.#renderer === null) {
      const error = _sdlErrorText();
      s.SDL_DestroyWindow(this.#window);
      this.#window = null;
      throw new SdlError(`SDL_CreateRenderer failed: ${error}`);
    }
  }

  get #r(): Deno.PointerValue {
    if (this.#renderer === null) throw new SdlError("The window is closed");
    return this.#renderer;
  }

  /** True until `close()`. */
  get isOpen(): boolean {
    return this.#window !== null;
  }

  /** Sets the window's title. */
  setTitle(title: string): void {
    if (this.#window === null) throw new SdlError("The window is closed");
    sdl!.SDL_SetWindowTitle(this.#window, _cString(title));
  }

  /** Sets the colour of later `clear()` and `fillRect()` calls; `alpha` < 255 blends. */
  setColour(rgb: Rgb, alpha = 255): void {
    const s = sdl!;
    const r = this.#r;
    check(
      s.SDL_SetRenderDrawBlendMode(
        r,
        alpha < 255 ? SDL_BLENDMODE_BLEND : SDL_BLENDMODE_NONE,
      ),
      "SDL_SetRenderDrawBlendMode",
    );
    check(
      s.SDL_SetRenderDrawColor(
        r,
        rgb >> 16 & 255,
        rgb >> 8 & 255,
        rgb & 255,
        alpha,
      ),
      "SDL_SetRenderDrawColor",
    );
  }

  /** Fills the whole window with the current colour. */
  clear(): void {
    check(sdl!.SDL_RenderClear(this.#r), "SDL_RenderClear");
  }

  /** Fills a rectangle with the current colour. */
  fillRect(x: number, y: number, w: number, h: number): void {
    const rect = this.#rect;
    rect[0] = x;
    rect[1] = y;
    rect[2] = w;
    rect[3] = h;
    check(sdl!.SDL_RenderFillRect(this.#r, rect), "SDL_RenderFillRect");
  }

  get [RENDERER](): Deno.PointerValue {
    return this.#r;
  }

  [COPY](
    texture: Deno.PointerValue,
    x: number,
    y: number,
    w: number,
    h: number,
  ): void {
    const rect = this.#rect;
    rect[0] = x;
    rect[1] = y;
    rect[2] = w;
    rect[3] = h;
    check(sdl!.SDL_RenderCopy(this.#r, texture, null, rect), "SDL_RenderCopy");
  }

  /** Shows what was drawn since the last `present()`. */
  present(): void {
    sdl!.SDL_RenderPresent(this.#r);
  }

  /**
   * Waits up to `timeoutMs` milliseconds (-1: for ever, 0: not at all) for an
   * event and returns it, or `null` when none came. The wait sleeps in the
   * kernel, so an idle window costs no CPU.
   */
  waitEvent(timeoutMs = -1): SdlEvent | null {
    const s = sdl!;
    if (this.#window === null) throw new SdlError("The window is closed");
    for (;;) {
      const got = timeoutMs === 0
        ? s.SDL_PollEvent(this.#event)
        : s.SDL_WaitEventTimeout(this.#event, timeoutMs);
      if (got === 0) return null;
      const event = this.#decode();
      if (event) return event;
      // An event this binding does not report (e.g. text input): wait on, but
      // never longer than asked, so only poll for the rest of the time.
      if (timeoutMs > 0) timeoutMs = 0;
    }
  }

  /** Reads the event in the buffer; `null` for types this binding ignores. */
  #decode(): SdlEvent | null {
    const v = this.#view;
    const type = v.getUint32(EV_TYPE, true);
    if (type === SDL_QUIT) return { type: "quit" };
    // Every other event we report belongs to a window: ignore other windows'.
    if (v.getUint32(EV_WINDOW_ID, true) !== this.#id) return null;
    switch (type) {
      case SDL_WINDOWEVENT:
        return v.getUint8(EV_WINDOW_EVENT) === SDL_WINDOWEVENT_CLOSE
          ? { type: "quit" }
          : { type: "window" };
      case SDL_KEYDOWN:
      case SDL_KEYUP:
        return {
          type: type === SDL_KEYDOWN ? "keydown" : "keyup",
          key: v.getInt32(EV_KEY_SYM, true),
          mod: v.getUint16(EV_KEY_MOD, true),
          repeat: v.getUint8(EV_KEY_REPEAT) !== 0,
        };
      case SDL_MOUSEMOTION:
        return {
          type: "mousemove",
          x: v.getInt32(EV_X, true),
          y: v.getInt32(EV_Y, true),
          buttons: v.getUint32(EV_MOTION_STATE, true),
        };
      case SDL_MOUSEBUTTONDOWN:
      case SDL_MOUSEBUTTONUP:
        return {
          type: type === SDL_MOUSEBUTTONDOWN ? "mousedown" : "mouseup",
          button: v.getUint8(EV_BUTTON),
          x: v.getInt32(EV_X, true),
          y: v.getInt32(EV_Y, true),
        };
      default:
        return null;
    }
  }

  /**
   * Destroys the renderer and the window; later calls do nothing. SDL itself
   * stays initialised until the process exits (see the module notes).
   */
  close(): void {
    const s = sdl!;
    if (this.#renderer !== null) {
      s.SDL_DestroyRenderer(this.#renderer);
      this.#renderer = null;
    }
    if (this.#window !== null) {
      s.SDL_DestroyWindow(this.#window);
      this.#window = null;
    }
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
