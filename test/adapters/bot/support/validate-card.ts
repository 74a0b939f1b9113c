import { createRequire } from 'node:module';
import type { PropertyBag } from 'adaptivecards';

// The package's ESM build has extensionless imports Node cannot load; its UMD build works in Node.
const AdaptiveCards = createRequire(import.meta.url)(
  'adaptivecards/dist/adaptivecards.js',
) as typeof import('adaptivecards');

/** Parses a card with the adaptivecards library; returns every parse and validation problem. */
export function cardProblems(content: unknown): string[] {
  const card = new AdaptiveCards.AdaptiveCard();
  const context = new AdaptiveCards.SerializationContext();
  card.parse(content as PropertyBag, context);
  const problems: string[] = [];
  for (let i = 0; i < context.eventCount; i++) problems.push(`parse: ${context.getEventAt(i).message}`);
  for (const event of card.validateProperties().validationEvents) problems.push(`validate: ${event.message}`);
  // Unbound template expressions would show up to the user as `${...}`.
  if (JSON.stringify(content).includes('${')) problems.push('unexpanded template expression');
  return problems;
}

/** All the text a card shows, for readable assertions. */
export function cardText(content: unknown): string {
  const texts: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (typeof value === 'string' && ['text', 'title', 'value', 'url'].includes(key)) texts.push(value);
        else walk(value);
      }
    }
  };
  walk(content);
  return texts.join('\n');
}
