import { Module } from '@nestjs/common';
import { AccountController } from './account.controller.js';
import { AccountService } from './account.service.js';
import { AuthMail } from './auth-mail.js';
import { AuthRateLimits, PublicRateLimitGuard } from './auth-rate-limit.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { LoginThrottle } from './login-throttle.js';
import { PrincipalChanges } from './principal-changes.js';
import { SessionController } from './session.controller.js';
import { SessionService } from './session.service.js';
import { TotpController } from './totp.controller.js';
import { TotpService } from './totp.service.js';

/** The auth API's controllers (listed in the OpenAPI document). */
export const AUTH_CONTROLLERS = [AuthController, SessionController, AccountController, TotpController];

/** Authentication: sign-in with lockout and rate limits, sessions and refresh tokens, accounts, TOTP. */
@Module({
  controllers: AUTH_CONTROLLERS,
  providers: [
    AuthService,
    SessionService,
    AccountService,
    TotpService,
    LoginThrottle,
    AuthMail,
    AuthRateLimits,
    PublicRateLimitGuard,
    PrincipalChanges,
  ],
  exports: [SessionService, AuthRateLimits, PrincipalChanges],
})
export class AuthModule {}
