import { Module } from '@nestjs/common';
import { TicketsController } from './tickets.controller.js';

/** `GET /apps/:app/tickets/:kind` and `POST /apps/:app/jsapi-signature`. */
@Module({ controllers: [TicketsController] })
export class TicketsModule {}
