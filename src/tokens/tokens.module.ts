import { Module } from '@nestjs/common';
import { TokensController } from './tokens.controller.js';

/** `GET /apps/:app/token` and `POST /apps/:app/token/refresh`. */
@Module({ controllers: [TokensController] })
export class TokensModule {}
