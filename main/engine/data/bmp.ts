/**
 * BMP decoder. The sharp build here has no BMP loader (libvips reads BMP only through ImageMagick,
 * which the prebuilt binaries leave out), and bmp-js 0.1.0 misreads common files: it ignores the
 * pixel-data offset, so every BITMAPV4/V5 file (what GIMP and ImageMagick write) decodes shifted, it
 * reads 32-bit BI_BITFIELDS bytes in the wrong order, and it reports the reserved byte of 32-bit BI_RGB
 * as alpha, and its RLE8 decoder writes bottom-up rows to the wrong place. This reader handles 1/4/8-bit
 * palette images (uncompressed, RLE8, RLE4), 16/24/32-bit (BI_RGB, BI_BITFIELDS), top-down and
 * bottom-up rows, and every header version (core, 40-byte, V4, V5).
 * Spec: https://learn.microsoft.com/en-us/windows/win32/gdi/bitmap-storage
 */
/** Decoded BMP pixels, row-major, top row first: grey (1), RGB (3) or RGBA (4, not premultiplied). */
export interface BmpPixels {
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  data: Uint8Array;
}

interface BmpHeader {
  dataOffset: number;
  headerSize: number;
  width: number;
  height: number;
  topDown: boolean;
  bpp: number;
  compression: number;
  colorsUsed: number;
}

const BI_RGB = 0;
const BI_RLE8 = 1;
const BI_RLE4 = 2;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;
const MAX_PIXELS = 16384 * 16384;

function readHeader(bytes: Uint8Array): BmpHeader {
  if (bytes.length < 26 || bytes[0] !== 0x42 || bytes[1] !== 0x4d) throw new Error('not a BMP file (no "BM" signature)');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerSize = v.getUint32(14, true);
  if (headerSize === 12) {
    // BITMAPCOREHEADER (OS/2 1.x): 16-bit sizes, always bottom-up, no compression.
    return { dataOffset: v.getUint32(10, true), headerSize, width: v.getUint16(18, true), height: v.getUint16(20, true), topDown: false, bpp: v.getUint16(24, true), compression: BI_RGB, colorsUsed: 0 };
  }
  if (headerSize < 40 || bytes.length < 14 + 40) throw new Error(`unsupported BMP header size ${headerSize}`);
  const rawHeight = v.getInt32(22, true);
  return {
    dataOffset: v.getUint32(10, true),
    headerSize,
    width: v.getInt32(18, true),
    height: Math.abs(rawHeight),
    topDown: rawHeight < 0,
    bpp: v.getUint16(28, true),
    compression: v.getUint32(30, true),
    colorsUsed: v.getUint32(46, true)
  };
}

/** Channel masks for 16/32-bit images: from the file for BI_BITFIELDS, else the BI_RGB defaults. */
function readMasks(bytes: Uint8Array, h: BmpHeader): number[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (h.compression === BI_BITFIELDS || h.compression === BI_ALPHABITFIELDS) {
    // The masks sit right after a 40-byte header, or inside a V2+ header: offset 54 in both cases.
    const hasAlpha = h.compression === BI_ALPHABITFIELDS || h.headerSize >= 56;
    return [v.getUint32(54, true), v.getUint32(58, true), v.getUint32(62, true), hasAlpha ? v.getUint32(66, true) : 0];
  }
  if (h.bpp === 16) return [0x7c00, 0x03e0, 0x001f, 0];
  // 32-bit BI_RGB: the fourth byte is reserved; decideAlpha() uses it only when it is not all zero.
  return [0x00ff0000, 0x0000ff00, 0x000000ff, 0xff000000];
}

function maskToByte(value: number, mask: number): number {
  if (mask === 0) return 255;
  const shift = Math.log2((mask & -mask) >>> 0);
  const max = mask >>> shift;
  return Math.round((((value & mask) >>> shift) * 255) / max);
}

function readPalette(bytes: Uint8Array, h: BmpHeader): Uint8Array[] {
  const entrySize = h.headerSize === 12 ? 3 : 4;
  const start = 14 + h.headerSize;
  const count = h.colorsUsed || 1 << h.bpp;
  const palette: Uint8Array[] = [];
  for (let i = 0; i < count && start + i * entrySize + 3 <= bytes.length; i++) {
    const o = start + i * entrySize;
    palette.push(Uint8Array.of(bytes[o + 2], bytes[o + 1], bytes[o])); // stored B, G, R
  }
  return palette;
}

/** Reads the raw value (palette index or packed pixel) of pixel x in the row starting at `row`. */
function pixelValue(bytes: Uint8Array, row: number, x: number, bpp: number): number {
  if (bpp <= 8) {
    const bit = x * bpp;
    return (bytes[row + (bit >> 3)] >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
  }
  const o = row + x * (bpp >> 3);
  if (bpp === 16) return bytes[o] | (bytes[o + 1] << 8);
  if (bpp === 24) return bytes[o] | (bytes[o + 1] << 8) | (bytes[o + 2] << 16);
  return (bytes[o] | (bytes[o + 1] << 8) | (bytes[o + 2] << 16) | (bytes[o + 3] << 24)) >>> 0;
}

function validate(bytes: Uint8Array, h: BmpHeader): number {
  if (![1, 4, 8, 16, 24, 32].includes(h.bpp)) throw new Error(`unsupported BMP bit depth ${h.bpp}`);
  if (h.width <= 0 || h.height <= 0 || h.width * h.height > MAX_PIXELS) throw new Error(`invalid BMP size ${h.width}×${h.height}`);
  const isRle = (h.compression === BI_RLE8 && h.bpp === 8) || (h.compression === BI_RLE4 && h.bpp === 4);
  const okCompression = h.compression === BI_RGB || isRle || ((h.compression === BI_BITFIELDS || h.compression === BI_ALPHABITFIELDS) && h.bpp >= 16);
  if (!okCompression) throw new Error(`unsupported BMP compression ${h.compression} at ${h.bpp} bits per pixel`);
  const stride = Math.floor((h.bpp * h.width + 31) / 32) * 4;
  if (!isRle && h.dataOffset + stride * h.height > bytes.length) throw new Error('BMP pixel data is truncated');
  return stride;
}

/** Decodes a BMP file. Throws a plain Error saying what is wrong; the caller names the file. */
export function decodeBmp(bytes: Uint8Array): BmpPixels {
  const h = readHeader(bytes);
  const stride = validate(bytes, h);
  if (h.bpp <= 8) return decodePalette(bytes, h, stride);
  const masks = readMasks(bytes, h);
  const out = new Uint8Array(h.width * h.height * 4);
  for (let y = 0; y < h.height; y++) {
    const row = h.dataOffset + (h.topDown ? y : h.height - 1 - y) * stride;
    for (let x = 0; x < h.width; x++) {
      const p = pixelValue(bytes, row, x, h.bpp);
      const o = (y * h.width + x) * 4;
      for (let c = 0; c < 4; c++) out[o + c] = maskToByte(p, masks[c]);
    }
  }
  return decideAlpha(out, h, masks[3] !== 0);
}

/** Drops the alpha channel when the file has none, or when a BI_RGB reserved byte is zero everywhere. */
function decideAlpha(rgba: Uint8Array, h: BmpHeader, hasAlphaMask: boolean): BmpPixels {
  let useAlpha = hasAlphaMask;
  if (useAlpha && h.compression === BI_RGB) {
    useAlpha = false;
    for (let i = 3; i < rgba.length; i += 4) if (rgba[i] !== 0) useAlpha = true;
  }
  if (useAlpha) return { width: h.width, height: h.height, channels: 4, data: rgba };
  const rgb = new Uint8Array(h.width * h.height * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) rgb.set(rgba.subarray(i, i + 3), j);
  return { width: h.width, height: h.height, channels: 3, data: rgb };
}

/** Palette indices of every pixel, top row first, for uncompressed and RLE-compressed files. */
function paletteIndices(bytes: Uint8Array, h: BmpHeader, stride: number): Uint8Array {
  if (h.compression === BI_RLE8 || h.compression === BI_RLE4) return decodeRle(bytes, h);
  const out = new Uint8Array(h.width * h.height);
  for (let y = 0; y < h.height; y++) {
    const row = h.dataOffset + (h.topDown ? y : h.height - 1 - y) * stride;
    for (let x = 0; x < h.width; x++) out[y * h.width + x] = pixelValue(bytes, row, x, h.bpp);
  }
  return out;
}

/**
 * RLE8/RLE4: pairs (count, value) repeat a value; (0, 0) ends a line, (0, 1) the image, (0, 2, dx, dy)
 * moves, (0, n) starts n literal indices padded to 16 bits. Rows run bottom-up; skipped pixels get index 0.
 */
function decodeRle(bytes: Uint8Array, h: BmpHeader): Uint8Array {
  const out = new Uint8Array(h.width * h.height);
  const is4 = h.compression === BI_RLE4;
  let [x, y, pos] = [0, 0, h.dataOffset];
  const put = (index: number): void => {
    if (x < h.width && y < h.height) out[(h.topDown ? y : h.height - 1 - y) * h.width + x] = index;
    x++;
  };
  const nibbleOrByte = (value: number, i: number): number => (is4 ? (i % 2 === 0 ? value >> 4 : value & 0x0f) : value);
  while (pos + 1 < bytes.length) {
    const [count, value] = [bytes[pos], bytes[pos + 1]];
    pos += 2;
    if (count > 0) {
      for (let i = 0; i < count; i++) put(nibbleOrByte(value, i));
    } else if (value === 0) {
      [x, y] = [0, y + 1];
    } else if (value === 1) {
      break;
    } else if (value === 2) {
      [x, y, pos] = [x + bytes[pos], y + bytes[pos + 1], pos + 2];
    } else {
      const used = is4 ? Math.ceil(value / 2) : value;
      if (pos + used > bytes.length) throw new Error('BMP RLE data is truncated');
      for (let i = 0; i < value; i++) put(nibbleOrByte(bytes[pos + (is4 ? i >> 1 : i)], i));
      pos += used + (used & 1);
    }
  }
  return out;
}

function decodePalette(bytes: Uint8Array, h: BmpHeader, stride: number): BmpPixels {
  const palette = readPalette(bytes, h);
  const indices = paletteIndices(bytes, h, stride);
  // A palette of greys (r = g = b) is a greyscale image, kept at one channel like a grey PNG.
  const grey = palette.every((e) => e[0] === e[1] && e[1] === e[2]);
  const channels = grey ? 1 : 3;
  const out = new Uint8Array(h.width * h.height * channels);
  indices.forEach((index, i) => {
    const entry = palette[index];
    if (!entry) throw new Error('BMP pixel refers past the end of the palette');
    if (grey) out[i] = entry[0];
    else out.set(entry, i * 3);
  });
  return { width: h.width, height: h.height, channels, data: out };
}
