import { tokens } from '@fluentui/react-components';
import type { ReactNode } from 'react';

/** A small bar chart (sync volume in the last hour per status); the numbers are in the table too. */
export function VolumeChart(props: { bars: { label: string; value: number }[] }): ReactNode {
  const max = Math.max(1, ...props.bars.map((b) => b.value));
  const w = 36;
  const h = 80;
  return (
    <svg
      role="img"
      aria-label={`Sync volume, last hour: ${props.bars.map((b) => `${b.label} ${b.value}`).join(', ') || 'none'}`}
      width={Math.max(1, props.bars.length) * (w + 8)}
      height={h + 16}
    >
      {props.bars.map((b, i) => {
        const bh = Math.round((b.value / max) * h);
        return (
          <g key={b.label}>
            <rect x={i * (w + 8)} y={h - bh} width={w} height={bh} fill={tokens.colorBrandBackground} />
            <text
              x={i * (w + 8) + w / 2}
              y={h + 12}
              textAnchor="middle"
              fontSize="10"
              fill={tokens.colorNeutralForeground2}
            >
              {b.value}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
