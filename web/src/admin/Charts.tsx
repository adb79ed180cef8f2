/**
 * Hand-rolled SVG bar charts for the reports: one group of bars per day, a value axis,
 * and the same numbers in a table for screen readers (the chart itself is an image with
 * a summary label). Patterns, not only colours, tell the series apart.
 */

export interface Series {
  key: string;
  label: string;
  className: string;
}

export function BarChart({
  label,
  days,
  series,
  values,
  format,
}: {
  label: string;
  days: string[];
  series: Series[];
  values: (day: number, series: string) => number;
  format: (v: number) => string;
}) {
  const W = 720;
  const H = 240;
  const PAD = { l: 56, r: 8, t: 12, b: 36 };
  const max = Math.max(1, ...days.flatMap((_, i) => series.map((s) => values(i, s.key))));
  const nice = niceMax(max);
  const innerW = W - PAD.l - PAD.r;
  const innerH = H - PAD.t - PAD.b;
  const groupW = innerW / Math.max(1, days.length);
  const barW = Math.max(2, (groupW * 0.8) / series.length);
  const y = (v: number) => PAD.t + innerH - (v / nice) * innerH;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * nice);
  const labelEvery = Math.ceil(days.length / 10);
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label} className="chart__svg">
        <defs>
          <pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
            <rect width="6" height="6" className="chart__hatch-bg" />
            <line x1="0" y1="0" x2="0" y2="6" className="chart__hatch-line" strokeWidth="3" />
          </pattern>
        </defs>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={PAD.l} x2={W - PAD.r} y1={y(t)} y2={y(t)} className="chart__grid" />
            <text x={PAD.l - 6} y={y(t) + 4} textAnchor="end" className="chart__tick">
              {format(t)}
            </text>
          </g>
        ))}
        {days.map((day, i) => (
          <g key={day} transform={`translate(${PAD.l + i * groupW + groupW * 0.1} 0)`}>
            {series.map((s, k) => {
              const v = values(i, s.key);
              return (
                <rect
                  key={s.key}
                  x={k * barW}
                  y={y(v)}
                  width={barW - 1}
                  height={Math.max(0, y(0) - y(v))}
                  className={s.className}
                  data-day={day}
                  data-series={s.key}
                  data-value={v}
                />
              );
            })}
            {i % labelEvery === 0 && (
              <text x={(groupW * 0.8) / 2} y={H - PAD.b + 16} textAnchor="middle" className="chart__tick">
                {day.slice(5)}
              </text>
            )}
          </g>
        ))}
      </svg>
      <figcaption className="chart__legend">
        {series.map((s) => (
          <span key={s.key} className="chart__key">
            <svg width="14" height="14" aria-hidden="true">
              <rect width="14" height="14" className={s.className} />
            </svg>
            {s.label}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

function niceMax(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}
