/**
 * A high-resolution grey canvas to draw digits on with a round, anti-aliased brush.
 *
 * Each pixel holds an ink amount from 0 (background) to 1 (full ink). A brush
 * stroke between two mouse positions paints the capsule around the segment
 * that joins them (every point within `radius` of the segment), so a fast
 * stroke that arrives as two far-apart events still draws a solid line.
 * The brush edge is a linear ramp `softness` pixels wide, which gives grey,
 * anti-aliased borders.
 *
 * Coordinates are in canvas pixels, floating point: pixel (i, j) covers the
 * square [i, i+1) x [j, j+1) and its centre is (i + 0.5, j + 0.5).
 *
 * A stroke only reads and writes the pixels of its own bounding box. The
 * canvas remembers the rectangle of pixels that changed since the last
 * `takeDirty()`, so a window can redraw just that part, and every stroke as a
 * path (`paths`), so that the drawing can be drawn again at another scale or
 * with another pen (`replay()`).
 *
 * @module
 */

/** An axis-aligned rectangle of pixels: columns x..x+width-1, rows y..y+height-1. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What a stroke does: lay ink down or take it away. */
export type Tool = "ink" | "erase";

/**
 * One stroke as drawn: its tool, its brush radius and the points it went
 * through, as flat [x0, y0, x1, y1, ...] canvas coordinates. A single point
 * is a dab; more are the segments between consecutive points.
 */
export interface StrokePath {
  readonly tool: Tool;
  readonly radius: number;
  readonly points: number[];
}

/**
 * Calls `visit` at the points of the line through `points` (flat
 * [x0, y0, x1, y1, ...], as a `StrokePath`'s): its first point, then every
 * pixel or so along each segment, the segment's end included.
 */
export function alongPath(
  points: readonly number[],
  visit: (x: number, y: number) => void,
): void {
  visit(points[0], points[1]);
  for (let k = 2; k < points.length; k += 2) {
    const ax = points[k - 2], ay = points[k - 1];
    const bx = points[k], by = points[k + 1];
    const n = Math.ceil(Math.hypot(bx - ax, by - ay));
    for (let s = 1; s <= n; s++) {
      visit(ax + (bx - ax) * s / n, ay + (by - ay) * s / n);
    }
  }
}

/** Side of the default canvas: 28 cells of 24 pixels. */
export const CANVAS_SIDE = 672;

/**
 * Default brush radius in canvas pixels: a pen 16 pixels wide, which keeps a
 * digit drawn 55 pixels tall legible to the person drawing it, and a large
 * one clear. The network does not see this pen: the drawing is drawn again
 * from its strokes with a pen sized to it (lib/image/redraw.ts), as wide as
 * MNIST's (about 2.5 pixels in a digit 20 pixels tall).
 */
export const DEFAULT_RADIUS = 8;

/** Default width in pixels of the grey ramp at the brush edge. */
export const DEFAULT_SOFTNESS = 2;

/** A grey canvas of `width` x `height` ink amounts in 0..1, row-major. */
export class Canvas {
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
  /** Ink amount of each pixel, 0..1, row-major. Read it; draw through the methods. */
  readonly data: Float32Array;
  /** Brush radius in pixels: ink is full up to `radius - softness / 2` from the stroke. */
  radius: number;
  /** Width of the anti-aliased edge in pixels; ink fades to 0 at `radius + softness / 2`. */
  softness: number;

  // The changed area since the last takeDirty(), inclusive pixel bounds;
  // empty while #dirtyX0 > #dirtyX1.
  #dirtyX0: number;
  #dirtyY0: number;
  #dirtyX1 = -1;
  #dirtyY1 = -1;
  readonly #paths: StrokePath[] = [];

  constructor(
    width = CANVAS_SIDE,
    height = width,
    { radius = DEFAULT_RADIUS, softness = DEFAULT_SOFTNESS }: {
      radius?: number;
      softness?: number;
    } = {},
  ) {
    if (!Number.isInteger(width) || !Number.isInteger(height)) {
      throw new RangeError(
        `Canvas size must be whole pixels, got ${width}x${height}`,
      );
    }
    if (width < 1 || height < 1) {
      throw new RangeError(
        `Canvas size must be positive, got ${width}x${height}`,
      );
    }
    this.width = width;
    this.height = height;
    this.data = new Float32Array(width * height);
    this.radius = radius;
    this.softness = softness;
    this.#dirtyX0 = width;
    this.#dirtyY0 = height;
  }

  /**
   * Paints (or with `tool` "erase", removes) the brush along the segment from
   * (x0, y0) to (x1, y1), both ends included. Ink combines by maximum, so
   * overlapping strokes and the shared ends of consecutive segments do not
   * darken; erasing subtracts the brush coverage from the ink.
   */
  stroke(
    x0: number,
    y0: number,
    x1: number,
    y1: number,
    tool: Tool = "ink",
  ): void {
    if (!(this.radius > 0) || !(this.softness > 0)) {
      throw new RangeError(
        `Brush radius and softness must be positive, got ${this.radius} and ${this.softness}`,
      );
    }
    const half = this.softness / 2;
    const reach = this.radius + half;
    // Pixels whose centre can lie within `reach` of the segment.
    const i0 = Math.max(0, Math.floor(Math.min(x0, x1) - reach - 0.5));
    const i1 = Math.min(
      this.width - 1,
      Math.ceil(Math.max(x0, x1) + reach - 0.5),
    );
    const j0 = Math.max(0, Math.floor(Math.min(y0, y1) - reach - 0.5));
    const j1 = Math.min(
      this.height - 1,
      Math.ceil(Math.max(y0, y1) + reach - 0.5),
    );
    this.#record(x0, y0, x1, y1, tool);
    if (i0 > i1 || j0 > j1) return;

    const dx = x1 - x0;
    const dy = y1 - y0;
    const len2 = dx * dx + dy * dy;
    const inv = len2 > 0 ? 1 / len2 : 0;
    const reach2 = reach * reach;
    // coverage = clamp((radius - distance) / softness + 0.5, 0, 1)
    const scale = 1 / this.softness;
    const offset = this.radius * scale + 0.5;
    const erase = tool === "erase";
    const data = this.data;
    const w = this.width;
    let cx0 = this.#dirtyX0, cy0 = this.#dirtyY0;
    let cx1 = this.#dirtyX1, cy1 = this.#dirtyY1;

    for (let j = j0; j <= j1; j++) {
      const py = j + 0.5 - y0;
      const row = j * w;
      for (let i = i0; i <= i1; i++) {
        const px = i + 0.5 - x0;
        // Distance from the pixel centre to the nearest point of the segment.
        let t = (px * dx + py * dy) * inv;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        const ex = px - t * dx;
        const ey = py - t * dy;
        const d2 = ex * ex + ey * ey;
        if (d2 >= reach2) continue;
        let c = offset - Math.sqrt(d2) * scale;
        if (c <= 0) continue;
        if (c > 1) c = 1;
        const k = row + i;
        const old = data[k];
        let v: number;
        if (erase) {
          if (old === 0) continue;
          // Subtracting (rather than scaling by 1 - c) lets an eraser that
          // follows a stroke remove its grey edge too. A nearly erased pixel
          // becomes background, so it does not stretch the ink's bounding box.
          v = old - c;
          if (v < 1 / 1024) v = 0;
        } else {
          if (c <= old) continue;
          v = c;
        }
        data[k] = v;
        if (i < cx0) cx0 = i;
        if (i > cx1) cx1 = i;
        if (j < cy0) cy0 = j;
        if (j > cy1) cy1 = j;
      }
    }
    this.#dirtyX0 = cx0;
    this.#dirtyY0 = cy0;
    this.#dirtyX1 = cx1;
    this.#dirtyY1 = cy1;
  }

  /**
   * Every stroke since the canvas was made or last cleared, in order. A
   * stroke that starts where the previous one ended, with the same tool and
   * radius, goes on the same path.
   */
  get paths(): readonly StrokePath[] {
    return this.#paths;
  }

  #record(x0: number, y0: number, x1: number, y1: number, tool: Tool) {
    const last = this.#paths.at(-1);
    const p = last?.points;
    if (
      last && p && last.tool === tool && last.radius === this.radius &&
      p[p.length - 2] === x0 && p[p.length - 1] === y0
    ) {
      if (x1 !== x0 || y1 !== y0) p.push(x1, y1);
      return;
    }
    const points = [x0, y0];
    if (x1 !== x0 || y1 !== y0) points.push(x1, y1);
    this.#paths.push({ tool, radius: this.radius, points });
  }

  /** Paints (or erases) one round dab of the brush centred at (x, y). */
  dab(x: number, y: number, tool: Tool = "ink"): void {
    this.stroke(x, y, x, y, tool);
  }

  /** Removes all ink and forgets the paths. */
  clear(): void {
    this.#paths.length = 0;
    if (this.isEmpty()) return;
    this.data.fill(0);
    this.#dirtyX0 = 0;
    this.#dirtyY0 = 0;
    this.#dirtyX1 = this.width - 1;
    this.#dirtyY1 = this.height - 1;
  }

  /** True when no pixel holds any ink. */
  isEmpty(): boolean {
    const data = this.data;
    for (let k = 0; k < data.length; k++) if (data[k] !== 0) return false;
    return true;
  }

  /**
   * The rectangle that holds every pixel changed since the previous call (or
   * since the canvas was made), or `null` when nothing changed; then forgets it.
   */
  takeDirty(): Rect | null {
    if (this.#dirtyX0 > this.#dirtyX1) return null;
    const rect = {
      x: this.#dirtyX0,
      y: this.#dirtyY0,
      width: this.#dirtyX1 - this.#dirtyX0 + 1,
      height: this.#dirtyY1 - this.#dirtyY0 + 1,
    };
    this.#dirtyX0 = this.width;
    this.#dirtyY0 = this.height;
    this.#dirtyX1 = -1;
    this.#dirtyY1 = -1;
    return rect;
  }
}

/**
 * Draws `paths` onto `canvas`, in order, each point mapped to
 * (x * scale + dx, y * scale + dy) and each brush radius given by `radius`
 * (by default the path's own, times `scale`). The canvas's `radius` is
 * restored afterwards.
 */
export function replay(
  canvas: Canvas,
  paths: readonly StrokePath[],
  { scale = 1, dx = 0, dy = 0, radius = (p: StrokePath) => p.radius * scale }: {
    scale?: number;
    dx?: number;
    dy?: number;
    radius?: (path: StrokePath) => number;
  } = {},
): void {
  const saved = canvas.radius;
  try {
    for (const path of paths) {
      canvas.radius = radius(path);
      const p = path.points;
      let x = p[0] * scale + dx, y = p[1] * scale + dy;
      if (p.length === 2) canvas.dab(x, y, path.tool);
      for (let k = 2; k < p.length; k += 2) {
        const nx = p[k] * scale + dx, ny = p[k + 1] * scale + dy;
        canvas.stroke(x, y, nx, ny, path.tool);
        x = nx;
        y = ny;
      }
    }
  } finally {
    canvas.radius = saved;
  }
}

/**
 * The cells of a `cell`-pixel grid that a pixel rectangle touches, as a
 * rectangle of cell indices, e.g. to redraw only the 24-pixel cells of a
 * 28x28 display that a stroke changed.
 */
export function cellsOf(rect: Rect, cell: number): Rect {
  const x = Math.floor(rect.x / cell);
  const y = Math.floor(rect.y / cell);
  return {
    x,
    y,
    width: Math.floor((rect.x + rect.width - 1) / cell) - x + 1,
    height: Math.floor((rect.y + rect.height - 1) / cell) - y + 1,
  };
}
