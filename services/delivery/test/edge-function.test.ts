import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runInNewContext } from 'node:vm';
import { negotiateFormat } from '../src/domain/formats';
import { parseRoute } from '../src/domain/request';
import { ASSET_ID } from './support';

interface CloudFrontRequest {
  uri: string;
  querystring: Record<string, { value: string }>;
  headers: Record<string, { value: string }>;
}

/** The CloudFront Function, run as CloudFront runs it: one script, a global handler(event). */
const source = readFileSync(resolve(__dirname, '../edge/viewer-request.js'), 'utf8');
const handler = runInNewContext(`${source}\nhandler;`, {}) as (event: {
  request: CloudFrontRequest;
}) => CloudFrontRequest;

function viewerRequest(uri: string, accept?: string, querystring: Record<string, { value: string }> = {}) {
  return handler({ request: { uri, querystring, headers: accept ? { accept: { value: accept } } : {} } });
}

describe('the viewer-request CloudFront Function', () => {
  it('maps preset URLs with a fixed format to the stored rendition key, which delivery also serves', () => {
    const request = viewerRequest(`/v/${ASSET_ID}/thumb.webp`, 'image/webp', { v: { value: '2' } });
    expect(request).toEqual({ uri: `/renditions/${ASSET_ID}/thumb.webp`, querystring: {}, headers: {} });
    // On a bucket miss CloudFront forwards the rewritten path to the function URL: it is a route.
    expect(parseRoute('GET', request.uri, '', { maxDimension: 4096 })).toEqual({
      kind: 'preset',
      assetId: ASSET_ID,
      preset: 'thumb',
      format: 'webp',
    });
  });

  it('leaves auto and ad-hoc URLs alone but reduces Accept to what format=auto reads', () => {
    const chrome = 'image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8';
    const auto = viewerRequest(`/v/${ASSET_ID}/medium.auto`, chrome);
    expect(auto.uri).toBe(`/v/${ASSET_ID}/medium.auto`);
    expect(auto.headers.accept).toEqual({ value: 'image/avif,image/webp,*/*' });
    const adHoc = viewerRequest(`/v/${ASSET_ID}`, 'image/avif;q=0,image/webp', { w: { value: '300' } });
    expect(adHoc.querystring).toEqual({ w: { value: '300' } });
    expect(adHoc.headers.accept).toEqual({ value: 'image/webp,*/*' });
    expect(viewerRequest(`/v/${ASSET_ID}/thumb.auto`).headers.accept).toEqual({ value: '*/*' });
  });

  it('never changes what format=auto picks', () => {
    const accepts = [
      'image/avif,image/webp,*/*',
      'image/webp,*/*;q=0.8',
      'image/avif;q=0,image/webp;q=0.5',
      'image/png,image/*;q=0.8',
      '',
    ];
    for (const accept of accepts) {
      const normalized = viewerRequest(`/v/${ASSET_ID}/thumb.auto`, accept).headers.accept?.value;
      expect(negotiateFormat(normalized)).toBe(negotiateFormat(accept));
      expect(negotiateFormat(normalized, ['webp', 'jpeg'])).toBe(negotiateFormat(accept, ['webp', 'jpeg']));
    }
  });
});
