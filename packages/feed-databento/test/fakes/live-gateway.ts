import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { cramResponse, parseControlLine } from '@tradewire/feed-databento';

export interface SessionPlan {
  /** reject the CRAM reply */
  authFail?: boolean;
  /** DBN bytes written after start_session (metadata + records; raw or zstd) */
  payload?: Uint8Array;
  /** write the payload in pieces of this many bytes (default all at once) */
  chunkBytes?: number;
  delayMs?: number;
  /** after the payload: close the socket, keep it open silently, or keep it open sending heartbeats */
  after?: 'close' | 'silent' | 'heartbeat';
  heartbeatBytes?: Uint8Array;
  heartbeatMs?: number;
}

export interface GatewaySession {
  index: number;
  challenge: string;
  authLine?: Record<string, string>;
  subscriptions: Record<string, string>[];
  started: boolean;
}

/** A started session's connection, for the interactive controls. */
interface LiveSocket { session: GatewaySession; socket: Socket; silent: boolean }

/**
 * Fake Databento live gateway on 127.0.0.1 (DATABENTO.md §6.3): greeting + CRAM challenge, verifies the reply
 * for `apiKey`, answers success/failure, collects subscription lines and on `start_session` writes the planned bytes.
 */
export class FakeLiveGateway {
  readonly sessions: GatewaySession[] = [];
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #live: LiveSocket[] = [];
  constructor(readonly apiKey: string, readonly plan: (index: number) => SessionPlan) {
    this.#server = createServer((s) => this.#onConnection(s));
  }
  async listen(): Promise<number> {
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', r));
    return (this.#server.address() as AddressInfo).port;
  }
  async close(): Promise<void> {
    for (const t of this.#timers) clearInterval(t);
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }

  /** Sessions that reached start_session. */
  get startedSessions(): number { return this.sessions.filter((s) => s.started).length; }

  /** Writes bytes on every started, open, non-silent session (what the venue streams now). Returns how many got them. */
  send(bytes: Uint8Array): number {
    let n = 0;
    for (const l of this.#live) if (!l.silent && !l.socket.destroyed) { l.socket.write(bytes); n++; }
    return n;
  }

  /** Closes every connection from the venue side; new ones are still accepted. */
  dropAll(): void { for (const s of this.#sockets) s.destroy(); }

  /** Half-open: the current sessions stay connected but receive nothing more (no data, no heartbeats). */
  silence(): void { for (const l of this.#live) l.silent = true; }

  #onConnection(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => undefined);
    const index = this.sessions.length;
    const plan = this.plan(index);
    const challenge = Array.from({ length: 32 }, (_, i) => String.fromCharCode(65 + ((index * 7 + i * 13) % 26))).join('');
    const session: GatewaySession = { index, challenge, subscriptions: [], started: false };
    this.sessions.push(session);
    socket.write('lsg_version=0.4.2\n');
    socket.write(`cram=${challenge}\n`);
    let buf = '';
    socket.on('data', (d) => {
      buf += d.toString('utf8');
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const f = parseControlLine(line);
        if (f['auth'] !== undefined) {
          session.authLine = f;
          if (plan.authFail || f['auth'] !== cramResponse(challenge, this.apiKey)) {
            socket.end('success=0|error=Authentication failed.\n');
            return;
          }
          socket.write(`success=1|session_id=${1000 + index}\n`);
        } else if (f['start_session'] !== undefined) {
          session.started = true;
          const live: LiveSocket = { session, socket, silent: false };
          this.#live.push(live);
          socket.on('close', () => { const i = this.#live.indexOf(live); if (i >= 0) this.#live.splice(i, 1); });
          void this.#stream(socket, plan, live);
        } else if (f['schema'] !== undefined) {
          session.subscriptions.push(f);
        }
      }
    });
  }

  async #stream(socket: Socket, plan: SessionPlan, live: LiveSocket): Promise<void> {
    const p = plan.payload ?? new Uint8Array(0);
    const step = plan.chunkBytes ?? Math.max(1, p.length);
    for (let i = 0; i < p.length; i += step) {
      if (socket.destroyed) return;
      if (!socket.write(p.subarray(i, i + step))) await new Promise((r) => socket.once('drain', r));
      if (plan.delayMs) await new Promise((r) => setTimeout(r, plan.delayMs));
    }
    if (plan.after === 'close') socket.end();
    else if (plan.after === 'heartbeat' && plan.heartbeatBytes) {
      const t = setInterval(() => { if (!socket.destroyed && !live.silent) socket.write(plan.heartbeatBytes!); }, plan.heartbeatMs ?? 100);
      this.#timers.add(t);
      socket.on('close', () => { clearInterval(t); this.#timers.delete(t); });
    }
  }
}
