/**
 * Encoder settings and encode concurrency, measured: `npm run bench:settings -w @sluice/processor`.
 * One decoded 1600 px image (the processor's intermediate) encoded with each variant; medians of
 * SLUICE_BENCH_PASSES (default 5) runs over the same images as bench:processor.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import sharp from 'sharp';
import { SharpImageRenderer } from '../src/adapters/sharp-image-renderer';
import { decodeOriented, fromDecoded } from '../src/adapters/sharp-transform';
import { detectFileType } from '../src/domain/file-type';
import { DEFAULT_PRESETS } from '../src/domain/presets';

const FIXTURES = resolve(__dirname, '../../../../shared/fixtures');
const IMAGES = [
  'jpeg/baseline-photo-2725x2225.jpg',
  'jpeg/orient-1.jpg',
  'png/alpha-rgba.png',
  'webp/lossy.webp',
];
const passes = Number(process.env.SLUICE_BENCH_PASSES ?? 5);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

async function main(): Promise<void> {
  const inputs = IMAGES.map((f) => readFileSync(resolve(FIXTURES, f)));
  const decoded = await Promise.all(inputs.map((input) => decodeOriented(input, 1600)));
  const variants: Record<string, (d: (typeof decoded)[number]) => Promise<unknown>> = {
    'jpeg q80 progressive': (d) => fromDecoded(d).jpeg({ quality: 80, progressive: true }).toBuffer(),
    'jpeg q80 baseline': (d) => fromDecoded(d).jpeg({ quality: 80 }).toBuffer(),
    'jpeg q80 mozjpeg': (d) => fromDecoded(d).jpeg({ quality: 80, mozjpeg: true }).toBuffer(),
    'webp q80 effort 4': (d) => fromDecoded(d).webp({ quality: 80, effort: 4 }).toBuffer(),
    'webp q80 effort 2': (d) => fromDecoded(d).webp({ quality: 80, effort: 2 }).toBuffer(),
    'webp q80 effort 6': (d) => fromDecoded(d).webp({ quality: 80, effort: 6 }).toBuffer(),
    'avif q50 effort 4 (200 px)': (d) =>
      fromDecoded(d).resize(200).avif({ quality: 50, effort: 4 }).toBuffer(),
    'avif q50 effort 4 (1600 px)': (d) => fromDecoded(d).avif({ quality: 50, effort: 4 }).toBuffer(),
  };
  console.log(
    `encoder settings, 1600 px, ${IMAGES.length} images, median of ${passes} (ms per image, bytes per image)`,
  );
  for (const [name, encode] of Object.entries(variants)) {
    const ms: number[] = [];
    let bytes = 0;
    for (let pass = 0; pass < passes; pass++) {
      ms.push(
        await time(async () => {
          bytes = 0;
          for (const d of decoded) bytes += ((await encode(d)) as Buffer).length;
        }),
      );
    }
    console.log(
      `${name.padEnd(28)} ${(median(ms) / IMAGES.length).toFixed(1).padStart(7)} ms  ${Math.round(
        bytes / IMAGES.length,
      )
        .toString()
        .padStart(8)} B`,
    );
  }
  console.log('\nrenditions of one image (7 outputs), by encode concurrency');
  for (const concurrency of [1, 2, 4]) {
    const renderer = new SharpImageRenderer({ concurrency });
    const facts = await Promise.all(
      inputs.map((input) => renderer.inspect(input, detectFileType(input, true))),
    );
    const ms: number[] = [];
    for (let pass = 0; pass < passes; pass++) {
      ms.push(
        await time(async () => {
          for (const [i, input] of inputs.entries())
            await renderer.render(input, facts[i] as never, DEFAULT_PRESETS);
        }),
      );
    }
    console.log(
      `concurrency ${concurrency}  ${(median(ms) / IMAGES.length).toFixed(1).padStart(7)} ms per image`,
    );
  }
  console.log(
    `sharp ${sharp.versions.sharp}, libvips ${sharp.versions.vips}, sharp.concurrency() ${sharp.concurrency()}`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
