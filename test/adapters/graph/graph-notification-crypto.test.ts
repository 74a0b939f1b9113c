import { createHash, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { decryptContent, type EncryptedContent } from '../../../src/adapters/graph/graph-notification-crypto.js';

const dir = new URL('./fixtures/', import.meta.url);
const vector = JSON.parse(readFileSync(new URL('graph-kat-vector.json', dir), 'utf8')) as EncryptedContent & {
  expected: { plaintextLength: number; plaintextSha256: string };
};
const key = {
  certificateId: 'custom-id-for-testing',
  thumbprint: '4B95353E086AD37196606ACF834A14532F03E6DB',
  privateKey: createPrivateKey(readFileSync(new URL('graph-kat-key.pem', dir))),
};
const content: EncryptedContent = {
  data: vector.data,
  dataSignature: vector.dataSignature,
  dataKey: vector.dataKey,
  encryptionCertificateId: vector.encryptionCertificateId,
  encryptionCertificateThumbprint: vector.encryptionCertificateThumbprint,
};

describe('rich notification decryption (known-answer test, reference §7.1)', () => {
  it("decrypts Microsoft's vector to the documented plaintext", () => {
    const r = decryptContent(content, [key]);
    if (!r.ok) throw new Error(r.error);
    expect(Buffer.byteLength(r.value)).toBe(vector.expected.plaintextLength);
    expect(createHash('sha256').update(r.value).digest('hex')).toBe(vector.expected.plaintextSha256);
    expect(JSON.parse(r.value)).toMatchObject({
      id: '1625126194597',
      body: { contentType: 'text', content: 'Hello World' },
    });
  });

  it('finds the key by thumbprint when the certificate id is unknown (rotation)', () => {
    expect(decryptContent({ ...content, encryptionCertificateId: 'renamed' }, [key]).ok).toBe(true);
  });

  it('refuses to decrypt when the HMAC does not match (tampered data)', () => {
    const data = Buffer.from(content.data, 'base64');
    data[10] = data[10]! ^ 1;
    expect(decryptContent({ ...content, data: data.toString('base64') }, [key])).toEqual({
      ok: false,
      error: 'WEBHOOK.BAD_SIGNATURE',
    });
  });

  it('rejects a forged signature and an unknown certificate', () => {
    expect(decryptContent({ ...content, dataSignature: Buffer.alloc(32).toString('base64') }, [key])).toEqual({
      ok: false,
      error: 'WEBHOOK.BAD_SIGNATURE',
    });
    expect(
      decryptContent({ ...content, encryptionCertificateId: 'x', encryptionCertificateThumbprint: '00' }, [key]),
    ).toEqual({ ok: false, error: 'WEBHOOK.UNKNOWN_CERTIFICATE' });
  });

  it('rejects a data key not wrapped for our certificate', () => {
    expect(decryptContent({ ...content, dataKey: Buffer.alloc(512, 7).toString('base64') }, [key])).toEqual({
      ok: false,
      error: 'WEBHOOK.BAD_DATA_KEY',
    });
  });
});
