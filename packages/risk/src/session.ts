/**
 * Trading-session labels: a session starts at `boundary` (HH:MM local) in `timeZone` and is
 * labelled with the local date on which it started. Daily counters reset when the label
 * changes, never because of a restart, and never backwards (a clock stepping back keeps the
 * later label). Results are cached so the per-bar cost is a comparison; a new session costs
 * a few `Intl` calls in a zone with DST, plain arithmetic in UTC.
 * @public
 */
export class SessionCalendar {
  readonly #fmt: Intl.DateTimeFormat | undefined;
  readonly #boundaryMin: number;
  #from = Infinity;
  #until = -Infinity;
  #label = '';
  constructor(readonly timeZone = 'UTC', readonly boundary = '00:00') {
    this.#fmt = UTC_ZONES.has(timeZone) ? undefined : formatterFor(timeZone);
    const [h, m] = boundary.split(':').map(Number);
    this.#boundaryMin = (h ?? 0) * 60 + (m ?? 0);
  }

  /** The session label (YYYY-MM-DD) of time `ts` (ms). */
  label(ts: number): string {
    if (ts >= this.#from && ts < this.#until) return this.#label;
    if (this.#fmt === undefined) return this.#labelUtc(ts);
    const [y, mo, d, minOfDay] = this.#parts(ts);
    const start = new Date(Date.UTC(y, mo - 1, minOfDay < this.#boundaryMin ? d - 1 : d));
    this.#label = start.toISOString().slice(0, 10);
    const minute = ts - (((ts % 60_000) + 60_000) % 60_000);
    // the next boundary instant, corrected for a UTC-offset change (DST) before it
    let next = minute + (((this.#boundaryMin - minOfDay + 1440) % 1440) || 1440) * 60_000;
    let exact = false;
    for (let i = 0; i < 3 && !exact; i++) {
      const m = this.#parts(next)[3];
      let diff = this.#boundaryMin - m;
      if (diff > 720) diff -= 1440;
      if (diff < -720) diff += 1440;
      if (diff === 0) exact = true;
      else next += diff * 60_000;
    }
    this.#from = minute;
    // when the boundary does not exist that day (skipped by DST), re-check every 15 minutes
    this.#until = exact && next > ts ? next : ts - (((ts % 900_000) + 900_000) % 900_000) + 900_000;
    return this.#label;
  }

  /** UTC: the session is [day + boundary, next day + boundary), labelled with its start date. */
  #labelUtc(ts: number): string {
    const b = this.#boundaryMin * 60_000;
    const day = Math.floor((ts - b) / DAY_MS);
    this.#label = new Date(day * DAY_MS).toISOString().slice(0, 10);
    this.#from = day * DAY_MS + b;
    this.#until = this.#from + DAY_MS;
    return this.#label;
  }

  #parts(ts: number): [number, number, number, number] {
    const fmt = this.#fmt as Intl.DateTimeFormat;
    let y = 0, mo = 0, d = 0, hh = 0, mm = 0;
    for (const p of fmt.formatToParts(new Date(ts))) {
      if (p.type === 'year') y = Number(p.value);
      else if (p.type === 'month') mo = Number(p.value);
      else if (p.type === 'day') d = Number(p.value);
      else if (p.type === 'hour') hh = Number(p.value);
      else if (p.type === 'minute') mm = Number(p.value);
    }
    return [y, mo, d, hh * 60 + mm];
  }
}

const DAY_MS = 86_400_000;
/** zones without DST or offset: sessions are computed without Intl */
const UTC_ZONES: ReadonlySet<string> = new Set(['UTC', 'Etc/UTC', 'GMT', 'Etc/GMT', 'Etc/Universal', 'Universal', 'Etc/Zulu', 'Zulu']);
const FORMATTERS = new Map<string, Intl.DateTimeFormat>();

/** One formatter per time zone for the process (building one costs milliseconds). */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = FORMATTERS.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
    });
    FORMATTERS.set(timeZone, f);
  }
  return f;
}

/** Is session label `a` later than `b`? (labels are ISO dates, so string order is time order) @public */
export function isLaterSession(a: string, b: string | null): boolean {
  return b === null || a > b;
}
