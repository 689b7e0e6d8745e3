/**
 * SVG → PNG without a browser or canvas: @resvg/resvg-js (resvg, a Rust SVG
 * renderer shipped as prebuilt N-API binaries). Text is drawn with the
 * system's fonts: the figures ask for Helvetica, Arial or sans-serif, and
 * resvg falls back to any installed font when none of these is there; on a
 * machine with no fonts at all the PNG has no text (the SVG is unaffected).
 * Loaded lazily: only a report or `stochdyn figure` that writes PNG loads it.
 */

/** PNGs are drawn at this multiple of the SVG's size (crisp on high-density screens and in print). */
export const PNG_SCALE = 2;

type ResvgModule = typeof import('@resvg/resvg-js');
let resvg: Promise<ResvgModule> | null = null;

/** Rasterise an SVG document to PNG bytes at `scale` × its own width and height. */
export async function svgToPng(svg: string, scale = PNG_SCALE): Promise<Uint8Array> {
  const { Resvg } = await (resvg ??= import('@resvg/resvg-js'));
  const image = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    font: { loadSystemFonts: true },
    background: 'white',
  }).render();
  return image.asPng();
}
