import {
  constants,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  publicEncrypt,
  randomBytes,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import {
  decryptContent,
  NotificationDecryptor,
  type EncryptedContent,
} from '../../../src/adapters/graph/graph-notification-crypto.js';

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
  it("decrypts Microsoft's vector to the documented plaintext", async () => {
    const r = await decryptContent(content, [key]);
    if (!r.ok) throw new Error(r.error);
    expect(Buffer.byteLength(r.value)).toBe(vector.expected.plaintextLength);
    expect(createHash('sha256').update(r.value).digest('hex')).toBe(vector.expected.plaintextSha256);
    expect(JSON.parse(r.value)).toMatchObject({
      id: '1625126194597',
      body: { contentType: 'text', content: 'Hello World' },
    });
  });

  it('finds the key by thumbprint when the certificate id is unknown (rotation)', async () => {
    expect((await decryptContent({ ...content, encryptionCertificateId: 'renamed' }, [key])).ok).toBe(true);
  });

  it('refuses to decrypt when the HMAC does not match (tampered data)', async () => {
    const data = Buffer.from(content.data, 'base64');
    data[10] = data[10]! ^ 1;
    expect(await decryptContent({ ...content, data: data.toString('base64') }, [key])).toEqual({
      ok: false,
      error: 'WEBHOOK.BAD_SIGNATURE',
    });
  });

  it('rejects a forged signature and an unknown certificate', async () => {
    expect(await decryptContent({ ...content, dataSignature: Buffer.alloc(32).toString('base64') }, [key])).toEqual({
      ok: false,
      error: 'WEBHOOK.BAD_SIGNATURE',
    });
    expect(
      await decryptContent({ ...content, encryptionCertificateId: 'x', encryptionCertificateThumbprint: '00' }, [key]),
    ).toEqual({ ok: false, error: 'WEBHOOK.UNKNOWN_CERTIFICATE' });
  });

  it('rejects a data key not wrapped for our certificate', async () => {
    expect(await decryptContent({ ...content, dataKey: Buffer.alloc(512, 7).toString('base64') }, [key])).toEqual({
      ok: false,
      error: 'WEBHOOK.BAD_DATA_KEY',
    });
  });
});

describe('the unwrapped-key cache (redeliveries cost no RSA again)', () => {
  const tampered = (c: EncryptedContent): EncryptedContent => {
    const data = Buffer.from(c.data, 'base64');
    data[0] = data[0]! ^ 1;
    return { ...c, data: data.toString('base64') };
  };

  it('remembers a data key once unwrapped, and a second delivery of it decrypts the same', async () => {
    const decryptor = new NotificationDecryptor([key]);
    const first = await decryptor.decrypt(content);
    expect(decryptor.cachedKeys).toBe(1);
    expect(await decryptor.decrypt(content)).toEqual(first);
    expect(decryptor.cachedKeys).toBe(1);
  });

  it('still checks the HMAC of every item: a known key does not vouch for tampered data or a forged signature', async () => {
    const decryptor = new NotificationDecryptor([key]);
    expect((await decryptor.decrypt(content)).ok).toBe(true);
    expect(await decryptor.decrypt(tampered(content))).toEqual({ ok: false, error: 'WEBHOOK.BAD_SIGNATURE' });
    expect(await decryptor.decrypt({ ...content, dataSignature: Buffer.alloc(32).toString('base64') })).toEqual({
      ok: false,
      error: 'WEBHOOK.BAD_SIGNATURE',
    });
  });

  it('does not remember a data key that failed to unwrap, nor lend a key to another certificate', async () => {
    const other = {
      ...key,
      certificateId: 'other-cert',
      thumbprint: '00',
      privateKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
    };
    const decryptor = new NotificationDecryptor([key, other]);
    expect((await decryptor.decrypt(content)).ok).toBe(true);
    const bad = { ...content, dataKey: Buffer.alloc(256, 7).toString('base64') };
    expect(await decryptor.decrypt(bad)).toEqual({ ok: false, error: 'WEBHOOK.BAD_DATA_KEY' });
    // The same wrapped bytes named for another certificate are unwrapped with that certificate's key (and fail).
    expect(
      await decryptor.decrypt({
        ...content,
        encryptionCertificateId: 'other-cert',
        encryptionCertificateThumbprint: '00',
      }),
    ).toEqual({ ok: false, error: 'WEBHOOK.BAD_DATA_KEY' });
    expect(decryptor.cachedKeys).toBe(1);
  });

  it('stays within its bound', async () => {
    const decryptor = new NotificationDecryptor([key], { cachedKeys: 1 });
    const { publicKey } = { publicKey: createPublicKey(key.privateKey) };
    const wrap = (k: Buffer) =>
      publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, k).toString(
        'base64',
      );
    await decryptor.decrypt({ ...content, dataKey: wrap(randomBytes(32)) });
    await decryptor.decrypt({ ...content, dataKey: wrap(randomBytes(32)) });
    expect(decryptor.cachedKeys).toBe(1);
  });
});
