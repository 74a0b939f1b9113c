/** One place to look, as the start-up banner shows it. */
export interface Place {
  readonly label: string;
  readonly where: string;
}

/** The banner a person sees at a terminal: what runs, then where to look, one place a line. */
export function banner(headline: string, places: readonly Place[], footer: string): string {
  const width = Math.max(...places.map((p) => p.label.length));
  return [headline, ...places.map((p) => `  ${p.label.padEnd(width)}  ${p.where}`), footer, ''].join('\n');
}

/** Where to look in production: everything on the public URL except metrics, for the operator's scraper. */
export function productionPlaces(publicBaseUrl: string, port: number): Place[] {
  const url = publicBaseUrl.replace(/\/$/, '');
  return [
    { label: 'Tab', where: `${url}/tab` },
    { label: 'Bot endpoint', where: `${url}/api/messages` },
    { label: 'Graph webhooks', where: `${url}/api/graph/notifications, ${url}/api/graph/lifecycle` },
    { label: 'Health', where: `${url}/healthz, ${url}/readyz` },
    { label: 'Metrics', where: `http://<this host>:${port}/metrics` },
  ];
}
