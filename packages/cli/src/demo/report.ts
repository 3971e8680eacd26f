/** Renders a two-column table for the terminal. @public */
export function table(rows: readonly [string, string][]): string {
  const w = Math.max(...rows.map(([k]) => k.length));
  const v = Math.max(...rows.map(([, x]) => x.length));
  const line = `+${'-'.repeat(w + 2)}+${'-'.repeat(v + 2)}+`;
  return [line, ...rows.map(([k, x]) => `| ${k.padEnd(w)} | ${x.padStart(v)} |`), line].join('\n');
}

/** A progress bar on stderr: redrawn in place on a terminal, a line per 10 % otherwise. @public */
export class ProgressBar {
  #lastPct = -1;
  constructor(private readonly total: number, private readonly out: NodeJS.WriteStream = process.stderr, private readonly enabled = true) {}
  update(done: number): void {
    if (!this.enabled || this.total <= 0) return;
    const pct = Math.min(100, Math.floor((done / this.total) * 100));
    if (this.out.isTTY) {
      if (pct === this.#lastPct) return;
      const width = 30;
      const filled = Math.round((pct / 100) * width);
      this.out.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(pct).padStart(3)}%  ${done}/${this.total} bars`);
    } else if (pct >= this.#lastPct + 10 || (pct === 100 && this.#lastPct !== 100)) {
      this.out.write(`progress ${pct}% (${done}/${this.total} bars)\n`);
    } else return;
    this.#lastPct = pct;
  }
  finish(): void {
    if (!this.enabled) return;
    this.update(this.total);
    if (this.out.isTTY) this.out.write('\n');
  }
}
