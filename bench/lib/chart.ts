/**
 * The results chart: horizontal bars of median throughput (msg/s) and
 * recovery rate (keys/s) per contender, as SVG, converted to PNG with
 * `rsvg-convert` (Debian's librsvg2-bin) when it is installed.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";

/** One bar: a label and a value (undefined: not measured). */
export interface Bar {
  readonly label: string;
  readonly value: number | undefined;
  /** Highlight (gokac's bars). */
  readonly ours?: boolean;
}

/** A titled group of bars. */
export interface Panel {
  readonly title: string;
  readonly unit: string;
  readonly bars: readonly Bar[];
}

const width = 900;
const labelWidth = 300;
const barHeight = 26;
const gap = 10;

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** The SVG text for `panels`, one under the other. */
export function renderSvg(title: string, subtitle: string, panels: readonly Panel[]): string {
  const parts: string[] = [];
  let y = 90;
  for (const panel of panels) {
    parts.push(`<text x="20" y="${y}" font-size="17" font-weight="bold">${escape(panel.title)}</text>`);
    y += 14;
    const max = Math.max(1, ...panel.bars.map((b) => b.value ?? 0));
    const span = width - labelWidth - 140;
    for (const bar of panel.bars) {
      const w = bar.value === undefined ? 0 : Math.max(2, (bar.value / max) * span);
      const text = bar.value === undefined ? "not measured" : `${Math.round(bar.value).toLocaleString("en-US")} ${panel.unit}`;
      parts.push(`<text x="${labelWidth - 10}" y="${y + barHeight * 0.7}" font-size="14" text-anchor="end">${escape(bar.label)}</text>`);
      parts.push(
        `<rect x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" fill="${bar.ours ? "#d9480f" : "#4c6ef5"}"/>`,
      );
      parts.push(`<text x="${labelWidth + w + 8}" y="${y + barHeight * 0.7}" font-size="13">${escape(text)}</text>`);
      y += barHeight + gap;
    }
    y += 30;
  }
  const height = y;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="20" y="30" font-size="20" font-weight="bold">${escape(title)}</text>`,
    `<text x="20" y="50" font-size="13" fill="#555">${escape(subtitle)}</text>`,
    ...parts,
    `</svg>`,
  ].join("\n");
}

/**
 * Writes `svgPath` and, when `rsvg-convert` runs, `pngPath`. Returns whether
 * the PNG was written (without librsvg2-bin only the SVG is).
 */
export function writeChart(svg: string, svgPath: string, pngPath: string): boolean {
  writeFileSync(svgPath, svg);
  try {
    execFileSync("rsvg-convert", ["--format", "png", "--output", pngPath, svgPath], { stdio: ["ignore", "ignore", "pipe"] });
    return true;
  } catch {
    return false;
  }
}
