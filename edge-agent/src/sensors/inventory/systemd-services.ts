import { readFileSync } from 'node:fs';
import path from 'node:path';
import { inosec, type ISystemService } from '@inosec/protos';
import type { CommandRunner } from './command-runner.js';

const State = inosec.v1.SystemService.State;

/** One row of `systemctl list-units --type=service --all --no-legend --plain`. */
export interface UnitRow {
  unit: string;
  load: string;
  active: string;
  sub: string;
}

/** Parses list-units rows (UNIT LOAD ACTIVE SUB DESCRIPTION); a leading status bullet is dropped. */
export function parseListUnits(text: string): UnitRow[] {
  const out: UnitRow[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/^[\s●*×]+/u, '');
    const [unit, load, active, sub] = line.split(/\s+/);
    if (!unit || !load || !active || !sub || !unit.includes('.')) continue;
    out.push({ unit, load, active, sub });
  }
  return out;
}

/** Parses `systemctl list-unit-files --type=service --no-legend` into unit -> state (enabled, disabled, static...). */
export function parseListUnitFiles(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const [unit, state] = line.trim().split(/\s+/);
    if (unit && state && unit.includes('.')) out.set(unit, state);
  }
  return out;
}

/** Parses `systemctl show --property=Id,MainPID unit...` (blocks of KEY=value separated by blank lines). */
export function parseShowMainPids(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const block of text.split(/\n\s*\n/)) {
    let id = '';
    let pid = 0;
    for (const line of block.split('\n')) {
      if (line.startsWith('Id=')) id = line.slice(3).trim();
      else if (line.startsWith('MainPID=')) pid = Number(line.slice(8).trim()) || 0;
    }
    if (id) out.set(id, pid);
  }
  return out;
}

/** systemd ACTIVE column to SystemService.State. */
export function serviceState(active: string): inosec.v1.SystemService.State {
  switch (active) {
    case 'active':
      return State.STATE_RUNNING;
    case 'inactive':
      return State.STATE_STOPPED;
    case 'failed':
      return State.STATE_FAILED;
    case 'activating':
    case 'deactivating':
    case 'reloading':
    case 'refreshing':
      return State.STATE_TRANSITIONING;
    default:
      return State.STATE_UNSPECIFIED;
  }
}

/**
 * systemd services: list-units for state, list-unit-files for enablement, one `systemctl show` for the main pids
 * of active units, and /proc/<pid>/cmdline for their command. Three processes per snapshot, never per unit.
 * Units that are not found on disk (LOAD "not-found") are left out. Throws when systemctl does not work.
 */
export async function listSystemdServices(run: CommandRunner, procRoot = '/proc'): Promise<ISystemService[]> {
  const units = parseListUnits(
    await run('systemctl', ['list-units', '--type=service', '--all', '--no-legend', '--plain', '--no-pager']),
  ).filter((u) => u.load !== 'not-found');
  let files = new Map<string, string>();
  try {
    files = parseListUnitFiles(
      await run('systemctl', ['list-unit-files', '--type=service', '--no-legend', '--no-pager']),
    );
  } catch {
    // enablement stays false
  }
  const active = units.filter((u) => u.active === 'active').map((u) => u.unit);
  let pids = new Map<string, number>();
  if (active.length > 0) {
    try {
      pids = parseShowMainPids(
        await run('systemctl', ['show', '--property=Id,MainPID', '--no-pager', '--', ...active]),
      );
    } catch {
      // pids stay 0
    }
  }
  return units.map((u) => {
    const pid = pids.get(u.unit) ?? 0;
    const fileState = files.get(u.unit) ?? '';
    return {
      name: u.unit,
      state: serviceState(u.active),
      subState: u.sub,
      enabled: fileState === 'enabled' || fileState === 'enabled-runtime',
      type: 'systemd',
      pid,
      command: pid > 0 ? commandLine(procRoot, pid) : '',
    };
  });
}

function commandLine(procRoot: string, pid: number): string {
  try {
    const raw = readFileSync(path.join(procRoot, String(pid), 'cmdline'), 'utf8');
    return raw.replace(/\0+$/, '').split('\0').join(' ');
  } catch {
    return '';
  }
}
