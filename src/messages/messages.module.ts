import { Module } from '@nestjs/common';
import { MessagesController } from './messages.controller.js';

/** `POST /apps/:app/messages`. */
@Module({ controllers: [MessagesController] })
export class MessagesModule {}
