import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'undici';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

/** A message the playground shows in the chat (teams-local-testing.md §2.3). */
export interface PlaygroundMessage {
  readonly conversationId: string;
  readonly fromId: string;
  readonly text?: string;
  readonly attachments: readonly { readonly contentType: string; readonly content: unknown }[];
}

/** A port free right now (the Playground's Connector origin must be known, and trusted, before it starts). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Bounded polling: resolves with the first value `probe` returns, fails after `timeoutMs`. */
export async function eventually<T>(probe: () => T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
  for (const started = Date.now(); Date.now() - started < timeoutMs;) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * The Microsoft 365 Agents Playground (offline, msteams channel) driven over its HTTP and
 * WebSocket routes instead of its UI; started as its own process group and stopped by its id.
 */
export class AgentsPlayground {
  readonly messages: PlaygroundMessage[] = [];

  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly baseUrl: string,
    private readonly ws: WebSocket,
  ) {}

  /** `env`: extra environment, e.g. M365_AGENTS_PLAYGROUND_CONFIG_PATH for a config file of the chat's tenant and users. */
  static async start(
    botEndpoint: string,
    conversationId: string,
    env: Record<string, string> = {},
    port = 0,
  ): Promise<AgentsPlayground> {
    const dir = mkdtempSync(join(tmpdir(), 'agents-playground-'));
    const cli = require.resolve('@microsoft/m365agentsplayground/cli.js');
    const child = spawn(
      process.execPath,
      [
        cli,
        '-e',
        botEndpoint,
        '-c',
        'msteams',
        '-p',
        String(port),
        '--conversation-id',
        conversationId,
        '--disable-telemetry',
      ],
      {
        cwd: dir,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          TEAMSAPPTESTER_BROWSER: 'none',
          M365_AGENTS_PLAYGROUND_LOGFILE: join(dir, 'playground.log'),
          ...env,
        },
      },
    );
    let output = '';
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    try {
      const port = await eventually(() => /Listening on (\d+)/.exec(output)?.[1], 'the playground to listen', 30_000);
      const baseUrl = `http://127.0.0.1:${port}`;
      const ws = new WebSocket(`ws://127.0.0.1:${port}/_ws_conversation/v1/conversations/stream`);
      await new Promise((resolve, reject) => {
        ws.addEventListener('open', resolve, { once: true });
        ws.addEventListener('error', reject, { once: true });
      });
      const playground = new AgentsPlayground(child, dir, baseUrl, ws);
      ws.addEventListener('message', (event) => playground.record(String(event.data)));
      return playground;
    } catch (err) {
      AgentsPlayground.kill(child);
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`${String(err)}; playground output: ${output}`);
    }
  }

  /** Installs the app in the personal chat (installationUpdate + conversationUpdate to the bot). */
  async install(conversationId: string): Promise<void> {
    await this.post(`/_debug/conversation/${conversationId}/installation`, {});
  }

  async say(conversationId: string, userId: string, text: string): Promise<void> {
    await this.post(`/_conversation/v1/conversations/${conversationId}/messages`, {
      from: { id: userId },
      text,
      textFormat: 'plain',
    });
  }

  /** Bot messages (not the user's own) seen so far. */
  botMessages(userId: string): PlaygroundMessage[] {
    return this.messages.filter((m) => m.fromId !== userId);
  }

  async stop(): Promise<void> {
    this.ws.close();
    AgentsPlayground.kill(this.child);
    await new Promise((resolve) =>
      this.child.exitCode !== null ? resolve(undefined) : this.child.once('exit', resolve),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }

  private static kill(child: ChildProcess): void {
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
  }

  private async post(path: string, body: unknown): Promise<void> {
    const res = await fetch(this.baseUrl + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`playground ${path}: ${res.status} ${await res.text()}`);
  }

  private record(data: string): void {
    const event = JSON.parse(data) as {
      action?: string;
      actionConversationId?: string;
      message?: { from?: { id?: string }; text?: string; attachments?: PlaygroundMessage['attachments'] };
    };
    if (event.action !== 'createMessage' || !event.message) return;
    this.messages.push({
      conversationId: event.actionConversationId ?? '',
      fromId: event.message.from?.id ?? '',
      ...(event.message.text ? { text: event.message.text } : {}),
      attachments: event.message.attachments ?? [],
    });
  }
}
