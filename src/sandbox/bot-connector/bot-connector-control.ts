import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DeliveryResult } from './bot-connector-delivery.js';
import { connectorFaultSchema, conversationSchema, type BotConnectorModel } from './bot-connector-model.js';

const send = (res: ServerResponse, status: number, body?: unknown): void => {
  res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
  res.end(body === undefined ? undefined : JSON.stringify(body));
};

async function jsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : {};
}

/**
 * The scenario driver (tests, curl): list/clear received activities, register conversations,
 * inject and clear faults, deliver an activity to the bot (signed, as a channel would send it).
 * Anything else is a 404, as the Connector answers unknown routes.
 */
export function connectorControlRoute(model: BotConnectorModel, deliver: (body: unknown) => Promise<DeliveryResult>) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const route = `${req.method ?? ''} ${url.pathname.replace(/\/$/, '')}`;
    try {
      switch (route) {
        case 'GET /_control/activities':
          return send(res, 200, { activities: model.activities(url.searchParams.get('tenantId') ?? undefined) });
        case 'DELETE /_control/activities':
          model.clear();
          return send(res, 204);
        case 'POST /_control/conversations':
          return send(res, 201, model.addConversation(conversationSchema.parse(await jsonBody(req))));
        case 'POST /_control/faults':
          model.injectFault(connectorFaultSchema.parse(await jsonBody(req)));
          return send(res, 204);
        case 'DELETE /_control/faults':
          model.clearFaults();
          return send(res, 204);
        case 'POST /_control/deliver':
          return send(res, 200, await deliver(await jsonBody(req)));
        default:
          return send(res, 404, { error: { code: 'NotFound', message: 'No such route' } });
      }
    } catch (e) {
      return send(res, 400, {
        error: { code: 'BadArgument', message: e instanceof Error ? e.message.slice(0, 500) : 'bad request' },
      });
    }
  };
}
