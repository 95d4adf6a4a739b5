/**
 * The points of a sparkline: values left to right, oldest first, scaled so the smallest sits at
 * the bottom and the largest at the top (a flat line mid-height when they are all equal).
 * Returns `x,y` pairs rounded to a tenth, ready for an SVG polyline.
 */
export function sparklinePoints(values: readonly number[], width: number, height: number, padding = 2): Array<[number, number]> {
  const finite = values.filter((value) => Number.isFinite(value));
  if (finite.length === 0) return [];
  const low = Math.min(...finite);
  const high = Math.max(...finite);
  const span = high - low;
  const innerWidth = width - padding * 2;
  const innerHeight = height - padding * 2;
  const step = finite.length > 1 ? innerWidth / (finite.length - 1) : 0;
  const round = (value: number) => Math.round(value * 10) / 10;
  return finite.map((value, index) => {
    const x = finite.length > 1 ? padding + index * step : width / 2;
    // Higher latency is worse: drawn higher, like every latency chart.
    const y = span === 0 ? height / 2 : padding + innerHeight - ((value - low) / span) * innerHeight;
    return [round(x), round(y)];
  });
}
