import { defineConfig } from 'vitest/config';

// One vitest run over every workspace; each workspace's own vitest.config.ts defines its project.
export default defineConfig({
  test: {
    projects: ['tools', 'protos', 'detectors', 'collector', 'edge-agent', 'control-plane', 'dashboards'],
    // Two cores: integration suites start real servers, so keep files to two at once.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
