/**
 * Text for the windows: where each system keeps the DejaVu fonts, opening
 * them, and writing a line of text at a point. `TextOptions` says where and
 * how a line goes, for the windows' own drawing (`drawText()`) and for
 * inspect's labels alike.
 *
 * @module
 */
import { posix, win32 } from "node:path";
import { type Align, alignedLeft } from "../image/raster.ts";
import type { Rgb, Window } from "../native/sdl2.ts";
import { Font, Text } from "../native/sdl2_ttf.ts";
import type { FontName, Fonts } from "./fonts.ts";
import { COLOURS } from "./palette.ts";

/** Environment variable naming the one folder to look for the fonts in. */
export const FONT_DIR_ENV = "MNIST_FONT_DIR";
/** Where Debian's fonts-dejavu-core installs the fonts. */
export const DEJAVU_DIR = "/usr/share/fonts/truetype/dejavu";

/** The font faces the windows use. */
export type Face = "regular" | "bold";

/** Each face's file, the same on every system. */
export const FONT_FILES: Record<Face, string> = {
  regular: "DejaVuSans.ttf",
  bold: "DejaVuSans-Bold.ttf",
};

/** Where to look for the fonts, and what to tell the user when they are not there. */
export interface FontPlaces {
  /** The folders to look in, in order. */
  dirs: string[];
  /**
   * The folders a missing-font message names, when not all of `dirs`: on
   * Linux only Debian's, where the package it says to install puts them.
   */
  named?: string[];
  /** The folder `FONT_DIR_ENV` names, when it is set: then the only one. */
  override?: string;
  /** Where the fonts come from on this system, e.g. a package. */
  source: string;
  /** What to do when they are missing. */
  install: string;
  /** The system's way of joining a folder and a file name. */
  join(dir: string, file: string): string;
}

/** The systems with a table of their own; any other looks where Linux does. */
export type FontSystem = "linux" | "darwin" | "windows";

type Env = (name: string) => string | undefined;

/** Each system's font folders, most personal first, and how to install the fonts. */
const SYSTEMS: Record<FontSystem, (env: Env) => Omit<FontPlaces, "override">> =
  {
    // Debian's folder, then where Fedora's dejavu-sans-fonts (and its older
    // dejavu-fonts), Arch's ttf-dejavu and openSUSE's dejavu-fonts put the
    // same files, then the user's own fonts.
    linux: (env) => {
      const home = env("HOME");
      return {
        dirs: [
          DEJAVU_DIR,
          "/usr/share/fonts/dejavu-sans-fonts",
          "/usr/share/fonts/dejavu",
          "/usr/share/fonts/TTF",
          "/usr/share/fonts/truetype",
          ...(home ? [posix.join(home, ".local", "share", "fonts")] : []),
        ],
        named: [DEJAVU_DIR],
        source: "the Debian package fonts-dejavu-core",
        install: "install the Debian package fonts-dejavu-core",
        join: posix.join,
      };
    },
    // Homebrew's font-dejavu cask installs into ~/Library/Fonts.
    darwin: (env) => {
      const home = env("HOME");
      return {
        dirs: [
          ...(home ? [posix.join(home, "Library", "Fonts")] : []),
          "/Library/Fonts",
        ],
        source: "the fonts of Homebrew's font-dejavu",
        install: "install them with Homebrew: brew install --cask font-dejavu",
        join: posix.join,
      };
    },
    // Fonts installed for one user, then for all users.
    windows: (env) => {
      const local = env("LOCALAPPDATA");
      return {
        dirs: [
          ...(local
            ? [win32.join(local, "Microsoft", "Windows", "Fonts")]
            : []),
          "C:\\Windows\\Fonts",
        ],
        source: "the installed DejaVu fonts",
        install:
          "install the DejaVu fonts (https://dejavu-fonts.github.io) for your user or for all users",
        join: win32.join,
      };
    },
  };

/**
 * Where the fonts are looked for on system `os` (as `Deno.build.os` names
 * it), with the environment `env`: the folder `FONT_DIR_ENV` names when it is
 * set, else the system's own folders.
 */
export function fontPlaces(os: string, env: Env): FontPlaces {
  const system = os in SYSTEMS ? os as FontSystem : "linux";
  const places = SYSTEMS[system](env);
  const override = env(FONT_DIR_ENV);
  return override
    ? { ...places, dirs: [override], named: undefined, override }
    : places;
}

/** The message for a face (or a DejaVu font file) found in none of `places`' folders. */
export function missingFontMessage(
  places: FontPlaces,
  face: Face | string,
): string {
  const file = face in FONT_FILES ? FONT_FILES[face as Face] : face;
  if (places.override !== undefined) {
    return `Cannot find the font '${
      places.join(places.override, file)
    }' (${FONT_DIR_ENV} is set to '${places.override}'): point it at a folder with the DejaVu fonts, or unset it to use ${places.source}`;
  }
  const named = places.named ?? places.dirs;
  const where = named.length === 1
    ? `'${places.join(named[0], file)}'`
    : `'${file}' in ${named.join(" or ")}`;
  return `Cannot find the font ${where}: ${places.install}`;
}

/** An environment variable, or undefined where the permissions do not let us read it. */
function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch (e) {
    if (e instanceof Deno.errors.NotCapable) return undefined;
    throw e;
  }
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch (e) {
    if (
      e instanceof Deno.errors.NotFound ||
      e instanceof Deno.errors.NotADirectory
    ) return false;
    throw e;
  }
}

/**
 * The path of a DejaVu face, or of a DejaVu font file by name (e.g.
 * "DejaVuSerif.ttf"), the first found in `places` (by default this system's),
 * or `NotFound` saying how to install it.
 */
export function findFont(
  face: Face | string = "regular",
  places: FontPlaces = fontPlaces(Deno.build.os, readEnv),
): string {
  const file = face in FONT_FILES ? FONT_FILES[face as Face] : face;
  for (const dir of places.dirs) {
    const path = places.join(dir, file);
    if (isFile(path)) return path;
  }
  throw new Deno.errors.NotFound(missingFontMessage(places, face));
}

/** Opens a DejaVu face at `size` points. */
export function openFont(size: number, face: Face = "regular"): Font {
  return new Font(findFont(face), size);
}

/** A line of text ready to draw: what `renderText()` returns. */
export interface TextLine extends Disposable {
  readonly width: number;
  readonly height: number;
  draw(x: number, y: number): void;
}

/**
 * A surface that renders its own text. The windows' views draw through
 * `renderText()`, which uses it where present: a stand-in window that records
 * what is drawn (for tests without a display) provides it.
 */
interface TextSurface {
  text?(font: Font, text: string, rgb: Rgb): TextLine;
}

/** Renders `text` in `font` and colour `rgb` for drawing in `window`. */
export function renderText(
  window: Window,
  font: Font,
  text: string,
  rgb: Rgb,
): TextLine {
  const own = (window as TextSurface).text;
  return own
    ? own.call(window, font, text, rgb)
    : new Text(window, font, text, rgb);
}

/** How a line of text looks: its font, colour and alignment. */
export interface TextStyle {
  /** One of the windows' fonts (default "small"). */
  font?: FontName;
  /** Default `COLOURS.text`. */
  colour?: Rgb;
  /** Which side of the line is at x (default "left"). */
  align?: Align;
}

/** Where a line of text goes, and how it looks. */
export interface TextOptions extends TextStyle {
  /** The line's left, centre or right (see `align`), in pixels. */
  x: number;
  /** The line's top, in pixels. */
  y: number;
}

/** What `TextOptions` leave out stands for. */
export const TEXT_DEFAULTS: Required<TextStyle> = {
  font: "small",
  colour: COLOURS.text,
  align: "left",
};

/** `options` with every default filled in. */
export function textOptions(options: TextOptions): Required<TextOptions> {
  return {
    x: options.x,
    y: options.y,
    font: options.font ?? TEXT_DEFAULTS.font,
    colour: options.colour ?? TEXT_DEFAULTS.colour,
    align: options.align ?? TEXT_DEFAULTS.align,
  };
}

/**
 * Draws one line of text in one of `fonts` as `options` say. Returns the
 * text's width and height in pixels.
 */
export function drawText(
  window: Window,
  fonts: Fonts,
  text: string,
  options: TextOptions,
): { width: number; height: number } {
  const { x, y, font, colour, align } = textOptions(options);
  using t = renderText(window, fonts[font], text, colour);
  t.draw(alignedLeft(x, t.width, align), y);
  return { width: t.width, height: t.height };
}
