import { createHash } from 'node:crypto';
import {
  compositeSha256,
  copyIsVerified,
  parseS3Checksum,
  sha256HexToBase64,
  verifyCompositeCopy,
} from '../src/domain/checksum';
import { PartHasher } from '../src/domain/part-hasher';
import { MAX_PARTS, partSizeFor, planParts } from '../src/domain/parts';
import {
  availabilityOf,
  parseRestoreHeader,
  RestoreRequestError,
  restoreParameters,
} from '../src/domain/restore';

const MIB = 1024 ** 2;
const b64 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('base64');

describe('checksums', () => {
  it('compares a manifest hex SHA-256 with S3 base64', () => {
    const hex = createHash('sha256').update('abc').digest('hex');
    expect(sha256HexToBase64(hex)).toBe('ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=');
    expect(copyIsVerified(hex, 'ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=')).toBe(true);
    expect(copyIsVerified(hex, undefined)).toBe(false);
  });

  it('parses full-object and composite checksums', () => {
    expect(parseS3Checksum('NAelcFxvZbFcpaAZ9Kab1T8rV3oH3HxO5yAR+6KHGMY=-3')).toEqual({
      digest: 'NAelcFxvZbFcpaAZ9Kab1T8rV3oH3HxO5yAR+6KHGMY=',
      parts: 3,
    });
    expect(parseS3Checksum('ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=')).toEqual({
      digest: 'ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=',
    });
  });

  // The expected value is what moto 5.2.1 reported for a multipart copy of these exact bytes
  // (HeadObject ChecksumSHA256 with ChecksumMode ENABLED): an oracle outside this code.
  const body = Buffer.alloc(12 * MIB + 123);
  for (let i = 0; i < body.length; i++) body[i] = (i * 7) & 255;
  const parts = planParts(body.length, 5 * MIB).map((p) => b64(body.subarray(p.first, p.last + 1)));
  const source = {
    sha256Hex: createHash('sha256').update(body).digest('hex'),
    partDigests: parts,
    partSize: 5 * MIB,
    size: body.length,
  };

  it("computes S3's composite SHA-256 of a multipart object", () => {
    expect(compositeSha256(parts)).toEqual({
      digest: 'NAelcFxvZbFcpaAZ9Kab1T8rV3oH3HxO5yAR+6KHGMY=',
      parts: 3,
    });
  });

  it('verifies a composite copy only when both the whole and the parts agree', () => {
    const copy = 'NAelcFxvZbFcpaAZ9Kab1T8rV3oH3HxO5yAR+6KHGMY=-3';
    expect(verifyCompositeCopy(source.sha256Hex, copy, source)).toEqual({ verified: true });
    expect(verifyCompositeCopy(source.sha256Hex, copy.replace('-3', ''), source)).toEqual({ verified: true });
    expect(verifyCompositeCopy('0'.repeat(64), copy, source)).toMatchObject({ verified: false });
    expect(verifyCompositeCopy(source.sha256Hex, copy.replace('-3', '-4'), source)).toMatchObject({
      verified: false,
      reason: 'the copy has 4 parts, the original was read in 3',
    });
    const otherParts = { ...source, partDigests: [...parts].reverse() };
    expect(verifyCompositeCopy(source.sha256Hex, copy, otherParts)).toMatchObject({ verified: false });
    expect(verifyCompositeCopy(source.sha256Hex, undefined, source)).toMatchObject({ verified: false });
  });
});

describe('parts', () => {
  it('plans equal parts and a shorter last one', () => {
    expect(planParts(12 * MIB + 123, 5 * MIB)).toEqual([
      { partNumber: 1, first: 0, last: 5 * MIB - 1 },
      { partNumber: 2, first: 5 * MIB, last: 10 * MIB - 1 },
      { partNumber: 3, first: 10 * MIB, last: 12 * MIB + 122 },
    ]);
    expect(planParts(5 * MIB, 5 * MIB)).toHaveLength(1);
    expect(() => planParts(0, 5 * MIB)).toThrow(RangeError);
  });

  it('raises the part size to stay within 10,000 parts, and refuses objects over 5 TiB', () => {
    expect(partSizeFor(6 * 1024 ** 3, 256 * MIB)).toBe(256 * MIB);
    expect(partSizeFor(6 * 1024 ** 3, 1)).toBe(5 * MIB);
    const fiveTiB = 5 * 1024 ** 4;
    const size = partSizeFor(fiveTiB, 256 * MIB);
    expect(size % MIB).toBe(0);
    expect(Math.ceil(fiveTiB / size)).toBeLessThanOrEqual(MAX_PARTS);
    expect(() => partSizeFor(10_000 * 5 * 1024 ** 3 + 1, 256 * MIB)).toThrow(/5 TiB/);
  });
});

describe('restore', () => {
  it('parses x-amz-restore', () => {
    expect(parseRestoreHeader('ongoing-request="true"')).toEqual({ ongoing: true });
    expect(
      parseRestoreHeader('ongoing-request="false", expiry-date="Fri, 21 Dec 2012 00:00:00 GMT"'),
    ).toEqual({
      ongoing: false,
      expiresAt: '2012-12-21T00:00:00.000Z',
    });
    expect(parseRestoreHeader(undefined)).toBeUndefined();
  });

  it.each([
    [{ storageClass: 'GLACIER_IR', size: 1 }, 'available'],
    [{ storageClass: 'STANDARD', size: 1 }, 'available'],
    [{ storageClass: 'INTELLIGENT_TIERING', size: 1 }, 'available'],
    [
      { storageClass: 'INTELLIGENT_TIERING', size: 1, archiveStatus: 'DEEP_ARCHIVE_ACCESS' as const },
      'archived',
    ],
    [{ storageClass: 'DEEP_ARCHIVE', size: 1 }, 'archived'],
    [{ storageClass: 'GLACIER', size: 1, restore: { ongoing: true } }, 'restoring'],
    [
      {
        storageClass: 'DEEP_ARCHIVE',
        size: 1,
        restore: { ongoing: false, expiresAt: '2026-01-01T00:00:00.000Z' },
      },
      'restored',
    ],
  ])('%o is %s', (state, expected) => {
    expect(availabilityOf(state)).toBe(expected);
  });

  it('defaults to Standard for 7 days and checks the tier against the storage class', () => {
    expect(restoreParameters({ storageClass: 'DEEP_ARCHIVE', size: 1 }, {})).toEqual({
      tier: 'Standard',
      days: 7,
    });
    expect(restoreParameters({ storageClass: 'GLACIER', size: 1 }, { tier: 'Expedited', days: 1 })).toEqual({
      tier: 'Expedited',
      days: 1,
    });
    expect(() => restoreParameters({ storageClass: 'DEEP_ARCHIVE', size: 1 }, { tier: 'Expedited' })).toThrow(
      /Expedited retrieval is not available for DEEP_ARCHIVE/,
    );
    expect(() => restoreParameters({ storageClass: 'GLACIER', size: 1 }, { days: 0 })).toThrow(
      RestoreRequestError,
    );
    expect(() => restoreParameters({ storageClass: 'GLACIER', size: 1 }, { tier: 'bulk' })).toThrow(
      /tier must be/,
    );
    // Intelligent-Tiering archive tiers take no Days: the object moves back to its frequent tier.
    expect(
      restoreParameters(
        { storageClass: 'INTELLIGENT_TIERING', size: 1, archiveStatus: 'ARCHIVE_ACCESS' },
        { days: 3 },
      ),
    ).toEqual({ tier: 'Standard' });
  });
});

describe('PartHasher', () => {
  it('hashes whole and per part whatever the chunking, as hashing each part alone does', () => {
    const body = Buffer.alloc(3 * MIB + 17);
    for (let i = 0; i < body.length; i++) body[i] = (i * 31) & 255;
    const expected = {
      sha256Hex: createHash('sha256').update(body).digest('hex'),
      partDigests: planParts(body.length, MIB).map((p) => b64(body.subarray(p.first, p.last + 1))),
      partSize: MIB,
      size: body.length,
    };
    for (const chunk of [1000, MIB, 5 * MIB, 65_537]) {
      const hasher = new PartHasher(MIB);
      for (let offset = 0; offset < body.length; offset += chunk)
        hasher.update(body.subarray(offset, offset + chunk));
      expect(hasher.digest()).toEqual(expected);
    }
  });
});
