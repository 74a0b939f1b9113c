/**
 * Draws the Teams app icons (appPackage/color.png 192×192, outline.png 32×32 white on
 * transparent) with a minimal PNG encoder, so the icons are reproducible from source.
 * Run: npx tsx scripts/make-icons.ts
 */
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

type Rgba = readonly [number, number, number, number];

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}

/** An 8-bit RGBA PNG, filter 0 on every row. */
export function encodePng(size: number, pixel: (x: number, y: number) => Rgba): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8);
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) raw.set(pixel(x, y), y * (size * 4 + 1) + 1 + x * 4);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The mark: a ring (the agent) with a presence dot at its lower right, in unit coordinates. */
function mark(u: number, v: number): 'ring' | 'dot' | 'none' {
  const ring = Math.hypot(u - 0.44, v - 0.44);
  const dot = Math.hypot(u - 0.72, v - 0.72);
  if (dot < 0.15) return 'dot';
  if (dot < 0.21) return 'none';
  return ring > 0.2 && ring < 0.31 ? 'ring' : 'none';
}

const WHITE: Rgba = [255, 255, 255, 255];
const BLUE: Rgba = [43, 108, 176, 255];
const GREEN: Rgba = [146, 195, 83, 255];
const CLEAR: Rgba = [255, 255, 255, 0];

const color = encodePng(192, (x, y) => {
  const m = mark((x + 0.5) / 192, (y + 0.5) / 192);
  return m === 'ring' ? WHITE : m === 'dot' ? GREEN : BLUE;
});
const outline = encodePng(32, (x, y) => (mark((x + 0.5) / 32, (y + 0.5) / 32) === 'none' ? CLEAR : WHITE));

writeFileSync(new URL('../appPackage/color.png', import.meta.url), color);
writeFileSync(new URL('../appPackage/outline.png', import.meta.url), outline);
