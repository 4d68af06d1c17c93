import cliProgress from 'cli-progress';
import { formatBytes, type Io, line } from '../io';

/** How an upload run shows itself: bars on a terminal, a line per file otherwise, nothing for --json. */
export interface UploadProgress {
  begin(files: number, bytes: number): void;
  fileStarted(id: string, name: string, size: number): void;
  bytes(id: string, delta: number): void;
  fileFinished(id: string, outcome: string): void;
  note(message: string): void;
  beginWait(total: number): void;
  settled(count: number, total: number, summary: string): void;
  end(): void;
}

const truncate = (name: string, width: number) =>
  name.length <= width ? name.padEnd(width) : `…${name.slice(-(width - 1))}`;

export class BarsProgress implements UploadProgress {
  private readonly multibar: cliProgress.MultiBar;
  private total?: cliProgress.SingleBar;
  private wait?: cliProgress.SingleBar;
  private readonly bars = new Map<string, { bar: cliProgress.SingleBar; sent: number }>();
  private filesDone = 0;
  private fileCount = 0;
  private sent = 0;

  constructor(stream: NodeJS.WritableStream) {
    this.multibar = new cliProgress.MultiBar(
      {
        stream: stream as NodeJS.WritableStream & { isTTY: boolean },
        clearOnComplete: false,
        hideCursor: true,
        autopadding: true,
        barsize: 24,
        format: ' {name} {bar} {percentage}% | {sentText}/{sizeText} {status}',
        formatValue: (value, _options, type) =>
          type === 'percentage' ? String(value).padStart(3) : String(value),
      },
      cliProgress.Presets.shades_classic,
    );
  }

  begin(files: number, bytes: number): void {
    this.fileCount = files;
    this.total = this.multibar.create(Math.max(bytes, 1), 0, {
      name: truncate(`all ${files} files`, 28),
      sentText: formatBytes(0),
      sizeText: formatBytes(bytes),
      status: `0/${files} done`,
    });
  }

  fileStarted(id: string, name: string, size: number): void {
    const bar = this.multibar.create(Math.max(size, 1), 0, {
      name: truncate(name, 28),
      sentText: formatBytes(0),
      sizeText: formatBytes(size),
      status: '',
    });
    this.bars.set(id, { bar, sent: 0 });
  }

  bytes(id: string, delta: number): void {
    const entry = this.bars.get(id);
    if (entry) {
      entry.sent += delta;
      entry.bar.update(entry.sent, { sentText: formatBytes(entry.sent) });
    }
    this.sent += delta;
    this.total?.update(this.sent, { sentText: formatBytes(this.sent) });
  }

  fileFinished(id: string, outcome: string): void {
    const entry = this.bars.get(id);
    if (entry) {
      entry.bar.update({ status: outcome });
      entry.bar.stop();
      // Finished bars leave the screen so that a folder of thousands stays readable.
      this.multibar.remove(entry.bar);
      this.bars.delete(id);
    }
    this.filesDone++;
    this.total?.update(this.sent, { status: `${this.filesDone}/${this.fileCount} done` });
  }

  note(message: string): void {
    this.multibar.log(`${message}\n`);
  }

  beginWait(total: number): void {
    this.wait = this.multibar.create(Math.max(total, 1), 0, {
      name: truncate('pipeline', 28),
      sentText: '0',
      sizeText: String(total),
      status: 'waiting for processing',
    });
  }

  settled(count: number, total: number, summary: string): void {
    this.wait?.update(count, { sentText: String(count), sizeText: String(total), status: summary });
  }

  end(): void {
    this.multibar.stop();
  }
}

/** Not a terminal (CI logs, pipes): one line per finished file, no redraws. */
export class LinesProgress implements UploadProgress {
  private done = 0;
  private files = 0;
  private readonly names = new Map<string, string>();
  private lastSettled = -1;

  constructor(private readonly stream: NodeJS.WritableStream) {}

  begin(files: number, bytes: number): void {
    this.files = files;
    line(this.stream, `Uploading ${files} file${files === 1 ? '' : 's'} (${formatBytes(bytes)})`);
  }
  fileStarted(id: string, name: string): void {
    this.names.set(id, name);
  }
  bytes(): void {}
  fileFinished(id: string, outcome: string): void {
    this.done++;
    line(this.stream, `[${this.done}/${this.files}] ${this.names.get(id) ?? id}: ${outcome}`);
  }
  note(message: string): void {
    line(this.stream, message);
  }
  beginWait(total: number): void {
    line(this.stream, `Waiting for the pipeline to finish ${total} asset${total === 1 ? '' : 's'}...`);
  }
  settled(count: number, total: number, summary: string): void {
    if (count === this.lastSettled) return;
    this.lastSettled = count;
    line(this.stream, `pipeline: ${count}/${total} settled (${summary})`);
  }
  end(): void {}
}

export class SilentProgress implements UploadProgress {
  begin(): void {}
  fileStarted(): void {}
  bytes(): void {}
  fileFinished(): void {}
  note(): void {}
  beginWait(): void {}
  settled(): void {}
  end(): void {}
}

export function progressFor(
  io: Io,
  options: { json: boolean; quiet: boolean; progress?: boolean },
): UploadProgress {
  if (options.json || options.quiet || options.progress === false) return new SilentProgress();
  return io.stderr.isTTY ? new BarsProgress(io.stderr) : new LinesProgress(io.stderr);
}
