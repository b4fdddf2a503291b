import { existsSync } from 'node:fs';
import { renderAsync, type ResvgRenderOptions } from '@resvg/resvg-js';
import { View, loader, parse, Warn, type Loader, type LoggerInterface } from 'vega';
import { compile } from 'vega-lite';
import { OpsightError } from '../errors.js';
import { FONT_FAMILY, type ChartSpec } from './theme.js';

export interface RenderOptions {
  /** Image width in CSS pixels before `scale`. @default the spec's width (800 for the builders) */
  width?: number;
  /** Image height in CSS pixels before `scale`. @default the spec's height (400 for the builders) */
  height?: number;
  /** Pixel density: 2 gives a 1600×800 PNG for an 800×400 chart (sharper on retina screens). @default 1 */
  scale?: number;
}

/**
 * DejaVu Sans ships with Debian (fonts-dejavu-core) and is the family the specs name. Loading
 * these files alone is ~40 ms faster per chart than resvg's scan of every system font, and
 * makes the image independent of what else is installed. Without them resvg scans the system
 * fonts and falls back to the first family it finds.
 */
const DEJAVU_FILES = ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf'];

let fontOptions: ResvgRenderOptions['font'] | undefined;

function fonts(): NonNullable<ResvgRenderOptions['font']> {
  if (!fontOptions) {
    const files = DEJAVU_FILES.filter((f) => existsSync(f));
    fontOptions =
      files.length > 0
        ? { loadSystemFonts: false, fontFiles: files, defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY }
        : { loadSystemFonts: true };
  }
  return fontOptions;
}

/**
 * Collects Vega and Vega-Lite messages instead of printing them, so failures can name them.
 * Closures, not a class: Vega calls the methods detached from the object (`this` is the View).
 */
interface CollectingLogger extends LoggerInterface {
  readonly warnings: string[];
  readonly errors: string[];
}

function collectingLogger(): CollectingLogger {
  const warnings: string[] = [];
  const errors: string[] = [];
  let current = Warn;
  const self: CollectingLogger = {
    warnings,
    errors,
    level: (level?: number) => {
      if (level === undefined) return current;
      current = level;
      return self;
    },
    error: (...args: unknown[]) => {
      errors.push(args.map(describe).join(' '));
      return self;
    },
    warn: (...args: unknown[]) => {
      // Vega reports a failed data load as a warning and draws an empty chart; for us it is an error.
      (args[0] === 'Loading failed' ? errors : warnings).push(args.map(describe).join(' '));
      return self;
    },
    info: () => self,
    debug: () => self,
  };
  return self;
}

function describe(x: unknown): string {
  return x instanceof Error ? x.message : String(x);
}

/** Charts carry their data inline; a spec that asks Vega to fetch a URL or file is refused (we run offline). */
function offlineLoader(): Loader {
  const l = loader();
  l.sanitize = async (uri: string) => {
    throw new Error(`charts draw inline data only; the spec asks to load "${uri}"`);
  };
  return l;
}

function checkSize(name: string, value: number | undefined, min: number, max: number): void {
  if (value !== undefined && !(Number.isFinite(value) && value >= min && value <= max)) {
    throw new OpsightError('opsight_chart_failed', `renderPng: ${name} must be a number from ${min} to ${max}, got ${value}`);
  }
}

function titleOf(spec: ChartSpec): string {
  const t = (spec as { title?: unknown }).title;
  if (typeof t === 'string') return t;
  if (t && typeof t === 'object' && 'text' in t) return String((t as { text: unknown }).text);
  return '(untitled)';
}

/**
 * Vega-Lite spec → Vega → SVG → PNG. Vega's layout runs on this thread (tens of ms for an
 * 800×400 chart); the rasterising runs on libuv's thread pool (resvg's renderAsync), so the
 * event loop is blocked only for the layout. Every failure is an opsight_chart_failed error
 * naming the stage and the chart.
 */
export async function renderPng(spec: ChartSpec, options: RenderOptions = {}): Promise<Buffer> {
  checkSize('width', options.width, 16, 4000);
  checkSize('height', options.height, 16, 4000);
  checkSize('scale', options.scale, 0.25, 4);
  const chart = titleOf(spec);
  const log = collectingLogger();
  const sized: ChartSpec = {
    ...spec,
    ...(options.width === undefined ? {} : { width: options.width }),
    ...(options.height === undefined ? {} : { height: options.height }),
  } as ChartSpec;

  let vegaSpec;
  try {
    vegaSpec = compile(sized, { logger: log }).spec;
  } catch (err) {
    throw new OpsightError('opsight_chart_failed', `chart "${chart}": Vega-Lite could not compile the spec: ${describe(err)}`, { cause: err });
  }

  let svg: string;
  let view: View | undefined;
  try {
    view = new View(parse(vegaSpec), { renderer: 'none', loader: offlineLoader(), logger: log, logLevel: Warn });
    svg = await view.toSVG();
  } catch (err) {
    throw new OpsightError('opsight_chart_failed', `chart "${chart}": Vega could not lay out the chart: ${describe(err)}`, { cause: err });
  } finally {
    // Releases the dataflow, timers and listeners the View holds; without it each chart leaks.
    view?.finalize();
  }
  if (log.errors.length > 0) {
    // Vega logs dataflow errors (a bad expression on some datum) and still draws; refuse the half-drawn chart.
    throw new OpsightError('opsight_chart_failed', `chart "${chart}": Vega reported errors while drawing: ${log.errors.join('; ')}`);
  }

  try {
    const image = await renderAsync(svg, {
      font: fonts(),
      fitTo: { mode: 'zoom', value: options.scale ?? 1 },
      // A missing glyph or font is not worth a log line per chart.
      logLevel: 'off',
    });
    return image.asPng();
  } catch (err) {
    throw new OpsightError('opsight_chart_failed', `chart "${chart}": resvg could not rasterise the SVG to PNG: ${describe(err)}`, { cause: err });
  }
}
