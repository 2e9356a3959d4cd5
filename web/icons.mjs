// The app icons (manifest, home screen) drawn from the favicon's own design (src/static/favicon.svg:
// a rounded indigo square, two people) by a small rasteriser, so they are reproducible without an
// image library: `node icons.mjs` writes src/static/icons/*.png, and test/icons.test.mjs checks that
// the committed files still hold exactly these pixels. The maskable icon fills the whole square and
// keeps the people inside the central 80% circle that platforms may crop to (W3C manifest spec).
import { crc32, deflateSync } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const INDIGO = [0x37, 0x30, 0xa3];
const WHITE = [0xff, 0xff, 0xff];
const LILAC = [0xa5, 0xb4, 0xfc];

// favicon.svg's shapes, in its 32 x 32 viewBox and painting order (the background is added below).
const PEOPLE = [
  { fill: WHITE, outline: circle(12, 13, 4.5) },
  { fill: LILAC, outline: circle(21, 13, 4.5) },
  { fill: WHITE, outline: path('M5 25c1.2-4 4-6 7-6s5.8 2 7 6z') },
  { fill: LILAC, outline: path('M15.5 20.2c1.5-.8 3.2-1.2 5.5-1.2 3 0 5.8 2 7 6h-10.3c-.5-1.9-1.2-3.5-2.2-4.8z') },
];

export const ICONS = [
  { file: 'icon-192.png', size: 192, maskable: false },
  { file: 'icon-512.png', size: 512, maskable: false },
  { file: 'maskable-512.png', size: 512, maskable: true },
];

function circle(cx, cy, r, steps = 96) {
  return Array.from({ length: steps }, (_, i) => {
    const angle = (2 * Math.PI * i) / steps;
    return [cx + r * Math.cos(angle), cy + r * Math.sin(angle)];
  });
}

function roundedSquare(size, r, steps = 24) {
  const corners = [
    [size - r, r, -Math.PI / 2],
    [size - r, size - r, 0],
    [r, size - r, Math.PI / 2],
    [r, r, Math.PI],
  ];
  return corners.flatMap(([cx, cy, start]) =>
    Array.from({ length: steps + 1 }, (_, i) => {
      const angle = start + (Math.PI / 2) * (i / steps);
      return [cx + r * Math.cos(angle), cy + r * Math.sin(angle)];
    }),
  );
}

function cubic(from, c1, c2, to, steps = 32) {
  const points = [];
  for (let i = 1; i <= steps; i++) {
    const t = i / steps;
    const u = 1 - t;
    points.push([0, 1].map((k) => u * u * u * from[k] + 3 * u * u * t * c1[k] + 3 * u * t * t * c2[k] + t * t * t * to[k]));
  }
  return points;
}

/** The outline of an SVG path made of the commands favicon.svg uses: M, c, s, h, z. */
function path(d) {
  const tokens = d.match(/[MmCcSsHhZz]|-?(?:\d*\.\d+|\d+)/g);
  let at = [0, 0];
  let lastControl = null;
  let command = null;
  const points = [];
  const numbers = (n) => tokens.splice(0, n).map(Number);
  while (tokens.length) {
    if (/[A-Za-z]/.test(tokens[0])) command = tokens.shift();
    if (command === 'M') {
      at = numbers(2);
      points.push(at);
      command = 'L';
    } else if (command === 'c') {
      const [a, b, c, e, f, g] = numbers(6);
      const c1 = [at[0] + a, at[1] + b];
      const c2 = [at[0] + c, at[1] + e];
      const to = [at[0] + f, at[1] + g];
      points.push(...cubic(at, c1, c2, to));
      [at, lastControl] = [to, c2];
    } else if (command === 's') {
      const [c, e, f, g] = numbers(4);
      const c1 = lastControl ? [2 * at[0] - lastControl[0], 2 * at[1] - lastControl[1]] : at;
      const c2 = [at[0] + c, at[1] + e];
      const to = [at[0] + f, at[1] + g];
      points.push(...cubic(at, c1, c2, to));
      [at, lastControl] = [to, c2];
    } else if (command === 'h') {
      at = [at[0] + numbers(1)[0], at[1]];
      points.push(at);
      lastControl = null;
    } else if (command === 'z' || command === 'Z') {
      break;
    } else {
      throw new Error(`path command ${command} is not supported`);
    }
  }
  return points;
}

const SUBROWS = 8; // vertical samples per pixel; horizontal coverage is exact

/** Coverage (0..1) of each pixel by the polygon, `transform` mapping viewBox points to pixels. */
function coverage(outline, size, transform) {
  const points = outline.map(transform);
  const cover = new Float64Array(size * size);
  for (let row = 0; row < size; row++) {
    for (let sub = 0; sub < SUBROWS; sub++) {
      const y = row + (sub + 0.5) / SUBROWS;
      const xs = [];
      for (let i = 0; i < points.length; i++) {
        const [x1, y1] = points[i];
        const [x2, y2] = points[(i + 1) % points.length];
        if ((y1 <= y && y < y2) || (y2 <= y && y < y1)) xs.push(x1 + ((y - y1) * (x2 - x1)) / (y2 - y1));
      }
      xs.sort((a, b) => a - b);
      for (let i = 0; i + 1 < xs.length; i += 2) {
        const start = Math.max(0, xs[i]);
        const end = Math.min(size, xs[i + 1]);
        for (let px = Math.floor(start); px < Math.ceil(end); px++) {
          const covered = Math.min(end, px + 1) - Math.max(start, px);
          if (covered > 0) cover[row * size + px] += covered / SUBROWS;
        }
      }
    }
  }
  return cover;
}

/** RGBA bytes (not premultiplied) of one icon. */
export function render({ size, maskable }) {
  const scale = size / 32;
  const rgba = new Float64Array(size * size * 4); // premultiplied while painting
  const paint = (outline, color, transform) => {
    const cover = coverage(outline, size, transform);
    for (let i = 0; i < cover.length; i++) {
      const a = Math.min(1, cover[i]);
      if (!a) continue;
      for (let k = 0; k < 3; k++) rgba[i * 4 + k] = (color[k] / 255) * a + rgba[i * 4 + k] * (1 - a);
      rgba[i * 4 + 3] = a + rgba[i * 4 + 3] * (1 - a);
    }
  };
  const plain = ([x, y]) => [x * scale, y * scale];
  if (maskable) {
    paint([[0, 0], [32, 0], [32, 32], [0, 32]], INDIGO, plain);
    const shrink = 0.78; // the people within the safe circle (radius 40% of the icon)
    const inner = ([x, y]) => plain([16 + (x - 16) * shrink, 16.75 + (y - 16.75) * shrink]);
    for (const shape of PEOPLE) paint(shape.outline, shape.fill, inner);
  } else {
    paint(roundedSquare(32, 8), INDIGO, plain);
    for (const shape of PEOPLE) paint(shape.outline, shape.fill, plain);
  }
  const bytes = Buffer.alloc(size * size * 4);
  for (let i = 0; i < size * size; i++) {
    const a = rgba[i * 4 + 3];
    for (let k = 0; k < 3; k++) bytes[i * 4 + k] = a ? Math.round((rgba[i * 4 + k] / a) * 255) : 0;
    bytes[i * 4 + 3] = Math.round(a * 255);
  }
  return bytes;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

/** An 8-bit RGBA PNG of `rgba` (size x size). */
export function png(rgba, size) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8 bits, RGBA, deflate, no filter, no interlace
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export const ICONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'src', 'static', 'icons');

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  mkdirSync(ICONS_DIR, { recursive: true });
  for (const icon of ICONS) {
    writeFileSync(join(ICONS_DIR, icon.file), png(render(icon), icon.size));
    console.log(`wrote src/static/icons/${icon.file}`);
  }
}
