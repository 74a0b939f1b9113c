import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TraceEvent } from '../../../application/ports.js';

export interface TraceStreamOptions {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly agentId: string;
  readonly heartbeatMs: number;
  readonly subscribe: (listener: (event: TraceEvent) => void) => () => void;
}

/** Server-sent events until the client goes away; resolves then, after unsubscribing. */
export function streamTrace(o: TraceStreamOptions): Promise<void> {
  o.res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  o.res.write(`retry: 3000\nevent: ready\ndata: ${JSON.stringify({ agentId: o.agentId })}\n\n`);
  const unsubscribe = o.subscribe((event) => {
    o.res.write(`id: ${event.id}\nevent: trace\ndata: ${JSON.stringify(event)}\n\n`);
  });
  // A comment line keeps idle proxies from closing the stream.
  const heartbeat = setInterval(() => o.res.write(': keep-alive\n\n'), o.heartbeatMs);
  heartbeat.unref();
  return new Promise((resolve) => {
    const done = (): void => {
      clearInterval(heartbeat);
      unsubscribe();
      resolve();
    };
    o.res.once('close', done);
  });
}
