import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildSluice } from '../src/app';

/**
 * The one test that bundles for real: the processor (the function with a native module), with local
 * esbuild and no Docker. sharp must arrive as linux-arm64 binaries next to an ESM bundle with its map.
 */
describe('bundling the processor', () => {
  let assetDir: string;
  let template: Template;

  beforeAll(() => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': ['Sluice-dev-ProcessorService'] } });
    const { services } = buildSluice(app, { only: ['processor'] });
    const assembly = app.synth();
    template = Template.fromStack(services.processor as never);
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function')) as {
      Properties: { Code: { S3Key: string } };
    }[];
    // The staged asset folder is named after the asset hash, which is also the S3 key.
    assetDir = join(assembly.directory, `asset.${fn?.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
  });

  it('emits a minified ESM bundle with a source map', () => {
    const bundle = readFileSync(join(assetDir, 'index.mjs'), 'utf8');
    expect(existsSync(join(assetDir, 'index.mjs.map'))).toBe(true);
    expect(bundle).toMatch(/\bexport\s*\{/);
    expect(bundle).toContain('sourceMappingURL=index.mjs.map');
    expect(bundle).not.toMatch(/\brequire\(["']sharp["']\)/); // sharp is imported, not bundled
    expect(bundle.length / bundle.split('\n').length).toBeGreaterThan(1000); // minified: few, long lines
  });

  it('ships sharp with its linux-arm64 binary and libvips, and nothing for other platforms', () => {
    const img = readdirSync(join(assetDir, 'node_modules', '@img'));
    expect(img).toEqual(expect.arrayContaining(['sharp-linux-arm64', 'sharp-libvips-linux-arm64']));
    const platformPackages = img.filter((d) => d.startsWith('sharp-'));
    expect(platformPackages.sort()).toEqual(['sharp-libvips-linux-arm64', 'sharp-linux-arm64']);
    const binaries = readdirSync(join(assetDir, 'node_modules', '@img', 'sharp-linux-arm64', 'lib'));
    expect(binaries.some((f) => f.endsWith('.node'))).toBe(true);
    expect(existsSync(join(assetDir, 'node_modules', 'sharp', 'package.json'))).toBe(true);
  });

  it('leaves no package.json or lockfile in the asset (a stable hash)', () => {
    expect(existsSync(join(assetDir, 'package.json'))).toBe(false);
    expect(existsSync(join(assetDir, 'package-lock.json'))).toBe(false);
  });

  it('points the function at the bundle', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: 'nodejs22.x',
    });
  });
});
