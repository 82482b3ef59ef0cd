// Formatting shared by several screens.

/** formatSize renders a byte count: 512 B, 1.5 KiB, 3.2 MiB. */
export function formatSize(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** formatCount renders a count with thousands separators: 11,478. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** plural renders a count and its noun: 1 file, 2 files. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}
