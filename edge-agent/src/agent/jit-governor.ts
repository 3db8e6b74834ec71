import { setFlagsFromString } from 'node:v8';

/**
 * Settings of {@link JitGovernor}. The defaults count as load what an idle endpoint never does (it spools
 * 10-20 events/s and uses about 1 % of a core) and what any real burst does at once.
 */
export interface JitGovernorOptions {
  /** Events spooled within one window that count as load (default 1,000: 200 events/s over 5 s). */
  loadEvents?: number;
  /** Length of the event-count window, ms (default 5,000). */
  windowMs?: number;
  /** CPU of this process, % of one core over one check, that counts as load (default 20). */
  loadCpuPercent?: number;
  /** How often the CPU is checked, ms (default 5,000). */
  checkIntervalMs?: number;
  /** The CPU rule applies only after this long, ms: the start's baselines (file hashes, inventory) are a burst. */
  graceMs?: number;
  /** Sets V8 flags (tests replace it). */
  setFlags?: (flags: string) => void;
  /** Told once, with the reason, when the compiler is turned on. */
  onEnable?: (reason: string) => void;
}

/** The V8 flags the agent's process starts with (see {@link JitGovernor}). */
export const LEAN_V8_FLAGS = '--no-turbofan --semi-space-growth-factor=1 --bytecode-old-age=1';
/** V8's own settings, restored by the governor (V8 reads both each time it decides). */
const OPTIMIZING_V8_FLAGS = '--turbofan --semi-space-growth-factor=2';
const DEFAULT_GROWTH_V8_FLAG = '--semi-space-growth-factor=2';

/**
 * Starts the agent's process lean and gives V8 its usual settings back once the agent carries load.
 *
 * Lean means three V8 flags. No optimizing compiler (TurboFan): on an idle host it buys nothing (the agent's
 * time goes to reading /proc), yet the first functions it compiles map about 4 MiB of compiler code and leave
 * its work memory in the malloc arenas, 10 % of the agent's idle footprint. A young generation that does not
 * grow: the start-up's baselines (file hashes, inventory, the process table) would grow it to 16 MiB, which V8
 * gives back only 15-30 s later; after the start-up grace (60 s) V8 may grow it again as it sees fit. And the
 * bytecode of functions that did not run since the last full collection is dropped at the next one (V8 waits
 * for five): the start-up's code (configuration, module set-up, baselines) leaves the heap, about 1 MiB, and is
 * compiled again if it ever runs again.
 *
 * Under load (1,000 events spooled within 5 s, or 20 % of a core over 5 s once the grace is over), interpreted
 * and baseline code costs about twice the CPU per event, so the governor turns the optimizing compiler on for
 * good, with V8's usual young generation, and hot functions are optimized from then on.
 *
 * Only the agent's own process may use it ({@link JitGovernor.lean} changes process-wide V8 flags).
 */
export class JitGovernor {
  private readonly loadEvents: number;
  private readonly windowMs: number;
  private readonly loadCpuPercent: number;
  private readonly checkIntervalMs: number;
  private readonly graceMs: number;
  private readonly startedAt = performance.now();
  private windowStart = 0;
  private windowEvents = 0;
  private timer: NodeJS.Timeout | undefined;
  private grace: NodeJS.Timeout | undefined;
  private cpuBase = process.cpuUsage();
  private cpuAt = performance.now();
  private on = false;

  constructor(private readonly options: JitGovernorOptions = {}) {
    this.loadEvents = options.loadEvents ?? 1_000;
    this.windowMs = options.windowMs ?? 5_000;
    this.loadCpuPercent = options.loadCpuPercent ?? 20;
    this.checkIntervalMs = options.checkIntervalMs ?? 5_000;
    this.graceMs = options.graceMs ?? 60_000;
  }

  /** Makes this process lean (LEAN_V8_FLAGS) and returns a governor that gives V8 its settings back. */
  static lean(options: JitGovernorOptions = {}): JitGovernor {
    (options.setFlags ?? setFlagsFromString)(LEAN_V8_FLAGS);
    return new JitGovernor(options);
  }

  /** Whether the optimizing compiler was turned back on. */
  get optimizing(): boolean {
    return this.on;
  }

  /** Starts the CPU check and the end of the start-up grace (unref'd timers). */
  start(): void {
    if (this.on || this.timer) return;
    this.cpuBase = process.cpuUsage();
    this.cpuAt = performance.now();
    this.timer = setInterval(() => this.checkCpu(), this.checkIntervalMs);
    this.timer.unref();
    const left = Math.max(0, this.graceMs - (performance.now() - this.startedAt));
    this.grace = setTimeout(() => this.setFlags(DEFAULT_GROWTH_V8_FLAG), left);
    this.grace.unref();
  }

  /** Stops the timers. */
  stop(): void {
    clearInterval(this.timer);
    clearTimeout(this.grace);
    this.timer = undefined;
    this.grace = undefined;
  }

  /** Counts `events` spooled now. */
  note(events: number): void {
    if (this.on) return;
    const now = performance.now();
    if (now - this.windowStart > this.windowMs) {
      this.windowStart = now;
      this.windowEvents = 0;
    }
    this.windowEvents += events;
    if (this.windowEvents >= this.loadEvents) {
      this.turnOn(`${this.windowEvents} events spooled within ${this.windowMs / 1000} s`);
    }
  }

  private checkCpu(): void {
    const now = performance.now();
    const used = process.cpuUsage(this.cpuBase);
    const percent = ((used.user + used.system) / 1000 / (now - this.cpuAt)) * 100;
    this.cpuBase = process.cpuUsage();
    this.cpuAt = now;
    if (now - this.startedAt >= this.graceMs && percent >= this.loadCpuPercent) {
      this.turnOn(`${Math.round(percent)} % of a core over ${this.checkIntervalMs / 1000} s`);
    }
  }

  private turnOn(reason: string): void {
    if (this.on) return;
    this.on = true;
    this.stop();
    this.setFlags(OPTIMIZING_V8_FLAGS);
    this.options.onEnable?.(reason);
  }

  private setFlags(flags: string): void {
    (this.options.setFlags ?? setFlagsFromString)(flags);
  }
}
