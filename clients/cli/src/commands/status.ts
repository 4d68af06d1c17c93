import { type AssetView, assetState, STAGES } from '@sluice/client';
import { apiClient, type Context } from '../context';
import { ExitCode, type ExitCodeValue, UsageError } from '../errors';
import { formatBytes, line, table } from '../io';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function renderAsset(view: AssetView, showUrls = false): string {
  const lines: string[] = [];
  lines.push(`Asset ${view.assetId}${view.fileName ? `  ${view.fileName}` : ''}`);
  lines.push(`State: ${assetState(view)}`);
  lines.push(
    `Stages: ${STAGES.map((stage) => `${view.stages[stage] ? '✔' : '·'} ${stage}`).join('   ')}${view.rejected ? '   ✘ rejected' : ''}`,
  );
  if (view.rejected) {
    lines.push(
      `Rejected${view.rejected.stage ? ` by ${view.rejected.stage}` : ''}: ${view.rejected.reason} — ${view.rejected.message.replace(/\s+/g, ' ').trim()}`,
    );
  }
  const rows: string[][] = [];
  if (view.detected) rows.push(['type', `${view.detected.mime} (${view.detected.kind})`]);
  else if (view.contentType) rows.push(['declared', view.contentType]);
  if (view.size !== undefined) rows.push(['size', formatBytes(view.size)]);
  if (view.image)
    rows.push([
      'image',
      `${view.image.width}×${view.image.height}${view.image.format ? ` ${view.image.format}` : ''}`,
    ]);
  if (view.dominantColor) rows.push(['color', view.dominantColor]);
  const camera = [view.exif?.make, view.exif?.model].filter(Boolean).join(' ');
  if (camera) rows.push(['camera', camera]);
  if (view.exif?.takenAt) rows.push(['taken', view.exif.takenAt]);
  if (view.sha256) rows.push(['sha256', view.sha256]);
  if (view.processedAt) rows.push(['processed', view.processedAt]);
  if (rows.length) lines.push(table(rows, '  '));
  if (view.renditions.length) {
    lines.push('Renditions:');
    lines.push(
      table(
        view.renditions.map((r) => [
          `${r.preset}.${r.format}`,
          r.width && r.height ? `${r.width}×${r.height}` : '',
          r.bytes ? formatBytes(r.bytes) : '',
          showUrls ? (r.url ?? '') : '',
        ]),
        '  ',
      ),
    );
  }
  return lines.join('\n');
}

export async function statusCommand(
  context: Context,
  ids: string[],
  options: { urls?: boolean } = {},
): Promise<ExitCodeValue> {
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
    line(context.io.stdout, views.map((view) => renderAsset(view, options.urls)).join('\n\n'));
  }
  return views.some((v) => v.rejected) ? ExitCode.failed : ExitCode.ok;
}
