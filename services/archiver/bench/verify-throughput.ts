// What verifying a multipart copy costs this machine's CPU: the original is hashed once, whole and per
// part (two SHA-256 passes over every byte). Network throughput from S3 bounds it on AWS; this is the
// ceiling the hashing itself puts on it. Run: npm run bench -w @sluice/archiver
import { randomFillSync } from 'node:crypto';
import { PartHasher } from '../src/domain/part-hasher';

const MIB = 1024 ** 2;
const totalMiB = Number(process.env.SLUICE_BENCH_MIB ?? 2048);
const chunk = randomFillSync(Buffer.alloc(MIB)); // S3 streams arrive in chunks of about this size or less.
const runs: number[] = [];
for (let run = 0; run < 3; run++) {
  const hasher = new PartHasher(256 * MIB);
  const started = process.hrtime.bigint();
  for (let i = 0; i < totalMiB; i++) hasher.update(chunk);
  hasher.digest();
  runs.push(totalMiB / (Number(process.hrtime.bigint() - started) / 1e9));
}
const best = Math.max(...runs);
console.log(
  `part hasher: ${totalMiB} MiB, 256 MiB parts, runs ${runs.map((r) => r.toFixed(0)).join(' / ')} MiB/s`,
);
console.log(
  `best ${best.toFixed(0)} MiB/s: a 5 GiB original verifies in ${((5 * 1024) / best).toFixed(1)} s of CPU`,
);
