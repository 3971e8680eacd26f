import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HistoricalRequest {
  path: string;
  method: string;
  auth: string | undefined;
  form: Record<string, string>;
}

export type Scenario =
  | { kind: 'ok'; body: Uint8Array; chunkBytes?: number; delayMs?: number }
  | { kind: 'auth' }
  | { kind: 'rate-limit'; times: number; retryAfter: string; then: Scenario }
  | { kind: 'error'; status: number; body: string }
  | { kind: 'disconnect'; body: Uint8Array; afterBytes: number };

/**
 * Fake Databento Historical API on 127.0.0.1: `POST /v0/timeseries.get_range` with HTTP Basic auth
 * (key as user, empty password). Serves the configured DBN body (e.g. a fixture `.dbn.zst` as-is).
 */
export class FakeHistoricalServer {
  readonly requests: HistoricalRequest[] = [];
  scenario: Scenario = { kind: 'auth' };
  /** when set, answers each authorized request from its form (a venue honouring start/end/symbols) */
  respond: ((form: Record<string, string>) => Scenario) | undefined;
  #server: Server;
  #rateLimited = 0;
  constructor(readonly apiKey: string) {
    this.#server = createServer((req, res) => { void this.#handle(req, res); });
  }
  async listen(): Promise<string> {
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }
  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    this.requests.push({ path: req.url ?? '', method: req.method ?? '', auth: req.headers.authorization, form });
    const json = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || req.url !== '/v0/timeseries.get_range') { json(404, { detail: 'Not found' }); return; }
    const expected = `Basic ${Buffer.from(`${this.apiKey}:`).toString('base64')}`;
    let sc = this.respond?.(form) ?? this.scenario;
    if (sc.kind === 'auth' || req.headers.authorization !== expected) {
      json(401, { detail: 'Authorization failed: illegal chars in username.' }); return;
    }
    if (sc.kind === 'rate-limit') {
      if (this.#rateLimited < sc.times) {
        this.#rateLimited++;
        json(429, { detail: 'Too many requests' }, { 'Retry-After': sc.retryAfter }); return;
      }
      sc = sc.then;
    }
    if (sc.kind === 'error') { res.writeHead(sc.status, { 'Content-Type': 'application/json' }); res.end(sc.body); return; }
    if (sc.kind === 'disconnect') {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      res.write(sc.body.subarray(0, sc.afterBytes));
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    }
    if (sc.kind === 'ok') {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'request-id': 'fake-1', 'X-Warning': JSON.stringify(['Warning: this is a fake server']) });
      const step = sc.chunkBytes ?? sc.body.length;
      for (let i = 0; i < sc.body.length; i += step) {
        if (!res.write(sc.body.subarray(i, i + step))) await new Promise((r) => res.once('drain', r));
        if (sc.delayMs) await new Promise((r) => setTimeout(r, sc.delayMs));
      }
      res.end();
    }
  }
}
