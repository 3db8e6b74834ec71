import { Module } from '@nestjs/common';
import { AgentControlEndpoint } from './agent-control-endpoint.js';
import { AgentControlServer } from './agent-control.server.js';
import { AgentGroupsController } from './agent-groups.controller.js';
import { AgentGroupsService } from './agent-groups.service.js';
import { AgentSessionService } from './agent-session.service.js';
import { AgentsController } from './agents.controller.js';
import { AgentsService } from './agents.service.js';
import { EnrollmentTokensController } from './enrollment-tokens.controller.js';
import { EnrollmentTokensService } from './enrollment-tokens.service.js';
import { EnrollmentService } from './enrollment.service.js';
import { FleetPki } from './fleet-pki.service.js';

/** The fleet API's controllers (listed in the OpenAPI document). */
export const FLEET_CONTROLLERS = [EnrollmentTokensController, AgentGroupsController, AgentsController];

/**
 * Fleet: enrollment tokens, agent groups and signed policies, the agents and their health, the PKI, and the
 * AgentControl gRPC server. The server is started by the composition root (`app.get(AgentControlServer).start()`)
 * and stopped with the application.
 */
@Module({
  controllers: FLEET_CONTROLLERS,
  providers: [
    FleetPki,
    AgentControlEndpoint,
    AgentGroupsService,
    EnrollmentTokensService,
    EnrollmentService,
    AgentsService,
    AgentSessionService,
    AgentControlServer,
  ],
  exports: [FleetPki, EnrollmentTokensService, AgentControlServer, AgentControlEndpoint],
})
export class FleetModule {}
