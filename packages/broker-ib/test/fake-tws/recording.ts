/**
 * Replays the real TWS recording (fixtures/ib/rust-ibapi_tws_interactions.yaml, server version 173):
 * answers each recorded request, matched field for field, with the recorded raw response frames.
 */
import fs from 'node:fs';
import net from 'node:net';
import { ClientStreamReader, decodePayload, encodeFrame, type Field } from './framing.js';

export interface Interaction { name: string; request: string[]; responses: string[][] }
export interface Recording { serverVersion: number; interactions: Interaction[] }

/** YAML double-quoted scalar → string (the recording uses `\0` and plain text only). */
function unquote(s: string): string {
  const body = s.trim().replace(/^"/, '').replace(/"$/, '');
  return body.replace(/\\(0|\\|"|n|t)/g, (_, c: string) => ({ '0': '\0', '\\': '\\', '"': '"', n: '\n', t: '\t' })[c] ?? c);
}

const fields = (raw: string): string[] => decodePayload(Buffer.from(raw, 'utf8'));

/** A small reader for this file's shape (header.server_version; interactions with request.raw and responses[].raw). */
export function loadRecording(file: string): Recording {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  let serverVersion = 0;
  const interactions: Interaction[] = [];
  let cur: Interaction | undefined;
  let section: 'request' | 'responses' | undefined;
  for (const line of lines) {
    const sv = /^\s+server_version:\s*(\d+)/.exec(line);
    if (sv) { serverVersion = Number(sv[1]); continue; }
    const name = /^- name:\s*(.+)$/.exec(line);
    if (name) { cur = { name: (name[1] ?? '').trim(), request: [], responses: [] }; interactions.push(cur); section = undefined; continue; }
    if (/^ {2}request:/.test(line)) { section = 'request'; continue; }
    if (/^ {2}responses:/.test(line)) { section = 'responses'; continue; }
    const raw = /^\s+(?:- )?raw:\s*(".*")\s*$/.exec(line);
    if (raw && cur && section) {
      const f = fields(unquote(raw[1] ?? '""'));
      if (section === 'request') cur.request = f; else cur.responses.push(f);
    }
  }
  return { serverVersion, interactions };
}

/**
 * A TWS that speaks the recorded server version and answers from the recording. Two synthetic
 * answers are added because the recording starts after the handshake: nextValidId after START_API
 * (the client holds requests until it arrives), and empty openOrderEnd / execDetailsEnd for
 * reqAllOpenOrders / reqExecutions, which the recording does not contain.
 */
export class ReplayTws {
  readonly unmatched: string[][] = [];
  readonly matched: string[] = [];
  #server: net.Server;

  private constructor(readonly recording: Recording, readonly accounts: string) {
    this.#server = net.createServer((socket) => {
      const reader = new ClientStreamReader();
      const send = (f: readonly Field[]): void => { socket.write(encodeFrame(f)); };
      socket.on('error', () => undefined);
      socket.on('data', (chunk: Buffer) => {
        for (const item of reader.push(chunk)) {
          if (item.kind === 'handshake') { send([recording.serverVersion, '20250715 19:05:07 Greenwich Mean Time']); continue; }
          const f = item.fields;
          if (f[0] === '71') { send([15, 1, accounts]); send([9, 1, 1]); continue; }
          const hit = recording.interactions.find((i) => i.request.length === f.length && i.request.every((x, k) => x === f[k]));
          if (hit) { this.matched.push(hit.name); for (const r of hit.responses) send(r); continue; }
          this.unmatched.push(f);
          if (f[0] === '16' || f[0] === '5') send([53, 1]);
          else if (f[0] === '7') send([55, 1, f[2] ?? '0']);
        }
      });
    });
  }

  static async start(recording: Recording, accounts = 'ACCOUNT_ID'): Promise<ReplayTws> {
    const t = new ReplayTws(recording, accounts);
    await new Promise<void>((resolve) => t.#server.listen(0, '127.0.0.1', resolve));
    return t;
  }

  get port(): number {
    const a = this.#server.address();
    if (a === null || typeof a === 'string') throw new Error('not listening');
    return a.port;
  }

  async close(): Promise<void> { await new Promise<void>((resolve) => this.#server.close(() => resolve())); }
}
