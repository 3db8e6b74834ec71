import os from 'node:os';
import { Inject, Injectable } from '@nestjs/common';
import type { ControlPlaneConfig } from '../config/control-plane.config.js';
import { CONFIG } from '../tokens.js';

type EndpointConfig = Pick<
  ControlPlaneConfig,
  | 'INOSEC_AGENT_CONTROL_HOST'
  | 'INOSEC_AGENT_CONTROL_PORT'
  | 'INOSEC_AGENT_CONTROL_URL'
  | 'INOSEC_AGENT_CONTROL_TLS_NAMES'
  | 'INOSEC_COLLECTOR_URLS'
>;

/**
 * Where agents reach the control plane's AgentControl service and the collectors: the URLs printed in install
 * commands and handed out at enrollment, and the names the service's certificate must carry.
 */
@Injectable()
export class AgentControlEndpoint {
  private boundPort: number | undefined;

  constructor(@Inject(CONFIG) private readonly config: EndpointConfig) {}

  /** Records the port the service bound (INOSEC_AGENT_CONTROL_PORT=0 picks a free one). */
  setBoundPort(port: number): void {
    this.boundPort = port;
  }

  private advertisedHost(): string {
    const host = this.config.INOSEC_AGENT_CONTROL_HOST;
    if (host === '0.0.0.0' || host === '::' || host === '[::]') return os.hostname();
    return host;
  }

  /** The grpcs:// URL agents enroll at. */
  url(): string {
    if (this.config.INOSEC_AGENT_CONTROL_URL) return this.config.INOSEC_AGENT_CONTROL_URL.replace(/\/$/, '');
    const port = this.boundPort ?? this.config.INOSEC_AGENT_CONTROL_PORT;
    return `grpcs://${this.advertisedHost()}:${port}`;
  }

  /** Collector URLs handed to agents at enrollment. */
  collectorUrls(): string[] {
    return this.config.INOSEC_COLLECTOR_URLS.split(',').filter((url) => url !== '');
  }

  /** DNS names and IP addresses the service's certificate is issued for. */
  tlsNames(): string[] {
    const names = new Set(this.config.INOSEC_AGENT_CONTROL_TLS_NAMES.split(',').filter((n) => n !== ''));
    if (this.config.INOSEC_AGENT_CONTROL_URL) {
      names.add(new URL(this.config.INOSEC_AGENT_CONTROL_URL).hostname.replace(/^\[|\]$/g, ''));
    }
    names.add(this.advertisedHost().replace(/^\[|\]$/g, ''));
    return [...names];
  }
}
