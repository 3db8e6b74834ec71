// The Sigma rules InoSec ships as its default rule set: SigmaHQ's Linux, network and web rules, vendored
// unmodified under DRL 1.1 in detectors/rules/sigmahq (NOTICE.md there says from where and how).
import { fileURLToPath } from 'node:url';

/** The folder of the shipped SigmaHQ rules (the same path from src/ and from dist/). */
export const SHIPPED_SIGMA_RULES_DIR = fileURLToPath(new URL('../../rules/sigmahq/', import.meta.url));
