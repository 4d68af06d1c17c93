import {
  archiveKey,
  isAssetId,
  manifestKey,
  newAssetId,
  parseArchiveKey,
  parseManifestKey,
  parseUploadKey,
  sanitizeFileName,
  uploadKey,
} from '../src/keys';

describe('key layout', () => {
  const assetId = '0b6a7c1e-2f4d-4e8a-9c3b-5d6e7f8a9b0c';

  it('round-trips an upload key', () => {
    const key = uploadKey({ tenantId: 'acme', assetId, fileName: 'Photo 1.jpg' });
    expect(key).toBe(`uploads/acme/${assetId}/Photo 1.jpg`);
    expect(parseUploadKey(key)).toEqual({ tenantId: 'acme', assetId, fileName: 'Photo 1.jpg' });
  });

  it.each([
    ['outside the prefix', `other/acme/${assetId}/a.jpg`],
    ['missing file name', `uploads/acme/${assetId}/`],
    ['nested file name', `uploads/acme/${assetId}/dir/a.jpg`],
    ['bad tenant', `uploads/ACME/${assetId}/a.jpg`],
    ['bad asset id', 'uploads/acme/not-a-uuid/a.jpg'],
  ])('refuses a key %s', (_why, key) => {
    expect(parseUploadKey(key)).toBeNull();
  });

  it('derives manifest and archive keys', () => {
    expect(parseManifestKey(manifestKey(assetId))).toBe(assetId);
    expect(parseManifestKey('manifests/x.json')).toBeNull();
    expect(archiveKey({ tenantId: 't1', assetId, fileName: 'a.png' })).toBe(`originals/t1/${assetId}/a.png`);
  });

  it('makes fresh UUID asset ids', () => {
    const id = newAssetId();
    expect(isAssetId(id)).toBe(true);
    expect(newAssetId()).not.toBe(id);
  });

  it.each([
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\me\\cat.png', 'cat.png'],
    ['...hidden', 'hidden'],
    ['a\u0000b\nc.txt', 'abc.txt'],
    ['what?.jpg', 'what_.jpg'],
    ['', 'file'],
    ['   ', 'file'],
    ['été à Zürich.jpg', 'été à Zürich.jpg'],
    ['right-to-left \u202Egpj.exe', 'right-to-left gpj.exe'],
    ['\u2066isolate\u2069 \u200Fmark.png', 'isolate mark.png'],
  ])('sanitizes %j to %j', (input, expected) => {
    expect(sanitizeFileName(input)).toBe(expected);
  });

  it('caps long names at 200 bytes and keeps the extension', () => {
    const name = sanitizeFileName(`${'ж'.repeat(300)}.jpeg`);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(200);
    expect(name.endsWith('.jpeg')).toBe(true);
  });
});

describe('parseArchiveKey', () => {
  it('reads the tenant, asset and file name of an archived original, and refuses anything else', () => {
    const location = {
      tenantId: 'acme',
      assetId: '0b6a7c1e-2f4d-4e8a-9c3b-5d6e7f8a9b0c',
      fileName: 'a b.jpg',
    };
    expect(parseArchiveKey(archiveKey(location))).toEqual(location);
    expect(parseArchiveKey(uploadKey(location))).toBeNull();
    expect(parseArchiveKey('originals/acme/not-a-uuid/a.jpg')).toBeNull();
    expect(parseArchiveKey('originals/acme/0b6a7c1e-2f4d-4e8a-9c3b-5d6e7f8a9b0c/x/a.jpg')).toBeNull();
  });
});
