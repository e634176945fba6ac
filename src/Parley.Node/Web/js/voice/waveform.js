// Waveforms: peaks measured from a recording in the page (the editor), drawn as bars on a canvas
// (the editor and the timeline's player alike), and where the sound in a take starts and ends.

/** Peak per bar (0..1) of an AudioBuffer's first channel. */
export function peaksOf(buffer, bars) {
  const data = buffer.getChannelData(0);
  const peaks = new Float32Array(bars);
  const per = data.length / bars;
  for (let b = 0; b < bars; b++) {
    let peak = 0;
    const end = Math.min(data.length, Math.floor((b + 1) * per));
    for (let i = Math.floor(b * per); i < end; i++) peak = Math.max(peak, Math.abs(data[i]));
    peaks[b] = peak;
  }
  return peaks;
}

/**
 * Where the sound is: the first and last bar louder than `threshold` of the loudest, with a little
 * margin, as fractions of the take (0..1). The whole take when all of it is quiet.
 */
export function soundSpan(peaks, threshold = 0.12, margin = 2) {
  const loudest = Math.max(...peaks);
  if (!(loudest > 0)) return [0, 1];
  const loud = i => peaks[i] >= loudest * threshold;
  let first = 0;
  while (first < peaks.length && !loud(first)) first++;
  let last = peaks.length - 1;
  while (last > first && !loud(last)) last--;
  return [Math.max(0, first - margin) / peaks.length, Math.min(peaks.length, last + 1 + margin) / peaks.length];
}

/** The page's colours, so the canvas follows light and dark themes. */
function colours(canvas) {
  const style = getComputedStyle(canvas);
  return { played: style.getPropertyValue('--wave-played').trim() || '#4f46e5', rest: style.getPropertyValue('--wave-rest').trim() || '#a3a8b8' };
}

/**
 * Draws `values` (0..1) as bars filling the canvas: bars before `progress` (0..1) in the played colour,
 * and, when `keep` is [from, to], bars outside it faded (the part trimmed away).
 */
export function drawWave(canvas, values, progress = 0, keep = null) {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || canvas.width;
  const height = canvas.clientHeight || canvas.height;
  if (canvas.width !== Math.round(width * ratio)) canvas.width = Math.round(width * ratio);
  if (canvas.height !== Math.round(height * ratio)) canvas.height = Math.round(height * ratio);
  const g = canvas.getContext('2d');
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, width, height);
  const { played, rest } = colours(canvas);
  const step = width / values.length;
  for (let i = 0; i < values.length; i++) {
    const at = (i + 0.5) / values.length;
    const bar = Math.max(2, values[i] * (height - 4));
    g.globalAlpha = keep && (at < keep[0] || at > keep[1]) ? 0.25 : 1;
    g.fillStyle = at <= progress ? played : rest;
    g.fillRect(i * step + step * 0.15, (height - bar) / 2, Math.max(1, step * 0.7), bar);
  }
  g.globalAlpha = 1;
}
