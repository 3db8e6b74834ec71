// Public entry of the detectors workspace.
export { ATTACK_TACTICS, parseAttackTags, type AttackMapping } from './attack-tags.js';
