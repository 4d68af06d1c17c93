import { ConfigError } from '@sluice/runtime';
import { readConfig } from '../src/config';
import { DEFAULT_PRESETS } from '../src/domain/presets';

const base = {
  INGEST_BUCKET: 'ingest',
  PROCESSED_BUCKET: 'processed',
  PIPELINE_EVENTS_TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:pipeline-events',
};

describe('readConfig', () => {
  it('has production defaults for every limit and the default presets', () => {
    expect(readConfig(base)).toMatchObject({
      presets: DEFAULT_PRESETS,
      maxPixels: 100_000_000,
      maxImageBytes: 100 * 1024 * 1024,
      timeoutSeconds: 20,
      encodeConcurrency: 2,
    });
  });

  it('reads presets as a rendition-presets/v1 document', () => {
    const presets = { presets: [{ name: 'tiny', width: 64, formats: [{ format: 'avif', quality: 40 }] }] };
    expect(
      readConfig({ ...base, PROCESSOR_PRESETS: JSON.stringify(presets), PROCESSOR_MAX_PIXELS: '5000000' }),
    ).toMatchObject({
      presets: presets.presets,
      maxPixels: 5_000_000,
    });
  });

  it('fails at start, with the reason, on bad settings', () => {
    expect(() => readConfig({ ...base, PROCESSOR_PRESETS: '{oops' })).toThrow(ConfigError);
    expect(() =>
      readConfig({
        ...base,
        PROCESSOR_PRESETS: '{"presets":[{"name":"x","width":1,"formats":[{"format":"webp","qualty":5}]}]}',
      }),
    ).toThrow(/PROCESSOR_PRESETS: Invalid rendition presets: .*qualty/);
    expect(() => readConfig({ ...base, PROCESSOR_TIMEOUT_SECONDS: '-1' })).toThrow(
      /PROCESSOR_TIMEOUT_SECONDS must be a positive integer/,
    );
    expect(() => readConfig({ ...base, INGEST_BUCKET: '' })).toThrow(/INGEST_BUCKET/);
  });
});
