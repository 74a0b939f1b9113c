import { CryptoBox, CryptoBoxError, keyId } from '../../../src/adapters/store/crypto-box.js';
import { testKey } from './store-harness.js';

describe('CryptoBox (AES-256-GCM, versioned envelope)', () => {
  const key = testKey();
  const box = new CryptoBox([key]);

  it('opens what it sealed, and the envelope names version and key but not the plaintext', () => {
    const sealed = box.seal('s3cret-value', 'row-1');
    expect(sealed.startsWith(`v1.${keyId(key)}.`)).toBe(true);
    expect(sealed).not.toContain('s3cret');
    expect(box.open(sealed, 'row-1')).toBe('s3cret-value');
  });

  it('uses a fresh IV each time, so equal plaintexts do not look equal', () => {
    expect(box.seal('same', 'r')).not.toBe(box.seal('same', 'r'));
  });

  const expectCode = (f: () => unknown, code: CryptoBoxError['code']) => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(CryptoBoxError);
      expect((e as CryptoBoxError).code).toBe(code);
      return;
    }
    throw new Error('expected a CryptoBoxError');
  };

  it('refuses a tampered ciphertext with CRYPTO.TAMPERED, never garbage', () => {
    const parts = box.seal('hello world', 'r').split('.');
    const body = Buffer.from(parts[4] ?? '', 'base64url');
    body[0] = (body[0] ?? 0) ^ 1;
    parts[4] = body.toString('base64url');
    expectCode(() => box.open(parts.join('.'), 'r'), 'CRYPTO.TAMPERED');
  });

  it('refuses the genuine tag cut short (GCM tags are 16 bytes; a 4-byte tag could be forged by trial)', () => {
    const parts = box.seal('hello world', 'r').split('.');
    const tag = Buffer.from(parts[3] ?? '', 'base64url');
    expect(tag.length).toBe(16);
    for (const bytes of [4, 8, 12, 15]) {
      parts[3] = tag.subarray(0, bytes).toString('base64url');
      expectCode(() => box.open(parts.join('.'), 'r'), 'CRYPTO.TAMPERED');
    }
  });

  it('refuses a value moved to another row (associated data differs)', () => {
    expectCode(() => box.open(box.seal('x', 'tenant-a'), 'tenant-b'), 'CRYPTO.TAMPERED');
  });

  it('names an unknown key (the configured key changed) with CRYPTO.UNKNOWN_KEY', () => {
    expectCode(() => new CryptoBox([testKey()]).open(box.seal('x', 'r'), 'r'), 'CRYPTO.UNKNOWN_KEY');
  });

  it('refuses something that is not an envelope with CRYPTO.MALFORMED', () => {
    expectCode(() => box.open('plain text', 'r'), 'CRYPTO.MALFORMED');
  });

  it('rotates: a box with a new key first still opens values sealed with the old key, and marks them stale', () => {
    const old = box.seal('kept', 'r');
    const rotated = new CryptoBox([testKey(), key]);
    expect(rotated.open(old, 'r')).toBe('kept');
    expect(rotated.isStale(old)).toBe(true);
    expect(rotated.isStale(rotated.seal('new', 'r'))).toBe(false);
  });

  it('rejects keys that are not 32 bytes', () => {
    expect(() => new CryptoBox([Buffer.alloc(16)])).toThrow(/32-byte/);
  });
});
