// Micro benchmarks of compiled detection items (run: npx vitest bench --project detectors match.bench).
// Each operation evaluates one batch of BATCH events, so events/s = ops/s × BATCH (shown in the names).
import { bench, describe } from 'vitest';
import type { SigmaEvent } from '../sigma-types.js';
import { compileDetectionItem } from './detection-item.js';
import type { CompiledItem } from './match-types.js';

const BATCH = 1000;
const location = { file: 'bench.yml' };

const events: SigmaEvent[] = Array.from({ length: BATCH }, (_, i) => ({
  CommandLine:
    i % 10 === 0
      ? `powershell.exe -NoProfile -EncodedCommand SQBFAFgA ${i}`
      : `C:\\Windows\\System32\\svchost.exe -k netsvcs -p -s Schedule ${i}`,
  Image:
    i % 7 === 0
      ? 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe'
      : 'C:\\Windows\\System32\\svchost.exe',
  DestinationIp: `${i % 3 === 0 ? 10 : 172}.${i % 256}.${(i * 7) % 256}.${(i * 13) % 256}`,
}));

function run(item: CompiledItem): number {
  let matched = 0;
  for (const event of events) if (item.test(event)) matched++;
  return matched;
}

const contains = compileDetectionItem('CommandLine|contains', '-EncodedCommand', {}, location);
const endswithList = compileDetectionItem(
  'Image|endswith',
  ['\\powershell.exe', '\\pwsh.exe', '\\cmd.exe', '\\wscript.exe', '\\cscript.exe', '\\mshta.exe'],
  {},
  location,
);
const regex = compileDetectionItem(
  'CommandLine|re',
  '-[Ee]nc(odedCommand)? [A-Za-z0-9+/=]{8,}',
  {},
  location,
);
const cidr = compileDetectionItem(
  'DestinationIp|cidr',
  ['10.0.0.0/8', '192.168.0.0/16', 'fc00::/7'],
  {},
  location,
);

describe(`detection items, ${BATCH} events per op (events/s = ops/s × ${BATCH})`, () => {
  bench(`contains × ${BATCH} events`, () => void run(contains));
  bench(`endswith list of 6 × ${BATCH} events`, () => void run(endswithList));
  bench(`re × ${BATCH} events`, () => void run(regex));
  bench(`cidr × ${BATCH} events`, () => void run(cidr));
});
