import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { METRICS } from '../tokens.js';
import type { ControlPlaneMetrics } from './metrics.registry.js';

@Controller()
export class MetricsController {
  constructor(@Inject(METRICS) private readonly metrics: ControlPlaneMetrics) {}

  @Get('metrics')
  async metricsText(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    void reply.header('Content-Type', this.metrics.registry.contentType).header('Cache-Control', 'no-store');
    return this.metrics.registry.metrics();
  }
}
