import { booleanFlag, ConfigError, positiveInteger, readAwsConfig, requiredString } from '../src/config';

describe('config readers', () => {
  it('names the missing variable', () => {
    expect(() => requiredString({}, 'INGEST_BUCKET')).toThrow(
      new ConfigError('Missing required environment variable INGEST_BUCKET'),
    );
  });

  it('refuses a non-integer', () => {
    expect(() => positiveInteger({ N: '1.5' }, 'N')).toThrow('N must be a positive integer, got "1.5"');
    expect(positiveInteger({}, 'N', 7)).toBe(7);
  });

  it('reads flags strictly', () => {
    expect(booleanFlag({ F: 'true' }, 'F')).toBe(true);
    expect(() => booleanFlag({ F: 'maybe' }, 'F')).toThrow(ConfigError);
  });

  it('uses path-style S3 when an endpoint is set', () => {
    expect(readAwsConfig({ AWS_ENDPOINT_URL: 'http://127.0.0.1:5000' })).toEqual({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:5000',
      forcePathStyle: true,
    });
    expect(readAwsConfig({ AWS_REGION: 'eu-west-1' })).toEqual({
      region: 'eu-west-1',
      endpoint: undefined,
      forcePathStyle: false,
    });
  });
});
