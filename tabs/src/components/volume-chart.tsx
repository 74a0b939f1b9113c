import { tokens } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import type { MinuteVolume } from '../types.js';

const BAR = 6;
const HEIGHT = 80;

/**
 * Syncs per minute over the last hour, CXone → Teams stacked under Teams → CXone. One bar per
 * minute whatever happened, so the chart never grows; the numbers are in the table and the label.
 */
export function VolumeChart(props: { minutes: MinuteVolume[] }): ReactNode {
  const { minutes } = props;
  const max = Math.max(1, ...minutes.map((m) => m.acdToTeams + m.teamsToAcd));
  const toTeams = minutes.reduce((n, m) => n + m.acdToTeams, 0);
  const toAcd = minutes.reduce((n, m) => n + m.teamsToAcd, 0);
  const busiest = minutes.reduce((b, m) => (m.acdToTeams + m.teamsToAcd > b.acdToTeams + b.teamsToAcd ? m : b), {
    at: 0,
    acdToTeams: 0,
    teamsToAcd: 0,
    p50Ms: 0,
  });
  const width = minutes.length * BAR;
  const label =
    `Syncs per minute, last hour: ${toTeams} CXone → Teams, ${toAcd} Teams → CXone` +
    (busiest.at
      ? `; busiest minute ${new Date(busiest.at).toLocaleTimeString()} with ${busiest.acdToTeams + busiest.teamsToAcd}, median ${busiest.p50Ms} ms`
      : '');
  return (
    <figure style={{ margin: 0, maxWidth: 480 }}>
      <svg
        role="img"
        aria-label={label}
        viewBox={`0 0 ${width} ${HEIGHT + 14}`}
        width="100%"
        data-testid="volume-chart"
      >
        {minutes.map((m, i) => {
          const a = (m.acdToTeams / max) * HEIGHT;
          const t = (m.teamsToAcd / max) * HEIGHT;
          return (
            <g key={m.at}>
              {a > 0 && (
                <rect x={i * BAR} y={HEIGHT - a} width={BAR - 1} height={a} fill={tokens.colorBrandBackground} />
              )}
              {t > 0 && (
                <rect
                  x={i * BAR}
                  y={HEIGHT - a - t}
                  width={BAR - 1}
                  height={t}
                  fill={tokens.colorPaletteDarkOrangeBackground3}
                />
              )}
            </g>
          );
        })}
        <text x={0} y={HEIGHT + 12} fontSize="9" fill={tokens.colorNeutralForeground2}>
          60 min ago
        </text>
        <text x={width} y={HEIGHT + 12} fontSize="9" textAnchor="end" fill={tokens.colorNeutralForeground2}>
          now
        </text>
      </svg>
      <figcaption style={{ fontSize: 12 }}>
        <span style={{ color: tokens.colorBrandForeground1 }}>■</span> CXone → Teams{' '}
        <span style={{ color: tokens.colorPaletteDarkOrangeForeground1 }}>■</span> Teams → CXone · peak {max} per minute
      </figcaption>
    </figure>
  );
}
