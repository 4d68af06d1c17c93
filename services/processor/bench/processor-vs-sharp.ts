/**
 * The processor core against bare sharp, making the same renditions from the same images, side by
 * side in one run: `npm run bench:processor` (root) or `npm run bench -w @sluice/processor`.
 *
 * Sides, each measured in its own child process (clean peak memory), in alternating rounds:
 *   processor        processUpload (detection, SHA-256, EXIF, decode once, every rendition, dominant
 *                    colour, ThumbHash, dHash, manifest validation) over in-memory storage
 *   sharp            bare sharp, the usual way: one pipeline per rendition from the encoded file
 *                    (auto-orient, resize, encode), all of an image's renditions in flight at once
 *   sharp-once       bare sharp, decoding once to the largest size and deriving the rest (what the
 *                    processor does for pixels, without any of its metadata work)
 * Same encoder settings everywhere; images one at a time, as the Lambda handler takes its records.
 *
 * Prints images/s and peak RSS per side, then `ratio: <processor / best bare sharp>`.
 * SLUICE_BENCH_ROUNDS (default 3) and SLUICE_BENCH_PASSES (default 2) set the run length.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { PipelineEventInput } from '@sluice/runtime';
import { createLogger, type S3ObjectEvent } from '@sluice/runtime';
import sharp from 'sharp';
import { SharpImageRenderer } from '../src/adapters/sharp-image-renderer';
import {
  decodeOriented,
  decodeWidthFor,
  encodeDecoded,
  type TransformSpec,
  transformImage,
} from '../src/adapters/sharp-transform';
import { processUpload } from '../src/app/process-upload';
import { DEFAULT_PRESETS } from '../src/domain/presets';
import type { OriginalStore, OutputStore } from '../src/ports/storage';

const FIXTURES = resolve(__dirname, '../../../../shared/fixtures');
export const IMAGES = [
  'jpeg/baseline-photo-2725x2225.jpg',
  'jpeg/ultrahdr-gain-map.jpg',
  'jpeg/orient-1.jpg',
  'jpeg/orient-6.jpg',
  'jpeg/gps-phone.jpg',
  'jpeg/cmyk-icc.jpg',
  'png/alpha-rgba.png',
  'webp/lossy.webp',
  'avif/exif-irvine.avif',
  'tiff/cmyk.tif',
];
const SIDES = ['sharp', 'sharp-once', 'processor'] as const;
type Side = (typeof SIDES)[number];
const CONCURRENCY = 2;

const SPECS: TransformSpec[] = DEFAULT_PRESETS.flatMap((p) =>
  p.formats.map((f) => ({ width: p.width, format: f.format, quality: f.quality, effort: f.effort })),
);

async function bareSharp(input: Buffer): Promise<number> {
  const outputs = await Promise.all(SPECS.map((spec) => transformImage(input, spec)));
  return outputs.length;
}

async function bareSharpOnce(input: Buffer): Promise<number> {
  const meta = await sharp(input).metadata();
  const swap = (meta.orientation ?? 1) >= 5;
  const w = (swap ? meta.height : meta.width) ?? 1;
  const h = (swap ? meta.width : meta.height) ?? 1;
  const decoded = await decodeOriented(input, decodeWidthFor(w, h, SPECS));
  let made = 0;
  const queue = [...SPECS];
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let spec = queue.shift(); spec; spec = queue.shift()) {
        await encodeDecoded(decoded, spec, undefined, { width: w, height: h });
        made++;
      }
    }),
  );
  return made;
}

function processorCore(): (input: Buffer, i: number) => Promise<number> {
  const logger = createLogger('bench');
  logger.setLogLevel('SILENT');
  let current: Buffer = Buffer.alloc(0);
  const written = new Map<string, number>();
  const originals: OriginalStore = {
    head: async () => ({ size: current.length, eTag: '"e"', contentType: 'image/jpeg' }),
    read: async () => current,
    readStart: async (_k, _e, n) => current.subarray(0, n),
    sha256: async () => null,
    quarantine: async () => 'moved',
  };
  const outputs: OutputStore = {
    getManifest: async () => null,
    putUnlessNewer: async (o) => {
      written.set(o.key, o.body.length);
      return 'written';
    },
    deleteUnlessNewer: async () => 'deleted',
  };
  const deps = {
    originals,
    outputs,
    renderer: new SharpImageRenderer({ concurrency: CONCURRENCY }),
    events: { publish: async (e: PipelineEventInput) => e as never },
    logger,
    presets: DEFAULT_PRESETS,
    maxImageBytes: 100 * 1024 * 1024,
    ingestBucket: 'ingest',
    processedBucket: 'processed',
  };
  return async (input, i) => {
    current = input;
    written.clear();
    const event: S3ObjectEvent = {
      eventName: 'ObjectCreated:Put',
      eventTime: '2026-01-01T00:00:00.000Z',
      bucket: 'ingest',
      key: `uploads/bench/00000000-0000-4000-8000-${String(i).padStart(12, '0')}/image`,
      sequencer: '01',
    };
    const outcome = await processUpload(event, deps);
    if (outcome !== 'succeeded') throw new Error(`processor: ${outcome}`);
    return written.size - 1; // renditions, not the manifest
  };
}

async function runSide(side: Side, passes: number): Promise<void> {
  const images = IMAGES.map((f) => readFileSync(resolve(FIXTURES, f)));
  const work = side === 'sharp' ? bareSharp : side === 'sharp-once' ? bareSharpOnce : processorCore();
  for (const [i, image] of images.entries()) await work(image, i); // warm-up pass
  let renditions = 0;
  const started = performance.now();
  for (let pass = 0; pass < passes; pass++) {
    for (const [i, image] of images.entries()) renditions += await work(image, i);
  }
  const seconds = (performance.now() - started) / 1000;
  const result = {
    side,
    images: images.length * passes,
    renditions,
    seconds,
    imagesPerSecond: (images.length * passes) / seconds,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

interface SideResult {
  side: Side;
  images: number;
  renditions: number;
  seconds: number;
  imagesPerSecond: number;
  peakRssMb: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function main(): void {
  const sideArg = process.argv.find((a) => a.startsWith('--side='))?.slice('--side='.length) as
    | Side
    | undefined;
  const passes = Number(process.env.SLUICE_BENCH_PASSES ?? 2);
  if (sideArg) {
    runSide(sideArg, passes).catch((error) => {
      console.error(error);
      process.exit(1);
    });
    return;
  }
  const rounds = Number(process.env.SLUICE_BENCH_ROUNDS ?? 3);
  console.log(
    `processor vs bare sharp ${sharp.versions.sharp} (libvips ${sharp.versions.vips}), ${IMAGES.length} images x ${passes} passes x ${rounds} rounds, ` +
      `${SPECS.length} renditions each (${SPECS.map((s) => `${s.width}${s.format}`).join(' ')}), node ${process.version}`,
  );
  const results: SideResult[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const side of round % 2 ? SIDES : [...SIDES].reverse()) {
      const child = spawnSync(process.execPath, [...process.execArgv, __filename, `--side=${side}`], {
        encoding: 'utf8',
        env: process.env,
      });
      if (child.status !== 0) throw new Error(`${side} failed: ${child.stderr}`);
      const result = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as SideResult;
      results.push(result);
      console.log(
        `round ${round} ${side.padEnd(10)} ${result.imagesPerSecond.toFixed(2)} images/s  ${(result.renditions / result.seconds).toFixed(1)} renditions/s  peak RSS ${result.peakRssMb.toFixed(0)} MB`,
      );
    }
  }
  const summary = SIDES.map((side) => {
    const mine = results.filter((r) => r.side === side);
    return {
      side,
      imagesPerSecond: median(mine.map((r) => r.imagesPerSecond)),
      peakRssMb: Math.max(...mine.map((r) => r.peakRssMb)),
    };
  });
  console.log('\nside        images/s (median)   peak RSS');
  for (const s of summary)
    console.log(
      `${s.side.padEnd(12)}${s.imagesPerSecond.toFixed(2).padStart(17)}   ${s.peakRssMb.toFixed(0)} MB`,
    );
  const processor = summary.find((s) => s.side === 'processor')?.imagesPerSecond ?? 0;
  const best = Math.max(...summary.filter((s) => s.side !== 'processor').map((s) => s.imagesPerSecond));
  console.log(`ratio: ${(processor / best).toFixed(3)}`);
}

main();
