/**
 * The layout of the wide windows, `deno task inspect`'s views and the
 * training window of `deno task train --watch`: the window's size, the tab
 * bar, the margins. Their views are drawn into a `Scene` of that size
 * (lib/ui/scene.ts).
 *
 * @module
 */

/** The window, and every picture --png writes except the backquery digits. */
export const WIDTH = 1200;
export const HEIGHT = 800;
/** The tab bar across the top. */
export const TAB_HEIGHT = 44;
export const TAB_WIDTH = 190;
/** Margin around the content. */
export const MARGIN = 20;
/** The top of a view's content, under the tab bar. */
export const TOP = TAB_HEIGHT + 14;
