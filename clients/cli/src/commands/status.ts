import { type AssetView, assetState, STAGES } from '@sluice/client';
import { apiClient, type Context } from '../context';
import { ExitCode, type ExitCodeValue, UsageError } from '../errors';
import { formatBytes, line, table } from '../io';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function renderAsset(view: AssetView): string {
  const lines: string[] = [];
  const m = view.manifest;
  lines.push(`Asset ${view.assetId}${view.fileName ? `  ${view.fileName}` : ''}`);
  lines.push(`State: ${assetState(view)}`);
  lines.push(
    `Stages: ${STAGES.map((stage) => `${view.stages[stage] ? '✔' : '·'} ${stage}`).join('   ')}${view.rejected ? '   ✘ rejected' : ''}`,
  );
  if (view.rejected) {
    lines.push(
      `Rejected${view.rejected.stage ? ` by ${view.rejected.stage}` : ''}: ${view.rejected.reason} — ${view.rejected.message}`,
    );
  }
  if (m) {
    const rows: string[][] = [
      [
        'type',
        `${m.detected.mime} (${m.detected.kind})${m.detected.mismatch ? ' — differs from the declared type' : ''}`,
      ],
      ['size', formatBytes(m.source.size)],
      ['sha256', m.sha256],
    ];
    if (m.image)
      rows.push([
        'image',
        `${m.image.width}×${m.image.height} ${m.image.format}, ${m.image.colorSpace}${m.image.hasAlpha ? ', alpha' : ''}`,
      ]);
    if (m.dominantColor) rows.push(['color', m.dominantColor]);
    if (m.exif) {
      const e = m.exif;
      const camera = [e.make, e.model].filter(Boolean).join(' ');
      if (camera) rows.push(['camera', camera]);
      if (e.takenAt) rows.push(['taken', e.takenAt]);
    }
    rows.push(['processed', `${m.processedAt} by processor ${m.processorVersion}`]);
    lines.push(table(rows, '  '));
  }
  if (view.renditions.length) {
    lines.push('Renditions:');
    lines.push(
      table(
        view.renditions.map((r) => [
          `${r.preset}.${r.format}`,
          r.width && r.height ? `${r.width}×${r.height}` : '',
          r.bytes ? formatBytes(r.bytes) : '',
          r.url ?? r.key ?? '',
        ]),
        '  ',
      ),
    );
  }
  return lines.join('\n');
}

export async function statusCommand(context: Context, ids: string[]): Promise<ExitCodeValue> {
  if (ids.length === 0) throw new UsageError('Name at least one asset id');
  const bad = ids.filter((id) => !UUID.test(id));
  if (bad.length) throw new UsageError(`Not an asset id (a lowercase UUID): ${bad.join(', ')}`);
  const client = apiClient(context);
  const views: AssetView[] = [];
  for (const id of ids) views.push(await client.getAsset(id));
  if (context.json) {
    const out = views.map((v) => ({
      ...v.raw,
      assetId: v.assetId,
      state: assetState(v),
      rejected: v.rejected,
    }));
    line(context.io.stdout, JSON.stringify(ids.length === 1 ? out[0] : out, null, 2));
  } else {
    line(context.io.stdout, views.map(renderAsset).join('\n\n'));
  }
  return views.some((v) => v.rejected) ? ExitCode.failed : ExitCode.ok;
}
