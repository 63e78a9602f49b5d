/**
 * Text in the windows without a display: where each system's fonts are
 * looked for, the message when they are missing, and one line of text placed
 * as its options say (drawn into a `FakeWindow`).
 */
import {
  DEJAVU_DIR,
  drawText,
  findFont,
  FONT_DIR_ENV,
  fontPlaces,
  missingFontMessage,
  TEXT_DEFAULTS,
  textOptions,
} from "../lib/ui/text.ts";
import { COLOURS } from "../lib/ui/palette.ts";
import { FONT_SPECS } from "../lib/ui/fonts.ts";
import { assertEquals, assertThrows } from "./_assert.ts";
import { fakeFonts, FakeWindow } from "./_fake_window.ts";

/** An environment of `vars` only. */
const env = (vars: Record<string, string>) => (name: string) => vars[name];

/**
 * Where Linux looks without HOME: Debian's folder, then Fedora's (new and
 * old), Arch's and openSUSE's.
 */
const LINUX_DIRS = [
  DEJAVU_DIR,
  "/usr/share/fonts/dejavu-sans-fonts",
  "/usr/share/fonts/dejavu",
  "/usr/share/fonts/TTF",
  "/usr/share/fonts/truetype",
];

Deno.test("fontPlaces() looks where Debian's fonts-dejavu-core installs on Linux, then where other distributions' packages do", () => {
  const p = fontPlaces("linux", env({ HOME: "/home/me" }));
  assertEquals(p.dirs, [...LINUX_DIRS, "/home/me/.local/share/fonts"]);
  assertEquals(p.dirs[0], "/usr/share/fonts/truetype/dejavu");
  assertEquals(p.override, undefined);
  assertEquals(
    p.join(p.dirs[0], "DejaVuSans.ttf"),
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
  );
  // Other Unix systems look in the same places.
  assertEquals(fontPlaces("freebsd", env({})).dirs, LINUX_DIRS);
});

Deno.test("fontPlaces() looks in the user's and the system's Library/Fonts on macOS", () => {
  const p = fontPlaces("darwin", env({ HOME: "/Users/me" }));
  assertEquals(p.dirs, ["/Users/me/Library/Fonts", "/Library/Fonts"]);
  assertEquals(
    p.join(p.dirs[0], "DejaVuSans-Bold.ttf"),
    "/Users/me/Library/Fonts/DejaVuSans-Bold.ttf",
  );
  // Without HOME (or the permission to read it), only the system's folder.
  assertEquals(fontPlaces("darwin", env({})).dirs, ["/Library/Fonts"]);
});

Deno.test("fontPlaces() looks in the user's and the system's font folders on Windows", () => {
  const local = "C:\\Users\\me\\AppData\\Local";
  const p = fontPlaces("windows", env({ LOCALAPPDATA: local }));
  assertEquals(p.dirs, [
    "C:\\Users\\me\\AppData\\Local\\Microsoft\\Windows\\Fonts",
    "C:\\Windows\\Fonts",
  ]);
  assertEquals(
    p.join(p.dirs[1], "DejaVuSans.ttf"),
    "C:\\Windows\\Fonts\\DejaVuSans.ttf",
  );
  assertEquals(fontPlaces("windows", env({})).dirs, ["C:\\Windows\\Fonts"]);
});

Deno.test("fontPlaces() looks only in MNIST_FONT_DIR when it is set, on every system", () => {
  for (const os of ["linux", "darwin", "windows"]) {
    const p = fontPlaces(
      os,
      env({ [FONT_DIR_ENV]: "/my/fonts", HOME: "/h", LOCALAPPDATA: "L" }),
    );
    assertEquals([p.dirs, p.override], [["/my/fonts"], "/my/fonts"], os);
    assertEquals(p.named, undefined, os);
  }
  // Set but empty is unset.
  assertEquals(
    fontPlaces("linux", env({ [FONT_DIR_ENV]: "" })).dirs,
    LINUX_DIRS,
  );
});

Deno.test("missingFontMessage() says what to install, on each system", () => {
  // On Linux it names Debian's folder only, where the package it names puts
  // the fonts.
  assertEquals(
    missingFontMessage(fontPlaces("linux", env({})), "regular"),
    "Cannot find the font '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf': install the Debian package fonts-dejavu-core",
  );
  assertEquals(
    missingFontMessage(
      fontPlaces("linux", env({ [FONT_DIR_ENV]: "/x" })),
      "bold",
    ),
    "Cannot find the font '/x/DejaVuSans-Bold.ttf' (MNIST_FONT_DIR is set to '/x'): point it at a folder with the DejaVu fonts, or unset it to use the Debian package fonts-dejavu-core",
  );
  assertEquals(
    missingFontMessage(
      fontPlaces("darwin", env({ HOME: "/Users/me" })),
      "regular",
    ),
    "Cannot find the font 'DejaVuSans.ttf' in /Users/me/Library/Fonts or /Library/Fonts: install them with Homebrew: brew install --cask font-dejavu",
  );
  assertEquals(
    missingFontMessage(
      fontPlaces("windows", env({ LOCALAPPDATA: "C:\\L" })),
      "regular",
    ),
    "Cannot find the font 'DejaVuSans.ttf' in C:\\L\\Microsoft\\Windows\\Fonts or C:\\Windows\\Fonts: install the DejaVu fonts (https://dejavu-fonts.github.io) for your user or for all users",
  );
  // With one folder to look in, the message names the file's path.
  assertEquals(
    missingFontMessage(fontPlaces("windows", env({})), "bold"),
    "Cannot find the font 'C:\\Windows\\Fonts\\DejaVuSans-Bold.ttf': install the DejaVu fonts (https://dejavu-fonts.github.io) for your user or for all users",
  );
});

Deno.test("findFont() takes the first folder that has the face", async () => {
  const a = await Deno.makeTempDir();
  const b = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${b}/DejaVuSans.ttf`, "");
    await Deno.writeTextFile(`${a}/DejaVuSans-Bold.ttf`, "");
    await Deno.writeTextFile(`${b}/DejaVuSans-Bold.ttf`, "");
    // Only these two folders, each named when the face is missing.
    const places = {
      ...fontPlaces("linux", env({})),
      dirs: [a, b],
      named: undefined,
    };
    assertEquals(findFont("regular", places), `${b}/DejaVuSans.ttf`);
    assertEquals(findFont("bold", places), `${a}/DejaVuSans-Bold.ttf`);
    assertThrows(
      () => findFont("regular", { ...places, dirs: [a] }),
      Deno.errors.NotFound,
      `Cannot find the font '${a}/DejaVuSans.ttf'`,
    );
  } finally {
    await Deno.remove(a, { recursive: true });
    await Deno.remove(b, { recursive: true });
  }
});

Deno.test("textOptions() fills in the small font, the text colour and left alignment", () => {
  assertEquals(textOptions({ x: 1, y: 2 }), {
    x: 1,
    y: 2,
    ...TEXT_DEFAULTS,
  });
  assertEquals(TEXT_DEFAULTS, {
    font: "small",
    colour: COLOURS.text,
    align: "left",
  });
  assertEquals(
    textOptions({ x: 1, y: 2, font: "title", colour: 5, align: "right" }),
    { x: 1, y: 2, font: "title", colour: 5, align: "right" },
  );
});

Deno.test("drawText() puts the line's left, centre or right at x, in the font named", () => {
  const fake = new FakeWindow();
  const fonts = fakeFonts();
  // A FakeWindow's text is 0.6 of the font size wide per character.
  const w = drawText(fake.window, fonts, "abcd", { x: 100, y: 7 });
  assertEquals(w, { width: Math.round(4 * 14 * 0.6), height: 17 });
  drawText(fake.window, fonts, "abcd", {
    x: 100,
    y: 8,
    font: "title",
    align: "centre",
    colour: COLOURS.accent,
  });
  drawText(fake.window, fonts, "abcd", { x: 100, y: 9, align: "right" });
  const title = Math.round(4 * FONT_SPECS.title.size * 0.6);
  assertEquals(fake.texts, [
    { text: "abcd", x: 100, y: 7, rgb: COLOURS.text, size: 14 },
    {
      text: "abcd",
      x: 100 - Math.round(title / 2),
      y: 8,
      rgb: COLOURS.accent,
      size: 20,
    },
    { text: "abcd", x: 100 - w.width, y: 9, rgb: COLOURS.text, size: 14 },
  ]);
});
