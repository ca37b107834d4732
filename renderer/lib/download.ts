/** Saving exported graphs from the page: text files, and PNG drawn from an SVG on a canvas. */

export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Give the browser a moment to start the download before the URL goes.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function downloadText(text: string, filename: string, type: string): void {
  downloadBlob(new Blob([text], { type: `${type};charset=utf-8` }), filename);
}

/** The SVG's own size in CSS pixels (GraphViz writes `width="123pt"`). */
function svgSize(svg: string): { width: number; height: number } {
  const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
  const el = doc.documentElement;
  const px = (v: string | null) => {
    const m = /^([\d.]+)(pt|px)?$/.exec(v ?? '');
    if (!m) return 0;
    return Number(m[1]) * (m[2] === 'pt' ? 4 / 3 : 1);
  };
  let width = px(el.getAttribute('width'));
  let height = px(el.getAttribute('height'));
  if (!width || !height) {
    const vb = (el.getAttribute('viewBox') ?? '').split(/\s+/).map(Number);
    width = vb[2] || 800;
    height = vb[3] || 600;
  }
  return { width, height };
}

/** Rasterises an SVG at `scale` (2: sharp on high-density screens) on a white background. */
export async function svgToPng(svg: string, scale = 2): Promise<Blob> {
  const { width, height } = svgSize(svg);
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml;charset=utf-8' }));
  try {
    const img = new Image();
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('The SVG could not be drawn as an image.'));
      img.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = Math.ceil(width * scale);
    canvas.height = Math.ceil(height * scale);
    const g = canvas.getContext('2d');
    if (!g) throw new Error('This browser cannot draw on a canvas.');
    g.fillStyle = '#ffffff';
    g.fillRect(0, 0, canvas.width, canvas.height);
    g.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed.'))), 'image/png'));
  } finally {
    URL.revokeObjectURL(url);
  }
}
